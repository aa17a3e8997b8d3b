/**
 * `npm run bench`: starts its own Redis, runs every stack in every scenario for the configured
 * rounds (stacks in alternating order), then prints the Markdown report and writes it, with the
 * PNG chart, to `bench/results/<date>.md|png`. `--help` lists the knobs.
 *
 * @module
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stacksFor, toCells, toRows } from './aggregate.js';
import { type BenchConfig, readConfig, usage } from './config.js';
import { formatCount, formatDuration, formatMs, formatRps } from './format.js';
import { login } from './login.js';
import { buildFingerprint } from './build-fingerprint.js';
import { cpuTicks, describeMachine, loadAverage, stealShare } from './machine.js';
import { type Measurement, measureCell } from './measure.js';
import { startRedis } from './redis-server.js';
import { renderChartSvg } from './report-chart.js';
import { renderReport } from './report-table.js';
import { svgToPng } from './render-png.js';
import { SCENARIOS } from './scenarios.js';
import { type ServerProcess, startServer } from './server-process.js';
import type { Framework, Stack } from './stacks.js';

function configOrExit(): BenchConfig {
  let parsed: BenchConfig | 'help';
  try {
    parsed = readConfig(process.argv.slice(2), process.env);
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n\n${usage()}`);
    return process.exit(2);
  }
  if (parsed !== 'help') return parsed;
  process.stdout.write(usage());
  return process.exit(0);
}

const config = configOrExit();

const startedMs = performance.now();
const loadAtStart = loadAverage();
const ticksAtStart = cpuTicks();
const fingerprintAtStart = buildFingerprint();
const benchDir = fileURLToPath(new URL('..', import.meta.url));
const redis = await startRedis();
// Taken now: the commit the packages were built from (prebench), not the one at the end.
const machine = describeMachine(redis.version);
const running = new Set<ServerProcess>();
const shutdown = async (): Promise<void> => {
  await Promise.all([...running].map((server) => server.stop()));
  await redis.stop();
};
process.once('SIGINT', () => void shutdown().finally(() => process.exit(130)));

const stacks = stacksFor(config.frameworks)
  .map((stack) => ({ ...stack, scenarios: stack.scenarios.filter((name) => config.scenarios.includes(name)) }))
  .filter((stack) => stack.scenarios.length > 0);
const measurements: Measurement[] = [];
const unavailable = new Map<string, string>();

function log(line: string): void {
  process.stderr.write(`${line}\n`);
}

function logMeasurement(m: Measurement): void {
  const flags = [...m.problems, ...(m.failures > 0 ? [`${m.failures} failed`] : [])];
  log(
    `  ${m.stackId.padEnd(20)} ${m.scenario.padEnd(5)} ${formatRps(m.rps).padStart(7)} req/s  p50 ${formatMs(m.p50Ms)} ms  p99 ${formatMs(m.p99Ms)} ms  ` +
      `${formatCount(m.roundTrips)} RT  ${formatCount(m.commandsPerRequest)} cmds  ${m.redisUsPerRequest.toFixed(1)} µs Redis (${m.redisCpuUsPerRequest.toFixed(1)} CPU)  ${Math.round(m.serverCpuUsPerRequest)} µs CPU${flags.length > 0 ? `  ⚠ ${flags.join('; ')}` : ''}`,
  );
}

/** Starts a stack's server and logs in once; a stack that cannot start is reported, not fatal. */
async function bringUp(stack: Stack): Promise<{ server: ServerProcess; cookie: string } | undefined> {
  try {
    const server = await startServer(stack, redis.port);
    running.add(server);
    const needsCookie = stack.scenarios.some((name) => SCENARIOS[name].withCookie);
    return { server, cookie: needsCookie ? await login(server.baseUrl) : '' };
  } catch (error) {
    const reason = `${stack.id} not measured: ${(error as Error).message.split('\n').slice(0, 6).join(' | ')}`;
    unavailable.set(stack.id, reason);
    log(`  ⚠ ${reason}`);
    return undefined;
  }
}

