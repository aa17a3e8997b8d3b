/**
 * The ioredis settings a session store relies on, as options objects to spread into your own
 * client and as a documented list. Without them a paused or unreachable Redis hangs requests for
 * seconds (or forever), and a counter can be applied twice after a reconnect.
 *
 * @module
 */
import type { ClusterOptions, RedisOptions } from 'ioredis';

/** The per-command timeout set by {@link sessionRedisOptions}, in ms. */
export const DEFAULT_COMMAND_TIMEOUT_MS = 1_000;
/** The connect timeout set by {@link sessionRedisOptions}, in ms. */
export const DEFAULT_CONNECT_TIMEOUT_MS = 1_000;
/** The longest pause between two reconnect attempts, in ms (plus up to 100 ms of jitter). */
export const MAX_RECONNECT_DELAY_MS = 1_000;

/**
 * Reconnect delay for attempt `attempt` (1-based): 50 ms doubling up to `MAX_RECONNECT_DELAY_MS`
 * (1 s), plus jitter so a fleet of apps does not reconnect in lockstep.
 * Always a number: the client keeps reconnecting, so the app recovers when Redis returns.
 *
 * @param attempt - the reconnect attempt, from 1
 */
export function cappedBackoff(attempt: number): number {
  const exponent = Math.min(Math.max(attempt, 1) - 1, 16);
  return Math.min(50 * 2 ** exponent, MAX_RECONNECT_DELAY_MS) + Math.floor(Math.random() * 100);
}

/**
 * `reconnectOnError`: reconnect on `READONLY` (after a failover the old master became a replica),
 * so the next connection finds the new master. Returns `true`, never `2`: `2` would re-send the
 * failed command, and a re-sent HINCRBY counts twice.
 *
 * @param error - the Redis error a command got
 */
export function reconnectOnReadOnly(error: Error): boolean {
  return error.message.startsWith('READONLY');
}

/**
 * ioredis `Redis` options for a session store; {@link createRedisClient} applies them, spread them
 * yourself for a Sentinel client: `new Redis({ sentinels, name, ...sessionRedisOptions })`.
 * Every option a session store depends on is set explicitly, whatever the ioredis version's
 * defaults (5 and 6 differ). See {@link REDIS_CLIENT_SETTINGS} for the reason of each.
 */
export const sessionRedisOptions = {
  commandTimeout: DEFAULT_COMMAND_TIMEOUT_MS,
  connectTimeout: DEFAULT_CONNECT_TIMEOUT_MS,
  maxRetriesPerRequest: 0,
  enableOfflineQueue: false,
  autoResendUnfulfilledCommands: false,
  reconnectOnError: reconnectOnReadOnly,
  retryStrategy: cappedBackoff,
  enableReadyCheck: true,
  protocol: 3,
  replyMapping: 'legacy',
  keepAlive: 30_000,
  connectionName: 'sessionkit',
  sentinelRetryStrategy: cappedBackoff,
  sentinelCommandTimeout: DEFAULT_COMMAND_TIMEOUT_MS,
  failoverDetector: true,
} as const satisfies RedisOptions;

/**
 * ioredis `Cluster` options for a session store:
 * `new Cluster(nodes, sessionClusterOptions)`. The per-node settings are in `redisOptions`.
 */
export const sessionClusterOptions = {
  enableOfflineQueue: false,
  enableReadyCheck: true,
  clusterRetryStrategy: cappedBackoff,
  slotsRefreshTimeout: DEFAULT_CONNECT_TIMEOUT_MS,
  redisOptions: {
    commandTimeout: DEFAULT_COMMAND_TIMEOUT_MS,
    connectTimeout: DEFAULT_CONNECT_TIMEOUT_MS,
    maxRetriesPerRequest: 0,
    autoResendUnfulfilledCommands: false,
    reconnectOnError: reconnectOnReadOnly,
    protocol: 3,
    replyMapping: 'legacy',
    keepAlive: 30_000,
    connectionName: 'sessionkit',
  },
} as const satisfies ClusterOptions;

/** One client setting a session store relies on, and why. */
export interface ClientSettingAdvice {
  /** The ioredis option. */
  readonly option: string;
  /** The value sessionkit uses. */
  readonly value: string;
  /** What goes wrong without it. */
  readonly why: string;
}

/**
 * The ioredis settings that matter for a session store, for those who bring their own client.
 * The same list is in docs/redis-store.md.
 */
export const REDIS_CLIENT_SETTINGS: readonly ClientSettingAdvice[] = [
  {
    option: 'commandTimeout',
    value: `${DEFAULT_COMMAND_TIMEOUT_MS} (ms)`,
    why:
      'ioredis has no per-command timeout by default: a paused Redis (SIGSTOP, long fork, partition) hangs every ' +
      'request. Keep it at 200 ms or more (smaller breaks the ready check).',
  },
  {
    option: 'connectTimeout',
    value: `${DEFAULT_CONNECT_TIMEOUT_MS} (ms)`,
    why: 'the default 10 s makes each attempt against a black-holed host take 10 s.',
  },
  {
    option: 'maxRetriesPerRequest',
    value: '0',
    why:
      'commands in flight when the connection drops fail at once instead of after ~10 s of retries (the default ' +
      '20); they are never re-sent anyway (next line).',
  },
  {
    option: 'autoResendUnfulfilledCommands',
    value: 'false',
    why: 'the default re-sends commands in flight at a disconnect: a session write or HINCRBY that already ran would run twice.',
  },
  {
    option: 'enableOfflineQueue',
    value: 'false',
    why:
      'while disconnected, commands fail at once (503) instead of queueing without bound and running late, after ' +
      'the request already failed.',
  },
  {
    option: 'reconnectOnError',
    value: 'READONLY -> true',
    why:
      'after a failover the old master is a replica and refuses writes; reconnecting finds the new master. Never ' +
      'return 2 (re-sends the command).',
  },
  {
    option: 'retryStrategy',
    value: 'backoff 50 ms doubling, capped at 1 s, with jitter',
    why: 'always a number, so the client reconnects forever and the app recovers by itself.',
  },
  { option: 'enableReadyCheck', value: 'true', why: 'no commands before Redis has loaded its data set.' },
  {
    option: 'protocol',
    value: '3 (replyMapping "legacy")',
    why:
      'set explicitly because ioredis 5 speaks RESP2 and 6 defaults to RESP3; RedisStore works with both, ioredis 6 ' +
      'falls back to RESP2 on servers without RESP3.',
  },
  {
    option: 'error listener',
    value: "client.on('error', log)",
    why: 'without one ioredis prints "[ioredis] Unhandled error event" on every failed reconnect.',
  },
  {
    option: 'Sentinel: failoverDetector',
    value: 'true',
    why: 'switches to the new master as soon as the sentinels announce it.',
  },
  {
    option: 'Cluster: enableOfflineQueue, redisOptions',
    value: 'false, the per-node settings above',
    why: 'the same bounds for every node connection of a Cluster client.',
  },
];
