/**
 * `migrateFrom` and the importers' options (#16), without Redis: what is refused at start-up, and
 * that requests without an old cookie never reach an importer. The imports themselves run against
 * real express-session, koa-session and @fastify/session apps in the adapters' migrate-*.test.ts.
 */
import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createSessionManager, isSessionError, MemoryStore } from '../src/index.js';
import {
  expressSessionImporter,
  fastifySessionImporter,
  type Importer,
  koaSessionImporter,
  type OldStoreClient,
} from '../src/migrate/index.js';
import { forwardRecord, readForward } from '../src/migrate/old-store.js';
import { createTestJar } from '../src/testing/test-jar.js';

const SECRET = 'sessionkit secret, at least 32 characters long';
const noClient: OldStoreClient = {
  runScript: () => Promise.reject(new Error('the old store must not be called')),
};

function configError(build: () => unknown): string {
  try {
    build();
  } catch (error) {
    expect(isSessionError(error, 'CONFIG')).toBe(true);
    return (error as Error).message;
  }
  throw new Error('no error thrown');
}

describe('migrateFrom options', () => {
  it('refuses importers without secrets, with a bad client, or with unknown algorithms', () => {
    expect(configError(() => expressSessionImporter({ secrets: [], client: noClient }))).toMatch(/at least one secret/);
    expect(configError(() => expressSessionImporter({ secrets: [''], client: noClient }))).toMatch(/secret/);
    expect(configError(() => expressSessionImporter({ secrets: ['s'], client: {} as never }))).toMatch(
      /ioredis|node-redis|runScript/,
    );
    expect(configError(() => koaSessionImporter({ keys: ['k'], client: noClient, algorithm: 'md17' }))).toMatch(/md17/);
    expect(configError(() => fastifySessionImporter({ secrets: ['s'], client: noClient, forwardTtlMs: 10 }))).toMatch(
      /forwardTtlMs/,
    );
    expect(configError(() => expressSessionImporter({ secrets: ['s'], client: noClient, cookieName: 'a b' }))).toMatch(
      /cookie/,
    );
  });

  it("refuses an old cookie with the sessionkit cookie's own name, and entries that are not importers", () => {
    const importer = expressSessionImporter({ secrets: ['s'], client: noClient, cookieName: 'sid' });
    expect(configError(() => createSessionManager({ secrets: [SECRET], migrateFrom: [importer] }))).toMatch(
      /both named "sid"/,
    );
    expect(configError(() => createSessionManager({ secrets: [SECRET], migrateFrom: [{} as Importer] }))).toMatch(
      /importer/,
    );
  });

  it('accepts ioredis-shaped and node-redis-shaped clients', () => {
    const calls: unknown[][] = [];
    const ioredisLike = {
      eval: (...args: unknown[]) => {
        calls.push(args);
        return Promise.resolve(['none']);
      },
    };
    const nodeRedisLike = { ...ioredisLike, evalSha: () => Promise.resolve(null) };
    void expressSessionImporter({ secrets: ['s'], client: ioredisLike }).client.runScript('return 1', ['k'], ['a']);
    void expressSessionImporter({ secrets: ['s'], client: nodeRedisLike }).client.runScript('return 1', ['k'], ['a']);
    expect(calls).toEqual([
      ['return 1', 1, 'k', 'a'],
      ['return 1', { keys: ['k'], arguments: ['a'] }],
    ]);
  });
});

describe('the manager with importers', () => {
  it('never calls an importer for requests without its cookie, nor for forged ones', async () => {
    let calls = 0;
    const counting: OldStoreClient = {
      runScript: () => {
        calls++;
        return Promise.resolve(['none']);
      },
    };
    const manager = createSessionManager({
      secrets: [SECRET],
      store: new MemoryStore(),
      migrateFrom: [
        expressSessionImporter({ secrets: ['old'], client: counting }),
        koaSessionImporter({ keys: ['old'], client: counting }),
        fastifySessionImporter({ secrets: ['old'], client: counting }),
      ],
    });
    const headers = [
      undefined,
      '',
      'theme=dark',
      'connect.sidx=s%3Aabc.def; xkoa.sess=abc',
      'connect.sid=s%3Aabc.forged; koa.sess=abc; koa.sess.sig=forged; sessionId=abc.forged',
      'koa.sess=abc',
    ];
    for (const header of headers) {
      // Nothing to load: the cookieless path, a session created only when the app asks for it.
      expect(manager.needsLoad(createTestJar(header).jar), String(header)).toBe(false);
      const loaded = await manager.load(createTestJar(header).jar);
      expect(loaded.isNew).toBe(true);
    }
    expect(calls).toBe(0);
    // A validly signed cookie does reach the old store.
    const signed = `abc.${createHmac('sha256', 'old').update('abc').digest('base64').replace(/=+$/, '')}`;
    const jar = createTestJar(`connect.sid=${encodeURIComponent(`s:${signed}`)}`);
    await manager.load(jar.jar);
    expect(calls).toBe(1);
    // Nothing behind it: the old cookie, the old library's own, is expired.
    expect(jar.setCookies.some((line) => line.startsWith('connect.sid=; '))).toBe(true);
  });
});

describe('the forwarding record', () => {
  it('is recognised only by its exact spelling', () => {
    const id = 'A'.repeat(43);
    expect(readForward(forwardRecord(id, true))).toEqual({ id, persistent: true });
    expect(readForward(forwardRecord(id, false))).toEqual({ id, persistent: false });
    expect(readForward(forwardRecord(id, true).replace('"}', '","x":1}'))).toBeUndefined();
    expect(readForward(forwardRecord('short', true))).toBeUndefined();
    expect(readForward(`{"cookie":{},"sessionkit:forward":"${id}"}`)).toBeUndefined();
    // Every old library reads it as a session that has expired.
    const parsed = JSON.parse(forwardRecord(id, false)) as { cookie: { expires: string }; _expire: number };
    expect(Date.parse(parsed.cookie.expires)).toBe(0);
    expect(parsed._expire).toBe(1);
  });
});
