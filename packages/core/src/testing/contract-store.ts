/**
 * The store behind the adapter suite: the reference MemoryStore, wrapped so a test can see which
 * store calls a request made, make every call fail, or make writes slow.
 *
 * @module
 */
import { setTimeout as delay } from 'node:timers/promises';
import { MemoryStore } from '../memory-store.js';
import type { SessionStore } from '../store.js';

type Verb = keyof SessionStore;

const VERBS: readonly Verb[] = [
  'create',
  'load',
  'patch',
  'increment',
  'regenerate',
  'touch',
  'destroy',
  'listUserSessions',
  'destroyUserSessions',
];
const WRITES: ReadonlySet<Verb> = new Set(['create', 'patch']);

/** A MemoryStore with probes. */
export interface ProbeStore {
  /** Pass this one to the manager. */
  readonly store: SessionStore;
  /** The store underneath, for reading state without counting a call. */
  readonly inner: MemoryStore;
  /** Every call made through `store`, by verb, in order. */
  readonly calls: Verb[];
  /** While true, every call rejects as a down database would. */
  failing: boolean;
  /** Delay before each create and patch, so a response sent before its write finished gets caught. */
  writeDelayMs: number;
}

/**
 * Wraps a MemoryStore with call recording, failure and delay switches.
 *
 * @param now - the clock the store uses for expiry
 */
export function createProbeStore(now: () => number): ProbeStore {
  const inner = new MemoryStore({ now });
  const store: Record<string, unknown> = {};
  for (const verb of VERBS) {
    store[verb] = async (...args: unknown[]): Promise<unknown> => {
      probe.calls.push(verb);
      if (probe.failing) throw new Error(`contract store: connection refused (${verb})`);
      if (probe.writeDelayMs > 0 && WRITES.has(verb)) await delay(probe.writeDelayMs);
      return (inner[verb] as (...a: unknown[]) => Promise<unknown>).apply(inner, args);
    };
  }
  // Declared after the wrappers, which only read it when called.
  const probe: ProbeStore = {
    store: store as unknown as SessionStore,
    inner,
    calls: [],
    failing: false,
    writeDelayMs: 0,
  };
  return probe;
}
