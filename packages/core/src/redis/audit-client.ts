/**
 * `auditRedisClient`: checks a client you built yourself against the settings a session store
 * relies on, for a start-up check or a test.
 *
 * @module
 */

/** The parts of an ioredis `Redis` or `Cluster` instance the audit reads. */
export interface AuditableClient {
  /** The client's resolved options (ioredis exposes them as `options`). */
  readonly options?: unknown;
  /** `true` on an ioredis `Cluster`. */
  readonly isCluster?: boolean;
  /** How many listeners an event has (from EventEmitter). */
  listenerCount?(event: string): number;
}

type Options = Record<string, unknown>;

function nodeProblems(options: Options, where: string): string[] {
  const problems: string[] = [];
  const commandTimeout = options['commandTimeout'];
  if (typeof commandTimeout !== 'number' || commandTimeout <= 0) {
    problems.push(
      `${where}commandTimeout is not set: a paused Redis hangs requests until the manager's storeTimeoutMs.`,
    );
  } else if (commandTimeout < 200) {
    problems.push(
      `${where}commandTimeout is ${commandTimeout} ms: below 200 ms the ready check itself times out and the client reconnects in a loop.`,
    );
  }
  const connectTimeout = options['connectTimeout'];
  if (typeof connectTimeout !== 'number' || connectTimeout > 5_000) {
    problems.push(
      `${where}connectTimeout is ${String(connectTimeout)}: each attempt against an unreachable host waits that long.`,
    );
  }
  const maxRetries = options['maxRetriesPerRequest'];
  if (typeof maxRetries !== 'number' || maxRetries > 1) {
    problems.push(
      `${where}maxRetriesPerRequest is ${String(maxRetries)}: commands caught by a disconnect wait through that many reconnects.`,
    );
  }
  if (options['autoResendUnfulfilledCommands'] !== false) {
    problems.push(
      `${where}autoResendUnfulfilledCommands is not false: a write in flight at a disconnect can run twice.`,
    );
  }
  const reconnectOnError = options['reconnectOnError'];
  const readOnly = new Error("READONLY You can't write against a read only replica.");
  const decision: unknown =
    typeof reconnectOnError === 'function' ? (reconnectOnError as (error: Error) => unknown)(readOnly) : undefined;
  if (decision !== true && decision !== 1) {
    problems.push(
      decision === 2
        ? `${where}reconnectOnError returns 2 for READONLY: the failed command is re-sent after reconnecting; return true.`
        : `${where}reconnectOnError does not reconnect on READONLY: after a failover writes keep failing until something else reconnects.`,
    );
  }
  return problems;
}

/**
 * Lists what differs, in a client you built yourself, from the settings a session store relies on
 * (see `REDIS_CLIENT_SETTINGS`). An empty list means the client is fit for RedisStore.
 *
 * @param client - an ioredis `Redis` or `Cluster`
 * @returns one sentence per problem
 * @example
 * ```ts
 * for (const problem of auditRedisClient(client)) console.warn(problem);
 * ```
 */
export function auditRedisClient(client: AuditableClient): string[] {
  const options = (typeof client.options === 'object' && client.options !== null ? client.options : {}) as Options;
  const problems: string[] = [];
  if (options['enableOfflineQueue'] !== false) {
    problems.push(
      'enableOfflineQueue is not false: while disconnected, commands queue without bound and run late, after their request failed.',
    );
  }
  if (client.isCluster === true) {
    const redisOptions = (
      typeof options['redisOptions'] === 'object' && options['redisOptions'] !== null ? options['redisOptions'] : {}
    ) as Options;
    problems.push(...nodeProblems(redisOptions, 'redisOptions.'));
  } else {
    problems.push(...nodeProblems(options, ''));
    const retryStrategy = options['retryStrategy'];
    const delay: unknown =
      typeof retryStrategy === 'function' ? (retryStrategy as (attempt: number) => unknown)(1_000) : undefined;
    if (typeof delay !== 'number')
      problems.push('retryStrategy stops reconnecting: the app would need a restart when Redis returns.');
  }
  if (typeof client.listenerCount === 'function' && client.listenerCount('error') === 0) {
    problems.push('no error listener: ioredis prints "Unhandled error event" on every failed reconnect.');
  }
  return problems;
}
