/**
 * Local Redis topologies for the tests: a 3-master Cluster and a Sentinel group (1 master,
 * 1 replica, 3 sentinels), started on free loopback ports and torn down with every process and
 * temp directory they made.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { freePort } from './free-port.js';
import { adminCommand, type RedisProcess, requireBinary, startRedis } from './redis-process.js';
import { until } from './until.js';

const run = promisify(execFile);

/** A running local Redis Cluster. */
export interface LocalCluster {
  /** The master processes. */
  readonly nodes: readonly RedisProcess[];
  /** Stops every node and removes their directories. */
  dispose(): Promise<void>;
}

async function disposeAll(processes: readonly RedisProcess[]): Promise<void> {
  await Promise.allSettled(processes.map((process) => process.dispose()));
}

/**
 * Starts `size` cluster-enabled redis-servers (each with an explicit bus port, so no port + 10000
 * guess), joins them with `redis-cli --cluster create`, and resolves once every node reports
 * `cluster_state:ok`.
 */
export async function startCluster(size = 3): Promise<LocalCluster> {
  requireBinary('redis-cli');
  const nodes: RedisProcess[] = [];
  try {
    for (let i = 0; i < size; i++) {
      const busPort = await freePort();
      nodes.push(
        await startRedis({
          args: [
            '--cluster-enabled',
            'yes',
            '--cluster-config-file',
            'nodes.conf',
            '--cluster-port',
            String(busPort),
            '--cluster-node-timeout',
            '2000',
          ],
        }),
      );
    }
    await run(
      'redis-cli',
      [
        '--cluster',
        'create',
        ...nodes.map((node) => `127.0.0.1:${node.port}`),
        '--cluster-replicas',
        '0',
        '--cluster-yes',
      ],
      {
        timeout: 30_000,
      },
    );
    await until(
      async () => {
        const states = await Promise.all(nodes.map((node) => adminCommand(node.port, 'CLUSTER', 'INFO')));
        return states.every((state) => String(state).includes('cluster_state:ok'));
      },
      20_000,
      'every cluster node reports cluster_state:ok',
    );
  } catch (error) {
    await disposeAll(nodes);
    throw error;
  }
  return { nodes, dispose: () => disposeAll(nodes) };
}

/** A running Sentinel group. */
export interface LocalSentinelGroup {
  /** The name the sentinels monitor. */
  readonly name: string;
  /** The initial master. */
  readonly master: RedisProcess;
  /** The initial replica. */
  readonly replica: RedisProcess;
  /** The sentinels. */
  readonly sentinels: readonly RedisProcess[];
  /** Stops every process and removes their directories. */
  dispose(): Promise<void>;
}

/** The `host:port` a sentinel currently names as master. */
export async function sentinelMasterPort(sentinel: RedisProcess, name: string): Promise<number> {
  const reply = (await adminCommand(sentinel.port, 'SENTINEL', 'GET-MASTER-ADDR-BY-NAME', name)) as
    | [string, string]
    | null;
  return Number(reply?.[1]);
}

/** The `role:` line of INFO replication of the server on `port`. */
export async function roleOf(port: number): Promise<string> {
  const info = String(await adminCommand(port, 'INFO', 'replication'));
  return /role:(\w+)/.exec(info)?.[1] ?? 'unknown';
}

/**
 * Starts a master, a replica of it and three sentinels (quorum 2) and resolves once the replica is
 * in sync and every sentinel knows it, so a failover can be requested right away.
 */
export async function startSentinelGroup(name = 'sessionkit'): Promise<LocalSentinelGroup> {
  requireBinary('redis-sentinel');
  const processes: RedisProcess[] = [];
  try {
    // No diskless-sync delay (5 s by default): a full sync starts as soon as a replica asks.
    const syncNow = ['--repl-diskless-sync-delay', '0'];
    const master = await startRedis({ args: syncNow });
    processes.push(master);
    const replica = await startRedis({ args: [...syncNow, '--replicaof', '127.0.0.1', String(master.port)] });
    processes.push(replica);
    await until(
      async () => String(await adminCommand(replica.port, 'INFO', 'replication')).includes('master_link_status:up'),
      10_000,
      'the replica is in sync',
    );
    const sentinels = await Promise.all(
      [1, 2, 3].map(() =>
        startRedis({
          sentinelConfig: (port, dir) =>
            [
              `port ${port}`,
              'bind 127.0.0.1',
              `dir ${dir}`,
              `sentinel monitor ${name} 127.0.0.1 ${master.port} 2`,
              `sentinel down-after-milliseconds ${name} 1000`,
              `sentinel failover-timeout ${name} 5000`,
              `sentinel parallel-syncs ${name} 1`,
              '',
            ].join('\n'),
        }),
      ),
    );
    processes.push(...sentinels);
    await until(
      async () => {
        const views = await Promise.all(
          sentinels.map((sentinel) => adminCommand(sentinel.port, 'SENTINEL', 'REPLICAS', name)),
        );
        return views.every(
          (view) => Array.isArray(view) && view.length === 1 && !String(view).includes('disconnected'),
        );
      },
      15_000,
      'every sentinel knows the replica',
    );
    return { name, master, replica, sentinels, dispose: () => disposeAll(processes) };
  } catch (error) {
    await disposeAll(processes);
    throw error;
  }
}
