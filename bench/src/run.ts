/**
 * `npm run bench`: starts its own Redis, runs every stack in every scenario for the configured
 * rounds (stacks in alternating order), then prints the Markdown report and writes it, with the
 * PNG chart, to `bench/results/<date>.md|png`.
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
import { describeMachine } from './machine.js';
import { type Measurement, measureCell } from './measure.js';
import { startRedis } from './redis-server.js';
import { renderChartSvg } from './report-chart.js';
import { renderReport } from './report-table.js';
import { svgToPng } from './render-png.js';
import { SCENARIOS } from './scenarios.js';
import { type ServerProcess, startServer } from './server-process.js';
import type { Stack } from './stacks.js';

function configOrExit(): BenchConfig {
  const parsed = readConfig(process.argv.slice(2), process.env);
  if (parsed !== 'help') return parsed;
  process.stdout.write(usage());
  return process.exit(0);
}

const config = configOrExit();

const startedMs = performance.now();
const benchDir = fileURLToPath(new URL('..', import.meta.url));
const redis = await startRedis();
let current: ServerProcess | undefined;
const shutdown = async (): Promise<void> => {
  await current?.stop();
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

/** Stacks of one round: frameworks rotate, kinds reverse every other round. */
function orderOf(round: number): Stack[] {
  const frameworks = config.frameworks.map((_, i) => config.frameworks[(i + round) % config.frameworks.length]);
  return frameworks.flatMap((framework) => {
    const own = stacks.filter((stack) => stack.framework === framework);
    return round % 2 === 0 ? own : own.reverse();
  });
}

async function runStack(stack: Stack, round: number): Promise<void> {
  // Same starting state for every server: an empty Redis (the new-session runs leave many keys).
  await redis.flush();
  current = await startServer(stack, redis.port);
  try {
    const needsCookie = stack.scenarios.some((name) => SCENARIOS[name].withCookie);
    const cookie = needsCookie ? await login(current.baseUrl) : '';
    for (const name of stack.scenarios) {
      const m = await measureCell(current, redis, SCENARIOS[name], cookie, config, round);
      measurements.push(m);
      const flags = [...m.problems, ...(m.failures > 0 ? [`${m.failures} failed`] : [])];
      log(
        `  ${stack.id.padEnd(20)} ${name.padEnd(5)} ${formatRps(m.rps).padStart(7)} req/s  p50 ${formatMs(m.p50Ms)} ms  p99 ${formatMs(m.p99Ms)} ms  ` +
          `${formatCount(m.roundTrips)} RT  ${formatCount(m.commandsPerRequest)} cmds  ${Math.round(m.serverCpuUsPerRequest)} µs CPU${flags.length > 0 ? `  ⚠ ${flags.join('; ')}` : ''}`,
      );
    }
  } finally {
    await current.stop();
    current = undefined;
  }
}

try {
  for (let round = 0; round < config.rounds; round += 1) {
    log(`round ${round + 1}/${config.rounds}`);
    for (const stack of orderOf(round)) {
      if (unavailable.has(stack.id)) continue;
      try {
        await runStack(stack, round);
      } catch (error) {
        const reason = `${stack.id} not measured: ${(error as Error).message.split('\n').slice(0, 6).join(' | ')}`;
        unavailable.set(stack.id, reason);
        log(`  ⚠ ${reason}`);
      }
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
const machine = describeMachine(redis.version);
const elapsedS = (performance.now() - startedMs) / 1000;
const chartFile = `${date}.png`;
const report = renderReport({ date, machine, config, rows, cells, elapsedS, unavailable: [...unavailable.values()], chartFile });
const subtitle = `${date} · ${machine.cpus} × ${machine.cpuModel} · Node ${machine.node} · redis ${machine.redis} · ${config.connections} connections, ${config.durationS} s × best of ${config.rounds} rounds`;
writeFileSync(resolve(outDir, `${date}.md`), report);
writeFileSync(resolve(outDir, chartFile), svgToPng(renderChartSvg({ rows, frameworks: config.frameworks, subtitle })));
process.stdout.write(`${report}\n`);
log(`wrote ${resolve(outDir, `${date}.md`)} and ${chartFile} in ${formatDuration(elapsedS)}`);
