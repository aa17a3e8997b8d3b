/**
 * Running RedisStore's Lua scripts: by SHA1 first (a few bytes per call), by source when the
 * server answers `NOSCRIPT`, and with every client failure turned into one typed error.
 *
 * @module
 */
import { createHash } from 'node:crypto';
import { SessionStoreUnavailableError } from '../errors.js';
import type { RedisClientLike } from './client-types.js';
import { whenConnected } from './connection-wait.js';

/** A Lua script with its SHA1, ready for `EVALSHA`. */
export interface LuaScript {
  /** What the script does, for error messages (`load`, `patch`, ...). */
  readonly name: string;
  /** The Lua source. */
  readonly source: string;
  /** SHA1 of the source, as Redis computes it for `EVALSHA`. */
  readonly sha1: string;
}

/**
 * Builds a {@link LuaScript} from its source.
 *
 * @param name - what the script does, for error messages
 * @param source - the Lua source
 */
export function luaScript(name: string, source: string): LuaScript {
  return { name, source, sha1: createHash('sha1').update(source).digest('hex') };
}

/**
 * Whether a client failure is a Redis error reply with this error code (`NOSCRIPT`, `WRONGTYPE`,
 * ...): the code is the reply's first word, the one part of it Redis keeps stable.
 *
 * @param error - what the client rejected with
 * @param code - the error code
 */
export function isRedisError(error: unknown, code: string): boolean {
  return error instanceof Error && error.message.startsWith(`${code} `);
}

/**
 * Wraps a client failure (refused, timed out, closed, `READONLY`, `OOM`, `CLUSTERDOWN`, ...) into
 * the one error the session manager and the adapters understand (503).
 *
 * @param verb - the store operation that failed
 * @param error - the client's error
 */
export function storeUnavailable(verb: string, error: unknown): SessionStoreUnavailableError {
  const reason = error instanceof Error ? error.message : String(error);
  return new SessionStoreUnavailableError(`sessionkit: Redis failed during ${verb}: ${reason}`, { cause: error });
}

/**
 * Runs `script` on one key. `EVALSHA` first; on `NOSCRIPT` (script cache empty after a restart or a
 * failover) the source is sent once with `EVAL`, which also caches it. Re-sending is safe because
 * `NOSCRIPT` means nothing ran. Any failure rejects with a `SessionStoreUnavailableError`.
 *
 * @param client - the ioredis client
 * @param script - the script to run
 * @param key - the only key the script touches (Cluster routes the call by it)
 * @param args - the script's ARGV
 */
export async function runScript(
  client: RedisClientLike,
  script: LuaScript,
  key: string,
  args: readonly string[],
): Promise<unknown> {
  await whenConnected(client);
  try {
    return await client.evalsha(script.sha1, 1, key, ...args);
  } catch (error) {
    if (!isRedisError(error, 'NOSCRIPT')) throw storeUnavailable(script.name, error);
  }
  try {
    return await client.eval(script.source, 1, key, ...args);
  } catch (error) {
    throw storeUnavailable(script.name, error);
  }
}
