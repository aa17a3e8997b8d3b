/**
 * One load run with autocannon's programmatic API: fixed connections, fixed duration, loopback only.
 *
 * @module
 */
import autocannon from 'autocannon';

/** What one run measured. */
export interface LoadResult {
  /** Responses completed. */
  readonly requests: number;
  /** Completed responses per second over the run. */
  readonly rps: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** Responses with a status outside 2xx. */
  readonly non2xx: number;
  /** Connection errors and timeouts. */
  readonly errors: number;
  readonly durationS: number;
}

/** A run's shape. */
export interface LoadOptions {
  /** Full URL on 127.0.0.1. */
  readonly url: string;
  readonly connections: number;
  readonly durationS: number;
  /** Request headers, e.g. the session cookie. */
  readonly headers?: Readonly<Record<string, string>>;
}

/** Drives `url` for `durationS` seconds and summarizes; autocannon stops by itself. */
export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  if (!new URL(options.url).hostname.startsWith('127.'))
    throw new Error(`bench: refusing to load a non-loopback URL ${options.url}`);
  const result = await autocannon({
    url: options.url,
    connections: options.connections,
    duration: options.durationS,
    headers: { ...options.headers },
    // A stuck request counts as an error after 10 s instead of holding the run open.
    timeout: 10,
  });
  const durationS = (result.finish.getTime() - result.start.getTime()) / 1000;
  const requests = result.requests.total;
  return {
    requests,
    rps: requests / durationS,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
    durationS,
  };
}
