/**
 * `npm run profile -w bench -- --stack express-sessionkit --scenario new`: one stack in one
 * scenario under `node --cpu-prof`, then where its main thread spent the measured run, as Markdown.
 * `--server <file>` runs another server file in that stack's role (to try a variant).
 * The profile is cut to the measured run, so start-up and warm-up do not count.
 *
 * @module
 */
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { BenchConfig } from './config.js';
import { formatCount, formatRps } from './format.js';
import { login } from './login.js';
import { measureCell } from './measure.js';
import { type CpuProfile, renderProfileSummary, summarizeProfile } from './profile-summary.js';
import { startRedis } from './redis-server.js';
import { SCENARIO_NAMES, SCENARIOS, type ScenarioName } from './scenarios.js';
import { startServer } from './server-process.js';
import { findStack, FRAMEWORKS } from './stacks.js';

const { values } = parseArgs({
  options: {
    stack: { type: 'string', default: 'express-sessionkit' },
    // Another server file in the stack's role: for trying a variant without touching the registry.
    server: { type: 'string' },
    scenario: { type: 'string', default: 'new' },
    'duration-s': { type: 'string', default: '5' },
    'warmup-s': { type: 'string', default: '1' },
    connections: { type: 'string', default: '50' },
    top: { type: 'string', default: '20' },
    'interval-us': { type: 'string', default: '250' },
  },
});
const registered = findStack(values.stack);
const stack =
  registered && values.server !== undefined
    ? { ...registered, id: `${registered.id} (${values.server})`, file: resolve(values.server) }
    : registered;
const scenarioName = values.scenario as ScenarioName;
if (stack === undefined || !SCENARIO_NAMES.includes(scenarioName)) {
  process.stderr.write(
    `usage: npm run profile -w bench -- --stack <framework>-<bare|floor|peer|sessionkit> --scenario <${SCENARIO_NAMES.join('|')}>\n`,
  );
  process.exit(2);
}
const config: BenchConfig = {
  durationS: Number(values['duration-s']),
  warmupS: Number(values['warmup-s']),
  connections: Number(values.connections),
  rounds: 1,
  frameworks: [...FRAMEWORKS],
  scenarios: [scenarioName],
  outDir: '',
};
const profileDir = mkdtempSync(join(tmpdir(), 'sessionkit-profile-'));
const redis = await startRedis();
try {
  const server = await startServer(stack, redis.port, [
    '--cpu-prof',
    '--cpu-prof-dir',
    profileDir,
    '--cpu-prof-interval',
    values['interval-us'],
  ]);
  let m: Awaited<ReturnType<typeof measureCell>>;
  try {
    const scenario = SCENARIOS[scenarioName];
    const cookie = scenario.withCookie ? await login(server.baseUrl) : '';
    m = await measureCell(server, redis, scenario, cookie, config, 0);
  } finally {
    await server.stop();
  }
  // CPU.<date>.<time>.<pid>.<thread>.<seq>.cpuprofile: thread 0 is the main thread (tsx's loader thread writes one too).
  const file = readdirSync(profileDir).find((name) => /\.\d+\.0\.\d+\.cpuprofile$/.test(name));
  if (file === undefined) throw new Error(`bench: no .cpuprofile in ${profileDir}`);
  const profile = JSON.parse(readFileSync(join(profileDir, file), 'utf8')) as CpuProfile;
  const summary = summarizeProfile(profile, m.windowUs, Number(values.top));
  process.stdout.write(
    `## ${stack.id}, ${scenarioName}\n\n${formatRps(m.rps)} req/s (${m.failures} failed${m.problems.length > 0 ? `; ${m.problems.join('; ')}` : ''}), ${formatCount(m.roundTrips)} round trips, ${formatCount(m.commandsPerRequest)} Redis commands (${m.redisUsPerRequest.toFixed(1)} µs of Redis time, ${m.redisCpuUsPerRequest.toFixed(1)} µs of Redis CPU) and ${Math.round(m.serverCpuUsPerRequest)} µs server CPU (all threads) per request.\n\n` +
      `${renderProfileSummary(summary, m.requests)}\nProfile: ${join(profileDir, file)}\n`,
  );
} finally {
  await redis.stop();
}
