/**
 * Counts Redis round trips per request exactly, with MONITOR, over a few sequential requests made
 * before the load run: a command a client sent is one round trip, a command a Lua script ran is
 * not (MONITOR tags those `lua`). INFO commandstats, used around the load run, counts both.
 *
 * MONITOR is read from a raw socket: a client library's monitor mode is one more thing that can
 * go wrong, and the format is one line per command.
 *
 * @module
 */
import { connect } from 'node:net';

/** What MONITOR saw over a batch of requests. */
export interface RoundTripCount {
  /** Commands sent by clients (round trips), per request. */
  readonly roundTrips: number;
  /** Every command executed, script-internal ones included, per request. */
  readonly commands: number;
}

/** `+1700000000.123456 [0 127.0.0.1:5555] "get" "key"` → its source (`127.0.0.1:5555` or `lua`). */
const LINE = /^\+\d+\.\d+ \[\d+ ([^\]]+)\] "/;

async function openMonitor(port: number): Promise<{ lines: string[]; close(): void }> {
  const socket = connect({ host: '127.0.0.1', port });
  const lines: string[] = [];
  let buffer = '';
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.on('data', (chunk) => {
      buffer += chunk.toString('utf8');
      let end = buffer.indexOf('\r\n');
      while (end !== -1) {
        const line = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        if (line === '+OK') resolve();
        else lines.push(line);
        end = buffer.indexOf('\r\n');
      }
    });
    socket.write('MONITOR\r\n');
  });
  return { lines, close: () => socket.destroy() };
}

/** Runs `requests` (which resolves how many requests it made) under MONITOR on `port` and counts. */
export async function countRoundTrips(port: number, requests: () => Promise<number>): Promise<RoundTripCount> {
  const monitor = await openMonitor(port);
  try {
    const made = await requests();
    // MONITOR output trails the replies a little: let it drain before counting.
    await new Promise((resolve) => setTimeout(resolve, 100));
    let clientCommands = 0;
    let allCommands = 0;
    for (const line of monitor.lines) {
      const source = LINE.exec(line)?.[1];
      if (source === undefined) continue;
      allCommands += 1;
      if (source !== 'lua') clientCommands += 1;
    }
    return { roundTrips: clientCommands / made, commands: allCommands / made };
  } finally {
    monitor.close();
  }
}
