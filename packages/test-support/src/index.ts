/**
 * @sessionkit/test-support: what the workspaces' tests and tools share (private, never published).
 *
 * - {@link freePort}: a free loopback port.
 * - {@link startRedis}: a private redis-server (or redis-sentinel) to stop, kill, pause, resume and
 *   restart; {@link adminCommand} to talk to it; {@link requireBinary} and {@link tempDir} below it.
 * - {@link startCluster} and {@link startSentinelGroup}: local Cluster and Sentinel topologies,
 *   with {@link sentinelMasterPort} and {@link roleOf} to watch a failover.
 * - {@link until}: polls a check until it holds (readiness and recovery with no event to wait on).
 * - {@link recordingStore}: wraps any store and records its calls by verb.
 * - {@link commandStats} and {@link parseCommandStats}: `INFO commandstats` per command.
 *
 * It exports its TypeScript sources (no build step): vitest and tsx run them, and tsc resolves
 * them through node_modules, as an external library outside every consumer's rootDir. Nothing here
 * imports vitest or @sessionkit/core, so tools (bench) use it as well as tests.
 */
export { type CommandStat, commandStats, parseCommandStats } from './command-stats.js';
export { freePort } from './free-port.js';
export { type RecordingStore, recordingStore } from './recording-store.js';
export {
  adminCommand,
  type RedisProcess,
  requireBinary,
  type StartRedisOptions,
  startRedis,
  tempDir,
} from './redis-process.js';
export {
  type LocalCluster,
  type LocalSentinelGroup,
  roleOf,
  sentinelMasterPort,
  startCluster,
  startSentinelGroup,
} from './topologies.js';
export { until } from './until.js';
