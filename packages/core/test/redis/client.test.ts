import { freePort } from '@sessionkit/test-support';
import { Cluster, Redis } from 'ioredis';
import { Cluster as Cluster5, Redis as Redis5 } from 'ioredis5';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { SessionConfigError } from '../../src/index.js';
import { MAX_RECONNECT_DELAY_MS, reconnectOnReadOnly } from '../../src/redis/client-settings.js';
import {
  auditRedisClient,
  createRedisClient,
  REDIS_CLIENT_SETTINGS,
  RedisStore,
  sessionClusterOptions,
  sessionRedisOptions,
} from '../../src/redis/index.js';

const clients: Array<{ disconnect(): void }> = [];
function track<T extends { disconnect(): void }>(client: T): T {
  clients.push(client);
  return client;
}
afterEach(() => {
  for (const client of clients.splice(0)) client.disconnect();
  vi.restoreAllMocks();
});

describe('createRedisClient', () => {
  it('sets every option a session store relies on explicitly, and attaches one error listener', () => {
    const client = track(createRedisClient('redis://127.0.0.1:1', { lazyConnect: true }));
    expect(client.options).toMatchObject({
      commandTimeout: 1_000,
      connectTimeout: 1_000,
      maxRetriesPerRequest: 0,
      enableOfflineQueue: false,
      autoResendUnfulfilledCommands: false,
      enableReadyCheck: true,
      protocol: 3,
      replyMapping: 'legacy',
    });
    expect(client.listenerCount('error')).toBe(1);
    expect(auditRedisClient(client)).toEqual([]);
  });

  it('lets every option be overridden', () => {
    const client = track(
      createRedisClient('redis://127.0.0.1:1', { lazyConnect: true, commandTimeout: 300, protocol: 2 }),
    );
    expect(client.options.commandTimeout).toBe(300);
    expect(client.options.protocol).toBe(2);
  });

  it('reconnects on READONLY with true (never 2, which would re-send), and on nothing else', () => {
    expect(reconnectOnReadOnly(new Error("READONLY You can't write against a read only replica."))).toBe(true);
    expect(reconnectOnReadOnly(new Error('OOM command not allowed'))).toBe(false);
    expect(reconnectOnReadOnly(new Error('ERR hash value is not an integer'))).toBe(false);
  });

  it('backs off exponentially with jitter, capped, and never gives up', () => {
    const retry = sessionRedisOptions.retryStrategy;
    expect(retry(1)).toBeLessThan(150);
    for (let attempt = 1; attempt <= 10_000; attempt *= 3) {
      const delay = retry(attempt);
      expect(typeof delay).toBe('number');
      expect(delay).toBeLessThan(MAX_RECONNECT_DELAY_MS + 100);
    }
  });

  it('warns once per outage by default, so there is never an "Unhandled error event"', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const error = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const client = track(createRedisClient(`redis://127.0.0.1:${await freePort()}`));
    let seen = 0;
    await new Promise<void>((resolve) => {
      client.on('error', () => {
        if (++seen === 3) resolve();
      });
    });
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0]?.[0])).toMatch(/\[sessionkit\] Redis connection error: .*ECONNREFUSED/);
    expect(error).not.toHaveBeenCalled();
  });

  it('documents each setting it applies', () => {
    const documented = REDIS_CLIENT_SETTINGS.map((setting) => setting.option).join(' ');
    for (const option of [
      'commandTimeout',
      'connectTimeout',
      'maxRetriesPerRequest',
      'enableOfflineQueue',
      'autoResendUnfulfilledCommands',
      'reconnectOnError',
      'retryStrategy',
      'protocol',
    ]) {
      expect(documented).toContain(option);
    }
  });
});

describe('auditRedisClient', () => {
  it('lists what an ioredis 6 or 5 client with default options lacks', () => {
    for (const client of [track(new Redis({ lazyConnect: true })), track(new Redis5({ lazyConnect: true }))]) {
      const problems = auditRedisClient(client).join('\n');
      for (const topic of [
        'enableOfflineQueue',
        'commandTimeout',
        'connectTimeout',
        'maxRetriesPerRequest',
        'autoResendUnfulfilledCommands',
        'reconnectOnError',
        'error listener',
      ]) {
        expect(problems).toContain(topic);
      }
    }
  });

  it('flags reconnectOnError returning 2', () => {
    const client = track(new Redis({ lazyConnect: true, ...sessionRedisOptions, reconnectOnError: () => 2 }));
    client.on('error', () => undefined);
    expect(auditRedisClient(client)).toEqual([expect.stringContaining('returns 2')]);
  });

  it('accepts a Cluster built with sessionClusterOptions', () => {
    const cluster = track(
      new Cluster([{ host: '127.0.0.1', port: 1 }], { ...sessionClusterOptions, lazyConnect: true }),
    );
    cluster.on('error', () => undefined);
    expect(auditRedisClient(cluster)).toEqual([]);
    const bare = track(new Cluster([{ host: '127.0.0.1', port: 1 }], { lazyConnect: true }));
    expect(auditRedisClient(bare).join('\n')).toContain('redisOptions.commandTimeout');
  });
});

describe('RedisStore construction', () => {
  it('takes ioredis 5 and 6 Redis and Cluster clients (checked by the type checker too)', () => {
    const candidates = [
      track(new Redis({ lazyConnect: true })),
      track(new Redis5({ lazyConnect: true })),
      track(new Cluster([{ host: '127.0.0.1', port: 1 }], { lazyConnect: true })),
      track(new Cluster5([{ host: '127.0.0.1', port: 1 }], { lazyConnect: true })),
    ];
    for (const client of candidates) expect(new RedisStore({ client }).prefix).toBe('session:');
  });

  it('refuses something that is not a Redis client, with a config error', () => {
    expect(() => new RedisStore({ client: {} as never })).toThrow(SessionConfigError);
    expect(() => new RedisStore({ client: undefined as never })).toThrow(/needs an ioredis client/);
  });
});
