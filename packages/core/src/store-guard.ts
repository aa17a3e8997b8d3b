/**
 * Every store call goes through here: a call that fails or does not answer within
 * `storeTimeoutMs` becomes one {@link SessionStoreUnavailableError}, so a request never hangs on
 * a store and never sees a raw client error.
 *
 * @module
 */
import { isSessionError, SessionStoreUnavailableError } from './errors.js';

/** @internal Runs one store call with a deadline and typed failures. */
export async function callStore<T>(verb: string, timeoutMs: number, call: () => Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      reject(
        new SessionStoreUnavailableError(
          `sessionkit: the session store did not answer ${verb} within ${timeoutMs} ms; try again shortly.`,
        ),
      );
    }, timeoutMs);
  });
  try {
    return await Promise.race([call(), deadline]);
  } catch (error) {
    if (isSessionError(error)) throw error;
    throw new SessionStoreUnavailableError(
      `sessionkit: the session store failed during ${verb}: ${error instanceof Error ? error.message : String(error)}`,
      { cause: error },
    );
  } finally {
    clearTimeout(timer);
  }
}
