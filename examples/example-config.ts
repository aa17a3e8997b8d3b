/**
 * What the three demos share and nothing framework-specific: reading the environment (PORT,
 * SESSION_SECRET, SESSION_TTL, SESSION_ABSOLUTE_TTL, REDIS_URL), choosing the store, and creating
 * the session manager. Each demo's main.ts adds only how its framework listens.
 *
 * @module
 */
import { randomBytes } from 'node:crypto';
import { createSessionManager, MemoryStore, type SessionManager, type SessionStore } from '@sessionkit/core';
import { createRedisClient, RedisStore } from '@sessionkit/core/redis';

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
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error(`PORT must be a port number; got ${env['PORT']}`);
  const seconds = (name: string, fallback: number): number => {
    const value = Number(env[name] || fallback);
    if (!Number.isInteger(value) || value <= 0)
      throw new Error(`${name} is a number of whole seconds (e.g. ${fallback}); got ${env[name]}`);
    return value;
  };
  const idleSeconds = seconds('SESSION_TTL', 1800);
  const given = env['SESSION_SECRET'] || undefined;
  return {
    port,
    secrets:
      given === undefined ? [randomBytes(32).toString('base64url')] : given.split(',').map((secret) => secret.trim()),
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

const storeNames = new WeakMap<SessionStore, string>();

/** What the demo pages call a store: "memory", or the Redis URL (password hidden) the demo was started with. */
export function storeName(store: SessionStore): string {
  return storeNames.get(store) ?? (store instanceof MemoryStore ? 'memory' : store.constructor.name);
}

/** The settings and the session manager a demo starts with. */
export interface Demo {
  readonly config: DemoConfig;
  readonly manager: SessionManager<object>;
}

/** Reads the environment, says once what it chose, and creates the session manager. */
export function setUpDemo(env: NodeJS.ProcessEnv = process.env): Demo {
  const config = readConfig(env);
  if (config.secretWasGenerated) {
    console.log('SESSION_SECRET is not set: using a random secret, so sessions end when this process stops.');
  }
  let store: SessionStore;
  if (config.redisUrl !== undefined) {
    // createRedisClient sets every option a session store relies on: bounded command timeout, no
    // offline queue, no re-sent increments. While Redis is down, requests get a 503, never a hang.
    store = new RedisStore({ client: createRedisClient(config.redisUrl) });
    storeNames.set(store, redactPassword(config.redisUrl));
    console.log(`REDIS_URL is set: sessions are stored in Redis at ${redactPassword(config.redisUrl)}.`);
  } else {
    store = new MemoryStore();
    console.log("REDIS_URL is not set: sessions live in this process's memory.");
  }
  const manager = createSessionManager({
    store,
    secrets: config.secrets,
    idleTimeoutMs: config.idleTimeoutMs,
    absoluteTimeoutMs: config.absoluteTimeoutMs,
  });
  return { config, manager };
}

/** Runs `start`; a misconfiguration is printed as the sentence it is, not a stack trace, and exits 1. */
export function runDemo(start: () => Promise<void> | void): void {
  const fail = (error: unknown): never => {
    console.error(error instanceof Error ? error.message : String(error));
    process.exit(1);
  };
  try {
    Promise.resolve(start()).catch(fail);
  } catch (error) {
    fail(error);
  }
}
