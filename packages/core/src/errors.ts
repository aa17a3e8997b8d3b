/**
 * Typed errors. Every error sessionkit throws is a {@link SessionError} with a stable
 * `code` and the HTTP `status` an adapter should answer with; match on `code`, never on
 * the message text.
 *
 * @module
 */

/** Stable machine-readable codes of {@link SessionError}. */
export type SessionErrorCode =
  | 'CONFIG'
  | 'STORE_UNAVAILABLE'
  | 'SERIALIZE'
  | 'DATA_TOO_LARGE'
  | 'HEADERS_SENT'
  | 'GONE'
  | 'INVALID_ARGUMENT';

/** Base class of every error thrown by sessionkit. */
export class SessionError extends Error {
  /** Stable code: what went wrong, for programs. */
  readonly code: SessionErrorCode;
  /** The HTTP status a framework adapter answers with (also read by Express and Koa as `status`). */
  readonly status: number;
  /** Alias of {@link SessionError.status} for frameworks that read `statusCode` (Fastify). */
  readonly statusCode: number;
  /** Errors carrying a 5xx status hide their message from HTTP clients in Koa; 4xx are exposed. */
  readonly expose: boolean;

  /**
   * @param code - the stable error code
   * @param status - the HTTP status for this error
   * @param message - a sentence that says what happened and what to do
   * @param options - `cause`, the underlying error when wrapping
   */
  constructor(code: SessionErrorCode, status: number, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
    this.status = status;
    this.statusCode = status;
    this.expose = status < 500;
  }

  /**
   * The answer to this error as a Web `Response`: its status, with its message as plain text when
   * it is a 4xx (`expose`), and the status's name alone for a 5xx, whose message stays on the
   * server. Hono's error handler answers an error that has this method with it (Hono's
   * `HTTPResponseError` shape), so a store failure is a 503 there; a fetch handler can return it.
   */
  getResponse(): Response {
    const text = this.expose ? this.message : (STATUS_TEXT[this.status] ?? 'Server Error');
    return new Response(text, { status: this.status, headers: { 'content-type': 'text/plain; charset=utf-8' } });
  }
}

/** Names of the 5xx statuses sessionkit errors carry. */
const STATUS_TEXT: Readonly<Record<number, string>> = { 500: 'Internal Server Error', 503: 'Service Unavailable' };

/** Invalid options given to `createSessionManager`; thrown at start-up, never per request. */
export class SessionConfigError extends SessionError {
  /** @param message - what is wrong and how to fix it */
  constructor(message: string) {
    super('CONFIG', 500, message);
  }
}

/**
 * The session store failed or did not answer in time. Adapters answer 503, and nothing is
 * written, so the client can simply retry.
 */
export class SessionStoreUnavailableError extends SessionError {
  /**
   * @param message - what failed
   * @param options - `cause`, the store's own error
   */
  constructor(message: string, options?: { cause?: unknown }) {
    super('STORE_UNAVAILABLE', 503, message, options);
  }
}

/** Session data could not be serialized (a cycle, a BigInt). Nothing was written. */
export class SessionSerializationError extends SessionError {
  /**
   * @param message - which key failed
   * @param options - `cause`, the serializer's error
   */
  constructor(message: string, options?: { cause?: unknown }) {
    super('SERIALIZE', 500, message, options);
  }
}

/** The serialized session exceeds `maxDataBytes`. Nothing was written. */
export class SessionDataTooLargeError extends SessionError {
  /** @param message - the size and the limit */
  constructor(message: string) {
    super('DATA_TOO_LARGE', 413, message);
  }
}

/**
 * The response headers were already sent when the session needed to set its cookie: a new or
 * regenerated session would be lost. Commit the session (`await session.commit()`) before
 * streaming or calling `writeHead`.
 */
export class SessionHeadersSentError extends SessionError {
  /** @param message - what could not be sent */
  constructor(message: string) {
    super('HEADERS_SENT', 500, message);
  }
}

/**
 * The session ended (logged out or expired elsewhere) while this request was using it, so an
 * operation that must return a value from the store (`increment`) cannot. The cookie is cleared.
 */
export class SessionGoneError extends SessionError {
  /** @param message - which operation found the session gone */
  constructor(message: string) {
    super('GONE', 409, message);
  }
}

/** A session method was called with an argument it cannot accept (e.g. a non-numeric increment). */
export class SessionArgumentError extends SessionError {
  /** @param message - which argument and why */
  constructor(message: string) {
    super('INVALID_ARGUMENT', 400, message);
  }
}

/**
 * Tells whether `value` is a sessionkit error, optionally with a given code. Also recognises
 * errors from a second copy of the package (duplicate installs), by name and code.
 *
 * @param value - anything caught
 * @param code - when given, the code it must carry
 */
export function isSessionError(value: unknown, code?: SessionErrorCode): value is SessionError {
  if (value instanceof SessionError) return code === undefined || value.code === code;
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as { name?: unknown; code?: unknown; status?: unknown };
  return (
    typeof candidate.name === 'string' &&
    candidate.name.startsWith('Session') &&
    typeof candidate.status === 'number' &&
    typeof candidate.code === 'string' &&
    (code === undefined || candidate.code === code)
  );
}
