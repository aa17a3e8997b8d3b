/**
 * Records unhandled rejections and uncaught exceptions while fault tests run, so a test can assert
 * that a Redis failure never escapes as one.
 */
export interface EscapeRecorder {
  /** What escaped so far. */
  readonly escaped: unknown[];
  /** Stops listening. */
  stop(): void;
}

/** Starts listening on `process` for unhandled rejections and uncaught exceptions. */
export function recordEscapes(): EscapeRecorder {
  const escaped: unknown[] = [];
  const onRejection = (reason: unknown): void => void escaped.push(reason);
  const onException = (error: unknown): void => void escaped.push(error);
  process.on('unhandledRejection', onRejection);
  process.on('uncaughtException', onException);
  return {
    escaped,
    stop: () => {
      process.off('unhandledRejection', onRejection);
      process.off('uncaughtException', onException);
    },
  };
}
