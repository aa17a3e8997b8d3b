/**
 * Reads the demo's environment: PORT, SESSION_SECRET, SESSION_TTL, SESSION_ABSOLUTE_TTL, REDIS_URL.
 *
 * @module
 */
import { randomBytes } from 'node:crypto';

/** The demo's settings. */
export interface DemoConfig {
  readonly port: number;
  /** SESSION_SECRET, split on commas: the first seals, all unseal (rotation). */
  readonly secrets: string[];
  readonly secretWasGenerated: boolean;
  readonly idleTimeoutMs: number;
  readonly absoluteTimeoutMs: number;
  readonly redisUrl: string | undefined;
}

/** Reads and checks the environment; throws a sentence that says what to fix. */
export function readConfig(env: NodeJS.ProcessEnv = process.env): DemoConfig {
  const port = Number(env['PORT'] ?? 3000);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`PORT must be a port number; got ${env['PORT']}`);
  const seconds = (name: string, fallback: number): number => {
    const value = Number(env[name] || fallback);
    if (!Number.isInteger(value) || value <= 0) throw new Error(`${name} is a number of whole seconds (e.g. ${fallback}); got ${env[name]}`);
    return value;
  };
  const idleSeconds = seconds('SESSION_TTL', 1800);
  const given = env['SESSION_SECRET'] || undefined;
  return {
    port,
    secrets: given === undefined ? [randomBytes(32).toString('base64url')] : given.split(',').map((secret) => secret.trim()),
    secretWasGenerated: given === undefined,
    idleTimeoutMs: idleSeconds * 1000,
    absoluteTimeoutMs: Math.max(idleSeconds, seconds('SESSION_ABSOLUTE_TTL', 86_400)) * 1000,
    redisUrl: env['REDIS_URL'] || undefined,
  };
}

/** The URL with its password hidden, for logs. */
export function redactPassword(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== '') parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(an unparsable URL)';
  }
}
