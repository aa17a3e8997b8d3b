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
    const git = (...args: string[]): string => execFileSync('git', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
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
