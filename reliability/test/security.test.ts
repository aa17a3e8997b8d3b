import { isSessionError, type SessionOptions } from '@sessionkit/core';
import { session as expressSession } from '@sessionkit/express';
import { session as fastifySession } from '@sessionkit/fastify';
import { session as honoSession } from '@sessionkit/hono';
import { session as koaSession } from '@sessionkit/koa';
import { adminCommand, type RedisProcess, startRedis } from '@sessionkit/test-support';
import express from 'express';
import Fastify from 'fastify';
import { Hono } from 'hono';
import Koa from 'koa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AppProcess, startApp } from '../src/app-process.js';
import { type Framework, FRAMEWORKS, SUITE_SECRET } from '../src/frameworks.js';
import { status } from '../src/pages.js';

const SECRET = 'x'.repeat(40);

/** Mounts sessionkit with `options` the way each framework does, failing where that framework fails. */
const mount: Record<Framework, (options: SessionOptions) => Promise<void>> = {
  express: async (options) => void express().use(expressSession(options)),
  koa: async (options) => void new Koa().use(koaSession(options)),
  fastify: async (options) => {
    const app = Fastify();
    try {
      await app.register(fastifySession, options);
      await app.ready();
    } finally {
      await app.close();
    }
  },
  hono: async (options) => void new Hono().use(honoSession(options)),
};

const BAD_CONFIGURATIONS: Array<[string, Partial<SessionOptions> & Record<string, unknown>, RegExp]> = [
  ['a short secret', { secrets: ['only-sixteen-chr'] }, /at least 32/],
  ['a cookie name with ;', { cookie: { name: 'sid;Domain=evil' } }, /not a valid cookie name/],
  ['a cookie name with =', { cookie: { name: 'sid=x' } }, /not a valid cookie name/],
  ['a path with ;', { cookie: { path: '/;x' } }, /cookie.path/],
  ['a domain with =', { cookie: { domain: 'a=b.com' } }, /cookie.domain/],
  ['__Host- with a domain', { cookie: { name: '__Host-sid', domain: 'example.com' } }, /must not have a Domain/],
  ['SameSite=None without Secure', { cookie: { sameSite: 'none' } }, /requires cookie.secure: true/],
  [
    'an idle timeout longer than the absolute one',
    { idleTimeoutMs: 7_200_000, absoluteTimeoutMs: 3_600_000 },
    /longer than absoluteTimeoutMs/,
  ],
];

describe.each(FRAMEWORKS)('configuration refused at start-up by @sessionkit/%s', (framework) => {
  it.each(BAD_CONFIGURATIONS)('refuses %s with a sentence that says what to fix', async (_name, options, message) => {
    const error = await mount[framework]({ secrets: [SECRET], ...options } as SessionOptions).then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(isSessionError(error, 'CONFIG')).toBe(true);
    expect((error as Error).message).toMatch(message);
  });

  it('accepts a sound configuration', async () => {
    await expect(mount[framework]({ secrets: [SECRET], cookie: { name: '__Host-sid' } })).resolves.toBeUndefined();
  });
});

describe.each(FRAMEWORKS)('secrets and stored data on examples/%s', (framework) => {
  let redis: RedisProcess;
  const apps: AppProcess[] = [];
  const start = async (secrets: string): Promise<AppProcess> => {
    const app = await startApp(framework, { REDIS_URL: redis.url, SESSION_SECRET: secrets });
    apps.push(app);
    return app;
  };
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    for (const app of apps) await app.stop();
    await redis?.dispose();
  });

  it('rotates secrets: an old cookie works after a new secret is put first, is re-sealed, and is refused once the old secret goes', async () => {
    const newSecret = 'the-next-secret-for-rotation-0123456789';
    const before = await start(SUITE_SECRET);
    const browser = before.client();
    await browser.postForm('/login', { username: 'rotating' });
    const oldCookie = browser.cookie('sid') as string;
    await before.stop();

    const during = await start(`${newSecret},${SUITE_SECRET}`);
    const client = during.client();
    client.setCookie('sid', oldCookie);
    const response = await client.get('/');
    expect(status(response.body)).toBe('Logged in as rotating. Visits: 1');
    const resealed = client.cookie('sid') as string;
    expect(response.setCookies).toHaveLength(1);
    expect(resealed).not.toBe(oldCookie);
    await during.stop();

    const after = await start(newSecret);
    const fresh = after.client();
    fresh.setCookie('sid', resealed);
    expect(status((await fresh.get('/')).body)).toBe('Logged in as rotating. Visits: 2');
    const stale = after.client();
    stale.setCookie('sid', oldCookie);
    expect(status((await stale.get('/')).body)).toBe('You are not logged in');
    await after.stop();
  });

  it('keeps __proto__, constructor and prototype keys written straight into Redis inert', async () => {
    const app = await start(SUITE_SECRET);
    const browser = app.client();
    await browser.postForm('/login', { username: 'poisoned' });
    const { id } = JSON.parse((await browser.get('/test/session')).body);
    await adminCommand(
      redis.port,
      'HSET',
      `session:${id}`,
      'd:__proto__',
      '{"polluted":"top"}',
      'd:constructor',
      '{"prototype":{"polluted":"ctor"}}',
      'd:nested',
      '{"a":{"__proto__":{"polluted":"deep"}},"constructor":{"prototype":{"polluted":"deep-ctor"}},"prototype":{"polluted":"p"}}',
      '__proto__',
      '{"polluted":"raw-field"}',
    );
    const session = JSON.parse((await browser.get('/test/session')).body);
    expect(session.prototypePolluted).toBe(false);
    expect(session.data.username).toBe('poisoned');
    expect(session.data.nested).toEqual({ a: {} });
    expect(Object.keys(session.data)).not.toContain('__proto__');
    expect(status((await browser.get('/')).body)).toBe('Logged in as poisoned. Visits: 1');
    const other = app.client();
    expect(JSON.parse((await other.get('/test/session')).body).prototypePolluted).toBe(false);
  });
});
