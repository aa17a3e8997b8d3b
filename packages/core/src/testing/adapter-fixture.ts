/**
 * What each adapter conformance test gets: a fresh app on the adapter under test, its probed
 * store and clock, the errors that reached the framework's error path, and helpers that read
 * responses the way a browser would.
 *
 * @module
 */
import { expect } from 'vitest';
import type { ProbeStore } from './contract-store.js';
import type { TestClient, TestResponse } from './test-client.js';

/** The session cookie name the suite configures (not the default, so an adapter cannot hard-code it). */
export const COOKIE_NAME = 'sk_contract';
/** The idle timeout the suite configures. */
export const IDLE_TIMEOUT_MS = 60_000;

/** @internal Errors reported through `ServeInput.onError`, with a way to wait for one. */
export interface ErrorLog {
  readonly seen: unknown[];
  report(error: unknown): void;
  /** Resolves with the first matching error, reported already or later; rejects after `timeoutMs`. */
  waitFor(match: (error: unknown) => boolean, what: string, timeoutMs?: number): Promise<unknown>;
}

/** @internal One test's app and probes. */
export interface AdapterFixture {
  readonly url: string;
  readonly probe: ProbeStore;
  readonly errors: ErrorLog;
  /** Moves the clock shared by the manager and the store. */
  advanceClock(ms: number): void;
  /** A new browser-like client on the app, holding its own cookies. */
  client(): TestClient;
}

/** @internal */
export function createErrorLog(): ErrorLog {
  const seen: unknown[] = [];
  const waiters = new Set<{ match: (error: unknown) => boolean; resolve: (error: unknown) => void }>();
  return {
    seen,
    report(error) {
      seen.push(error);
      for (const waiter of waiters) if (waiter.match(error)) waiter.resolve(error);
    },
    waitFor(match, what, timeoutMs = 2_000) {
      const found = seen.find(match);
      if (found !== undefined) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const waiter = {
          match,
          resolve: (error: unknown) => {
            clearTimeout(timer);
            waiters.delete(waiter);
            resolve(error);
          },
        };
        const timer = setTimeout(() => {
          waiters.delete(waiter);
          reject(new Error(`${what} never reached the framework's error path (onError) within ${timeoutMs} ms`));
        }, timeoutMs);
        waiters.add(waiter);
      });
    },
  };
}

/** @internal The parsed JSON body of a response. */
export function json(response: TestResponse): unknown {
  expect(
    response.headers.get('content-type') ?? '',
    `JSON expected, got status ${response.status}: ${response.body}`,
  ).toMatch(/json/);
  return JSON.parse(response.body) as unknown;
}

/** @internal The session cookie's Set-Cookie line; fails unless there is exactly one. */
export function sessionCookie(response: TestResponse): string {
  const lines = response.setCookies.filter((line) => line.startsWith(`${COOKIE_NAME}=`));
  expect(lines, `one Set-Cookie for ${COOKIE_NAME} expected`).toHaveLength(1);
  return lines[0] as string;
}

/** @internal The value of a Set-Cookie line. */
export function cookieValue(line: string): string {
  const pair = line.split(';', 1)[0] ?? '';
  return pair.slice(pair.indexOf('=') + 1);
}

/** @internal The attributes of a Set-Cookie line, lower-cased, e.g. `['path=/', 'httponly']`. */
export function cookieAttributes(line: string): string[] {
  return line
    .split(';')
    .slice(1)
    .map((part) => part.trim().toLowerCase());
}

/** @internal Max-Age of a Set-Cookie line in seconds, or undefined. */
export function maxAgeSeconds(line: string): number | undefined {
  const attribute = cookieAttributes(line).find((part) => part.startsWith('max-age='));
  return attribute === undefined ? undefined : Number(attribute.slice('max-age='.length));
}

/** @internal A response that depends on the session must not be cached for someone else. */
export function expectSessionHeaders(response: TestResponse, cacheControl = 'no-store'): void {
  const vary = (response.headers.get('vary') ?? '').split(',').map((token) => token.trim().toLowerCase());
  expect(vary, 'Vary must name Cookie').toContain('cookie');
  expect(response.headers.get('cache-control')).toBe(cacheControl);
}