/**
 * One framework in one round. All its servers run at once (idle ones cost nothing), so the cells of
 * a scenario are measured back to back: whatever else the machine does then weighs on all of them.
 * The order of the stacks flips every round.
 */
async function runFramework(framework: Framework, round: number): Promise<void> {
  // Same starting state for every framework: an empty Redis (the new-session runs leave many keys).
  await redis.flush();
  const own = stacks.filter((stack) => stack.framework === framework && !unavailable.has(stack.id));
  const ordered = round % 2 === 0 ? own : own.reverse();
  const up = new Map<string, { server: ServerProcess; cookie: string }>();
  try {
    for (const stack of ordered) {
      const started = await bringUp(stack);
      if (started !== undefined) up.set(stack.id, started);
    }
    for (const name of config.scenarios) {
      for (const stack of ordered) {
        const entry = up.get(stack.id);
        if (entry === undefined || !stack.scenarios.includes(name)) continue;
        try {
          const m = await measureCell(entry.server, redis, SCENARIOS[name], entry.cookie, config, round);
          measurements.push(m);
          logMeasurement(m);
        } catch (error) {
          // One broken cell (a server that crashed, say) is reported; the rest of the run goes on.
          const reason = `${stack.id} ${name}, round ${round + 1}: ${(error as Error).message.split('\n')[0]}`;
          unavailable.set(`${stack.id} ${name} ${round}`, reason);
          log(`  ⚠ ${reason}`);
        }
      }
    }
  } finally {
    await Promise.all(
      [...up.values()].map(async ({ server }) => {
        await server.stop();
        running.delete(server);
      }),
    );
  }
}

try {
  for (let round = 0; round < config.rounds; round += 1) {
    log(`round ${round + 1}/${config.rounds}`);
    // Frameworks rotate, so none always runs first (or last, when the machine may be busier).
    for (let i = 0; i < config.frameworks.length; i += 1) {
      await runFramework(config.frameworks[(i + round) % config.frameworks.length] as Framework, round);
    }
  }
} finally {
  await shutdown();
}

const date = new Date().toISOString().slice(0, 10);
const outDir = resolve(benchDir, config.outDir);
mkdirSync(outDir, { recursive: true });
const cells = toCells(measurements, stacks);
const rows = toRows(cells, config.frameworks, config.scenarios);
const elapsedS = (performance.now() - startedMs) / 1000;
const chartFile = `${date}.png`;
const loadAverages = [loadAtStart, loadAverage()] as const;
const fingerprintAtEnd = buildFingerprint();
if (fingerprintAtEnd !== fingerprintAtStart) {
  const reason = `the built packages changed during the run (dist ${fingerprintAtStart} at the start, ${fingerprintAtEnd} at the end): servers started after the rebuild ran other code, so rows may mix versions; run again`;
  unavailable.set('rebuilt', reason);
  log(`  ⚠ ${reason}`);
}
const steal = stealShare(ticksAtStart, cpuTicks());
const report = renderReport({
  date,
  machine,
  config,
  rows,
  cells,
  elapsedS,
  unavailable: [...unavailable.values()],
  chartFile,
  loadAverages,
  steal,
});
const subtitle = `${date} · ${machine.cpus} × ${machine.cpuModel} · Node ${machine.node} · redis ${machine.redis} · ${config.connections} connections, ${config.durationS} s × best of ${config.rounds} rounds`;
writeFileSync(resolve(outDir, `${date}.md`), report);
writeFileSync(resolve(outDir, chartFile), svgToPng(renderChartSvg({ rows, frameworks: config.frameworks, subtitle })));
process.stdout.write(`${report}\n`);
log(`wrote ${resolve(outDir, `${date}.md`)} and ${chartFile} in ${formatDuration(elapsedS)}`);
