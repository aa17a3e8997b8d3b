/**
 * The bench's knobs, from CLI flags or environment variables (flags win), with defaults sized so
 * a full run takes under ten minutes on a 2-core machine.
 *
 * @module
 */
import { parseArgs } from 'node:util';
import { FRAMEWORKS, type Framework } from './stacks.js';
import { SCENARIO_NAMES, type ScenarioName } from './scenarios.js';

/** What one bench run does. */
export interface BenchConfig {
  /** Measured seconds per cell and round. */
  readonly durationS: number;
  /** Unmeasured seconds before each measured run (JIT, connection pools, script cache). */
  readonly warmupS: number;
  /** Concurrent keep-alive connections autocannon keeps open. */
  readonly connections: number;
  /** How many times every cell is measured; each cell reports its best round. */
  readonly rounds: number;
  /** Frameworks to run. */
  readonly frameworks: readonly Framework[];
  /** Scenarios to run. */
  readonly scenarios: readonly ScenarioName[];
  /** Where the Markdown table and the PNG chart go. */
  readonly outDir: string;
}

/** How each knob is spelled on the command line and in the environment, with its default. */
export const KNOBS = [
  { flag: 'duration-s', env: 'BENCH_DURATION_S', fallback: '4', help: 'measured seconds per cell and round' },
  { flag: 'warmup-s', env: 'BENCH_WARMUP_S', fallback: '1', help: 'warm-up seconds before each measured run' },
  { flag: 'connections', env: 'BENCH_CONNECTIONS', fallback: '50', help: 'concurrent connections' },
  { flag: 'rounds', env: 'BENCH_ROUNDS', fallback: '2', help: 'rounds (stacks alternate order; best round kept)' },
  { flag: 'frameworks', env: 'BENCH_FRAMEWORKS', fallback: FRAMEWORKS.join(','), help: 'comma-separated frameworks' },
  { flag: 'scenarios', env: 'BENCH_SCENARIOS', fallback: SCENARIO_NAMES.join(','), help: 'comma-separated scenarios' },
  { flag: 'out-dir', env: 'BENCH_OUT_DIR', fallback: 'results', help: 'output folder, relative to bench/' },
] as const;

type KnobName = (typeof KNOBS)[number]['flag'];

function positive(name: string, text: string, integer: boolean): number {
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0 || (integer && !Number.isInteger(value))) {
    throw new Error(`bench: ${name} must be a positive ${integer ? 'integer' : 'number'}; got ${JSON.stringify(text)}`);
  }
  return value;
}

function list<T extends string>(name: string, text: string, allowed: readonly T[]): T[] {
  const items = text
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item.length > 0);
  const unknown = items.filter((item) => !(allowed as readonly string[]).includes(item));
  if (unknown.length > 0 || items.length === 0) {
    throw new Error(
      `bench: ${name} takes a comma-separated list of ${allowed.join(', ')}; got ${JSON.stringify(text)}`,
    );
  }
  return allowed.filter((item) => items.includes(item));
}

/** The usage text printed by `--help`. */
export function usage(): string {
  const lines = KNOBS.map(
    (knob) => `  --${knob.flag.padEnd(12)} ${knob.env.padEnd(18)} ${knob.help} (default ${knob.fallback})`,
  );
  return (
    'npm run bench -w bench -- [flags], or the environment variables (from the root too: BENCH_ROUNDS=1 npm run bench)\n\n' +
    `  flag           env variable       meaning\n${lines.join('\n')}\n`
  );
}

/** Reads the config from `argv` and `env`; throws with a readable message on a bad value. */
export function readConfig(argv: readonly string[], env: NodeJS.ProcessEnv): BenchConfig | 'help' {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      help: { type: 'boolean' },
      ...Object.fromEntries(KNOBS.map((knob) => [knob.flag, { type: 'string' as const }])),
    },
  });
  if (values.help === true) return 'help';
  const raw = (flag: KnobName): string => {
    const knob = KNOBS.find((candidate) => candidate.flag === flag);
    if (knob === undefined) throw new Error(`bench: unknown knob ${flag}`);
    const given = (values as Record<string, string | boolean | undefined>)[flag];
    return (typeof given === 'string' ? given : undefined) ?? env[knob.env] ?? knob.fallback;
  };
  return {
    durationS: positive('duration-s', raw('duration-s'), false),
    warmupS: positive('warmup-s', raw('warmup-s'), false),
    connections: positive('connections', raw('connections'), true),
    rounds: positive('rounds', raw('rounds'), true),
    frameworks: list('frameworks', raw('frameworks'), FRAMEWORKS),
    scenarios: list('scenarios', raw('scenarios'), SCENARIO_NAMES),
    outDir: raw('out-dir'),
  };
}
