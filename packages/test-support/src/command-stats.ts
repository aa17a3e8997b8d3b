import { adminCommand } from './redis-process.js';

/** Calls and execution time of one Redis command, from `INFO commandstats`. */
export interface CommandStat {
  readonly calls: number;
  /** Time Redis spent executing it, µs (for EVALSHA, the whole script). */
  readonly usec: number;
}

/**
 * Parses the text of `INFO commandstats` into calls and time per command (lower case, subcommands
 * as `client|setinfo`). Commands run inside Lua scripts are counted too.
 */
export function parseCommandStats(info: string): Map<string, CommandStat> {
  const stats = new Map<string, CommandStat>();
  for (const line of info.split('\n')) {
    const match = /^cmdstat_([^:]+):calls=(\d+),usec=(\d+)/.exec(line.trim());
    if (match?.[1] !== undefined) stats.set(match[1], { calls: Number(match[2]), usec: Number(match[3]) });
  }
  return stats;
}

/** `INFO commandstats` of the server on 127.0.0.1:`port`, parsed (one short-lived connection). */
export async function commandStats(port: number): Promise<Map<string, CommandStat>> {
  return parseCommandStats(String(await adminCommand(port, 'INFO', 'commandstats')));
}
