/** A store wrapped by {@link recordingStore}, and the calls made through it. */
export interface RecordingStore<S extends object> {
  /** The wrapped store: use it where the inner one would go. */
  readonly store: S;
  /** The name of every method called through `store`, in call order (`load`, `patch`, …). */
  readonly calls: string[];
  /** Forgets the calls recorded so far. */
  reset(): void;
}

/**
 * Wraps any store (a SessionStore, usually a MemoryStore) so that every method call is recorded by
 * name before it reaches `inner`, unchanged: tests assert which store calls a request made, or that
 * it made none. Properties that are not functions pass through unrecorded.
 */
export function recordingStore<S extends object>(inner: S): RecordingStore<S> {
  const calls: string[] = [];
  const store = new Proxy(inner, {
    get(target, verb, receiver) {
      const value = Reflect.get(target, verb, receiver) as unknown;
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        calls.push(String(verb));
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return { store, calls, reset: () => void calls.splice(0) };
}
