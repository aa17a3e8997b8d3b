import type { SessionStore } from '../src/index.js';

/** A store whose every call fails (or hangs), for failure-path tests. */
export function brokenStore(mode: 'reject' | 'hang'): SessionStore {
  const fail = (): Promise<never> =>
    mode === 'reject' ? Promise.reject(new Error('ECONNREFUSED 127.0.0.1:6390')) : new Promise<never>(() => {});
  return { create: fail, load: fail, patch: fail, increment: fail, regenerate: fail, touch: fail, destroy: fail };
}
