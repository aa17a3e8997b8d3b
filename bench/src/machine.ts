/**
 * The machine a run happened on, for the report header: a number means little without it.
 *
 * @module
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { availableParallelism, loadavg, totalmem } from 'node:os';

/** Facts about the machine and the software under the bench. */
export interface MachineInfo {
  readonly cpus: number;
  readonly cpuModel: string;
  readonly memoryGiB: number;
  readonly node: string;
  readonly redis: string;
  readonly platform: string;
  /** The commit measured, `+ changes` when packages/ differs from it (the bench runs the built packages). */
  readonly commit: string;
}

function measuredCommit(): string {
  try {
    const git = (...args: string[]): string =>
      execFileSync('git', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    const dirty = git('status', '--porcelain', '--', 'packages').length > 0;
    return `${git('rev-parse', '--short', 'HEAD')}${dirty ? ' + uncommitted changes in packages/' : ''}`;
  } catch {
    return 'unknown';
  }
}

/**
 * The 1-minute load average: other work on the machine during a run shows in the numbers, so the
 * report says how busy the machine was.
 */
export function loadAverage(): number {
  return loadavg()[0] ?? 0;
}

/** Cumulative CPU time of the whole machine from `/proc/stat`, in clock ticks; `undefined` off Linux. */
export interface CpuTicks {
  readonly steal: number;
  readonly total: number;
}

/**
 * The machine's CPU ticks so far. Between two readings, `steal / total` is the share of time the
 * hypervisor ran other guests on this VM's CPUs: a run with much steal is slower for every stack.
 */
export function cpuTicks(): CpuTicks | undefined {
  try {
    const fields = /^cpu\s+(.+)$/m.exec(readFileSync('/proc/stat', 'utf8'))?.[1]?.trim().split(/\s+/).map(Number) ?? [];
    // user nice system idle iowait irq softirq steal (guest time is already inside user and nice)
    const total = fields.slice(0, 8).reduce((sum, ticks) => sum + ticks, 0);
    return fields.length >= 8 ? { steal: fields[7] ?? 0, total } : undefined;
  } catch {
    return undefined;
  }
}

/** The share of CPU time stolen by the hypervisor between two readings, or `undefined`. */
export function stealShare(start: CpuTicks | undefined, end: CpuTicks | undefined): number | undefined {
  if (start === undefined || end === undefined || end.total <= start.total) return undefined;
  return (end.steal - start.steal) / (end.total - start.total);
}

function cpuModel(): string {
  try {
    const cpuinfo = readFileSync('/proc/cpuinfo', 'utf8');
    return /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1]?.trim() ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

/**
 * Describes this machine and the code; call it when the run starts (the packages were just built
 * then). `redisVersion` comes from the bench's own redis-server.
 */
export function describeMachine(redisVersion: string): MachineInfo {
  return {
    cpus: availableParallelism(),
    cpuModel: cpuModel(),
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    redis: redisVersion,
    platform: `${process.platform} ${process.arch}`,
    commit: measuredCommit(),
  };
}
