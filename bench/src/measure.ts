/**
 * Measures one cell (a server in a scenario) once: warm-up, a probe that checks the behaviour and
 * counts round trips, then the measured run with Redis command counts and server CPU time around it.
 *
 * @module
 */
import type { BenchConfig } from './config.js';
import { runLoad } from './load.js';
import { probe } from './probe.js';
import { type BenchRedis, statsBetween } from './redis-server.js';
import type { Scenario, ScenarioName } from './scenarios.js';
import type { ServerProcess } from './server-process.js';

/** Pause between the warm-up and the probe. */
const SETTLE_MS = 250;

/** One measured run of one cell. */
export interface Measurement {
  readonly stackId: string;
  readonly scenario: ScenarioName;
  readonly round: number;
  readonly rps: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly requests: number;
  /** Non-2xx responses plus connection errors and timeouts; a healthy cell has 0. */
  readonly failures: number;
  /** Redis commands per request under load (INFO commandstats, script-internal calls included). */
  readonly commandsPerRequest: number;
  /** Time Redis spent executing this cell's commands, per request, in µs (INFO commandstats). */
  readonly redisUsPerRequest: number;
  /**
   * CPU the redis-server process used per request, in µs (INFO cpu): command time plus reading,
   * parsing and replying, which for small commands is most of it.
   */
  readonly redisCpuUsPerRequest: number;
  /** Round trips per request (MONITOR over the probe's sequential requests). */
  readonly roundTrips: number;
  /** Server CPU time per request, all threads (WebCrypto and libuv work included), in µs. */
  readonly serverCpuUsPerRequest: number;
  /** The measured run on the server's monotonic clock (µs), to cut a `--cpu-prof` profile to it. */
  readonly windowUs: readonly [number, number];
  /** Behaviour the probe found wrong. */
  readonly problems: readonly string[];
}

/**
 * Measures `server` in `scenario` once.
 *
 * @param cookie - the logged-in session's Cookie header ('' when the server keeps no sessions)
 */
export async function measureCell(
  server: ServerProcess,
  redis: BenchRedis,
  scenario: Scenario,
  cookie: string,
  config: BenchConfig,
  round: number,
): Promise<Measurement> {
  const url = server.baseUrl + scenario.path;
  const headers: Record<string, string> = scenario.withCookie && cookie !== '' ? { cookie } : {};
  const base = { url, connections: config.connections, headers };
  // Warm-up first, so the probe sees steady state (Lua scripts cached, code optimized).
  await runLoad({ ...base, durationS: config.warmupS });
  // Requests cut off when the warm-up ended may still be finishing on the server: let them.
  await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
  const probed = await probe(redis.port, server.baseUrl, scenario, server.stack.kind, cookie);
  const statsBefore = await redis.commandStats();
  const redisCpuBefore = await redis.cpuUs();
  const cpuBefore = await server.cpu();
  const load = await runLoad({ ...base, durationS: config.durationS });
  const cpuAfter = await server.cpu();
  const redisCpuAfter = await redis.cpuUs();
  const redisStats = statsBetween(statsBefore, await redis.commandStats());
  return {
    stackId: server.stack.id,
    scenario: scenario.name,
    round,
    rps: load.rps,
    p50Ms: load.p50Ms,
    p99Ms: load.p99Ms,
    requests: load.requests,
    failures: load.non2xx + load.errors,
    commandsPerRequest: load.requests === 0 ? 0 : redisStats.calls / load.requests,
    redisUsPerRequest: load.requests === 0 ? 0 : redisStats.usec / load.requests,
    redisCpuUsPerRequest: load.requests === 0 ? 0 : (redisCpuAfter - redisCpuBefore) / load.requests,
    roundTrips: probed.roundTrips,
    serverCpuUsPerRequest: load.requests === 0 ? 0 : (cpuAfter.usedUs - cpuBefore.usedUs) / load.requests,
    windowUs: [cpuBefore.monotonicUs, cpuAfter.monotonicUs],
    problems: probed.problems,
  };
}
