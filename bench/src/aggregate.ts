/**
 * From every round's measurements to one row per framework and scenario: each cell keeps its best
 * round (highest req/s: interference on a shared machine only ever slows a run down), and
 * sessionkit is compared with the floor and the peer of its framework.
 *
 * @module
 */
import type { Measurement } from './measure.js';
import { SCENARIOS, type ScenarioName } from './scenarios.js';
import { type Framework, type Stack, type StackKind, stacksOf } from './stacks.js';

/** One server in one scenario, over all rounds. */
export interface Cell {
  readonly stack: Stack;
  readonly scenario: ScenarioName;
  /** The round with the highest req/s. */
  readonly best: Measurement;
  /** Every round, in run order. */
  readonly rounds: readonly Measurement[];
}

/** One framework in one scenario. */
export interface Row {
  readonly framework: Framework;
  readonly scenario: ScenarioName;
  /** The reference for "× floor": the floor server, or the bare server for `anon`. */
  readonly floor: Cell | undefined;
  readonly peer: Cell | undefined;
  readonly sessionkit: Cell | undefined;
}

/** Whether sessionkit reached its target in a row; `undefined` when a cell is missing. */
export interface TargetResult {
  readonly met: boolean | undefined;
  /** The measured ratio the target is about. */
  readonly ratio: number | undefined;
  /** Why it was missed, when it was. */
  readonly why: string;
}

/** Groups measurements into cells, keeping each cell's best round. */
export function toCells(measurements: readonly Measurement[], stacks: readonly Stack[]): Cell[] {
  const cells: Cell[] = [];
  for (const stack of stacks) {
    for (const scenario of stack.scenarios) {
      const rounds = measurements.filter((m) => m.stackId === stack.id && m.scenario === scenario);
      if (rounds.length === 0) continue;
      const best = rounds.reduce((a, b) => (b.rps > a.rps ? b : a));
      cells.push({ stack, scenario, best, rounds });
    }
  }
  return cells;
}

function find(cells: readonly Cell[], framework: Framework, kind: StackKind, scenario: ScenarioName): Cell | undefined {
  return cells.find(
    (cell) => cell.stack.framework === framework && cell.stack.kind === kind && cell.scenario === scenario,
  );
}

/** The rows of the report, frameworks × scenarios, in table order. */
export function toRows(
  cells: readonly Cell[],
  frameworks: readonly Framework[],
  scenarios: readonly ScenarioName[],
): Row[] {
  return frameworks.flatMap((framework) =>
    scenarios.map((scenario) => ({
      framework,
      scenario,
      floor: find(cells, framework, scenario === 'anon' ? 'bare' : 'floor', scenario),
      peer: find(cells, framework, 'peer', scenario),
      sessionkit: find(cells, framework, 'sessionkit', scenario),
    })),
  );
}

/** `a`'s req/s over `b`'s, or `undefined` when either is missing. */
export function ratio(a: Cell | undefined, b: Cell | undefined): number | undefined {
  return a === undefined || b === undefined || b.best.rps === 0 ? undefined : a.best.rps / b.best.rps;
}

/**
 * How many times more requests per CPU-second the reference served than `cell`: what the req/s
 * ratio would be if the server process were the only bottleneck. It holds up on a busy machine,
 * where req/s swings with whatever else runs.
 */
export function cpuRatio(cell: Cell | undefined, reference: Cell | undefined): number | undefined {
  if (cell === undefined || reference === undefined || cell.best.serverCpuUsPerRequest === 0) return undefined;
  return reference.best.serverCpuUsPerRequest / cell.best.serverCpuUsPerRequest;
}

/** The floor of a cell's row, for the detailed tables ("× floor" of any stack). */
export function floorOf(rows: readonly Row[], cell: Cell): Cell | undefined {
  return rows.find((row) => row.framework === cell.stack.framework && row.scenario === cell.scenario)?.floor;
}

/** The peer of a cell's row. */
export function peerOf(rows: readonly Row[], cell: Cell): Cell | undefined {
  return rows.find((row) => row.framework === cell.stack.framework && row.scenario === cell.scenario)?.peer;
}

/** Judges sessionkit's target in a row. */
export function judgeTarget(row: Row): TargetResult {
  const target = SCENARIOS[row.scenario].target;
  const value = ratio(row.sessionkit, target.against === 'floor' ? row.floor : row.peer);
  if (value === undefined || row.sessionkit === undefined)
    return { met: undefined, ratio: undefined, why: 'not measured' };
  const reasons: string[] = [];
  // The anonymous scenario's floor is the bare server: say so.
  const reference = target.against === 'floor' && row.scenario === 'anon' ? 'bare' : target.against;
  if (value < target.ratio) reasons.push(`${(value * 100).toFixed(0)}% of ${reference}`);
  const { roundTrips, commandsPerRequest, problems, failures } = row.sessionkit.best;
  if (target.roundTrips !== undefined && roundTrips !== target.roundTrips) reasons.push(`${roundTrips} round trips`);
  if (target.roundTrips === 0 && commandsPerRequest > 0)
    reasons.push(`${commandsPerRequest.toFixed(2)} commands/request`);
  if (problems.length > 0 || failures > 0) reasons.push('failed requests or wrong behaviour');
  return { met: reasons.length === 0, ratio: value, why: reasons.join(', ') };
}

/** Every stack the config runs, in framework order. */
export function stacksFor(frameworks: readonly Framework[]): Stack[] {
  return frameworks.flatMap(stacksOf);
}
