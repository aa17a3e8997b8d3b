/**
 * Reads the demo's environment: PORT, SESSION_SECRET, SESSION_TTL, REDIS_URL.
 *
 * @module
 */
import { randomBytes } from 'node:crypto';

/** The demo's settings. */
export interface DemoConfig {
  readonly port: number;
  readonly secret: string;
  readonly secretWasGenerated: boolean;
  readonly idleTimeoutMs: number;
  readonly redisUrl: string | undefined;
}

/** Reads and checks the environment; throws a sentence that says what to fix. */
export function readConfig(env: NodeJS.ProcessEnv = process.env): DemoConfig {
  const port = Number(env['PORT'] ?? 3000);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`PORT must be a port number; got ${env['PORT']}`);
  const ttlSeconds = Number(env['SESSION_TTL'] ?? 1800);
  if (!Number.isInteger(ttlSeconds) || ttlSeconds <= 0) {
    throw new Error(`SESSION_TTL is the idle timeout in whole seconds (e.g. 1800); got ${env['SESSION_TTL']}`);
  }
  const given = env['SESSION_SECRET'] || undefined;
  return {
    port,
    secret: given ?? randomBytes(32).toString('base64url'),
    secretWasGenerated: given === undefined,
    idleTimeoutMs: ttlSeconds * 1000,
    redisUrl: env['REDIS_URL'] || undefined,
  };
}
