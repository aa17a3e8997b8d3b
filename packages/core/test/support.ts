import { MemoryStore, type SessionStore } from '../src/index.js';

/** A MemoryStore that records every call, so tests can assert which store calls a request made. */
export function recordingStore(inner: SessionStore = new MemoryStore()): { store: SessionStore; calls: string[]; reset(): void } {
  const calls: string[] = [];
  const store = new Proxy(inner, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver) as unknown;
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        calls.push(String(property));
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return { store, calls, reset: () => void calls.splice(0) };
}

/** A store whose every call fails (or hangs), for failure-path tests. */
export function brokenStore(mode: 'reject' | 'hang'): SessionStore {
  const fail = (): Promise<never> => (mode === 'reject' ? Promise.reject(new Error('ECONNREFUSED 127.0.0.1:6390')) : new Promise<never>(() => {}));
  return { create: fail, load: fail, patch: fail, increment: fail, regenerate: fail, touch: fail, destroy: fail };
}
