/**
 * With the offline queue off (so an outage answers 503 at once instead of queueing), a command sent
 * while the client is still making a connection would fail too: the first requests after an app
 * starts, or after Redis returns, would get 503s for nothing. So a command waits for the connection
 * in progress, never longer than the connect timeout; while the client is between attempts
 * (`reconnecting`, Redis down) it does not wait at all.
 *
 * @module
 */
import { DEFAULT_CONNECT_TIMEOUT_MS } from './client-settings.js';

interface ConnectionEvents {
  readonly status?: unknown;
  once?(event: string, listener: () => void): unknown;
  removeListener?(event: string, listener: () => void): unknown;
  connect?(): Promise<unknown>;
}

const CONNECTING = new Set(['wait', 'connecting', 'connect']);
const SETTLING_EVENTS = ['ready', 'close', 'end', 'error'] as const;
const waits = new WeakMap<object, Promise<void>>();

/**
 * Resolves once a connection in progress is ready or has failed, or after `timeoutMs`; at once
 * when no connection is in progress (ready, or reconnecting after a failure) or the client does not
 * report its state. Never rejects: the command that follows succeeds or fails on its own.
 *
 * @param client - an ioredis `Redis` or `Cluster` (anything else resolves at once)
 * @param timeoutMs - the longest wait
 */
export function whenConnected(client: object, timeoutMs = DEFAULT_CONNECT_TIMEOUT_MS): Promise<void> | undefined {
  const events = client as ConnectionEvents;
  if (typeof events.status !== 'string' || !CONNECTING.has(events.status) || typeof events.once !== 'function')
    return undefined;
  const pending = waits.get(client);
  if (pending !== undefined) return pending;
  // lazyConnect: nothing connects until asked to, and the first command alone would be refused.
  if (events.status === 'wait') events.connect?.().catch(() => undefined);
  const wait = new Promise<void>((resolve) => {
    const settle = (): void => {
      clearTimeout(timer);
      for (const event of SETTLING_EVENTS) events.removeListener?.(event, settle);
      waits.delete(client);
      resolve();
    };
    const timer = setTimeout(settle, timeoutMs);
    for (const event of SETTLING_EVENTS) events.once?.(event, settle);
  });
  waits.set(client, wait);
  return wait;
}
