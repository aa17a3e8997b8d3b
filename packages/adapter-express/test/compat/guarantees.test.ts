/**
 * sessionkit's guarantees hold through the express-session view, over real HTTP on MemoryStore and
 * RedisStore: concurrent writes of different keys all survive (express-session keeps the last
 * writer's whole session), `increment` stays atomic, and a logout racing a slow writing request
 * never brings the session back.
 */
import { setTimeout as delay } from 'node:timers/promises';
import type { SessionStore } from '@sessionkit/core';
import { sessionOf } from '@sessionkit/core/compat';
import { type TestClient, testSecrets } from '@sessionkit/core/testing';
import express, { type Express } from 'express';
import expressSession from 'express-session';
import { describe, expect, it } from 'vitest';
import { session } from '../../src/index.js';
import { answerErrors, listen, storeKinds } from './support.js';

/** Resolves once the slow request has written and is waiting, so the logout lands in its window. */
let slowHasWritten: () => void = () => undefined;

/** The same routes on sessionkit's view, or (for the contrast) on express-session itself. */
function buildApp(store: SessionStore | 'express-session'): Express {
  const app = express();
  if (store === 'express-session') {
    app.use(expressSession({ secret: testSecrets[0].secret, resave: false, saveUninitialized: false }));
  } else {
    app.use(session({ store, secrets: [...testSecrets] }, { compat: 'express-session' }));
  }
  app.post('/login', (req, res, next) => {
    req.session.regenerate((error) => {
      if (error) return next(error);
      req.session.passport = { user: 'u1' };
      req.session.save((saveError) => (saveError ? next(saveError) : res.redirect('/dump')));
    });
  });
  app.get('/dump', (req, res) => void res.json({ ...req.session }));
  app.post('/write/:i', async (req, res) => {
    req.session[`k${Number(req.params.i)}` as const] = `v${req.params.i}`;
    // Every request holds its loaded session while the others write: the window where
    // express-session's save of the whole session loses the other requests' keys.
    await delay(50);
    res.status(204).end();
  });
  app.post('/count', async (req, res) => {
    res.json(await sessionOf(req.session).increment('count'));
  });
  app.post('/slow', async (req, res) => {
    req.session.slow = 'written after logout';
    slowHasWritten();
    await delay(300);
    res.status(204).end();
  });
  app.post('/logout', (req, res, next) => {
    req.session.destroy((error) => (error ? next(error) : res.redirect('/dump')));
  });
  app.post('/logout-null', (req, res) => {
    req.session = null;
    res.redirect('/dump');
  });
  app.use(answerErrors);
  return app;
}

/** 20 concurrent requests, each writing its own key; resolves the keys the session kept. */
async function writeTwenty(client: TestClient): Promise<string[]> {
  const writes = await Promise.all(Array.from({ length: 20 }, (_, i) => client.request('POST', `/write/${i}`)));
  expect(writes.map((response) => response.status)).toEqual(Array(20).fill(204));
  const stored = JSON.parse((await client.get('/dump')).body) as Record<string, unknown>;
  return Object.keys(stored).filter((key) => /^k\d+$/.test(key));
}

describe('the contrast: express-session itself', () => {
  it('loses writes of 20 concurrent requests writing different keys (each saves the whole session)', async () => {
    const { client } = await listen(buildApp('express-session'));
    expect((await client.request('POST', '/login')).status).toBe(302);
    // One key when all 20 overlap, as they do here: the last save wins.
    expect((await writeTwenty(client)).length).toBeLessThan(20);
  });
});

describe.each(storeKinds())('guarantees through the express-session view on $name', (kind) => {
  const start = async () => {
    const { store, count } = kind.create();
    const served = await listen(buildApp(store));
    const login = await served.client.request('POST', '/login');
    expect(login.status).toBe(302);
    return { ...served, count };
  };

  it('keeps all of 20 concurrent requests writing different keys through the view', async () => {
    const { client } = await start();
    expect((await writeTwenty(client)).sort()).toEqual(Array.from({ length: 20 }, (_, i) => `k${i}`).sort());
    const stored = JSON.parse((await client.get('/dump')).body) as Record<string, unknown>;
    for (let i = 0; i < 20; i++) expect(stored[`k${i}`]).toBe(`v${i}`);
    expect(stored['passport']).toEqual({ user: 'u1' });
  });

  it('counts exactly with 50 concurrent sessionOf(req.session).increment calls, and the view reads the count', async () => {
    const { client } = await start();
    const counts = await Promise.all(
      Array.from({ length: 50 }, () => client.request('POST', '/count').then((response) => Number(response.body))),
    );
    expect([...counts].sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    expect(JSON.parse((await client.get('/dump')).body)).toMatchObject({ count: 50 });
  });

  it.each(['/logout', '/logout-null'])(
    'never resurrects a session logged out (%s) while a slow request writes to it',
    async (logout) => {
      const { client, browser, count } = await start();
      const cookie = client.cookie('sid');
      const written = new Promise<void>((resolve) => (slowHasWritten = resolve));
      const slowClient = browser();
      slowClient.setCookie('sid', cookie);
      const slow = slowClient.request('POST', '/slow');
      await written;
      const loggedOut = await client.request('POST', logout);
      expect(loggedOut.status).toBe(302);
      expect(loggedOut.setCookies[0]).toMatch(/^sid=;/);
      const late = await slow;
      expect(late.status).toBe(204);
      // The slow request found its session gone: it clears the cookie instead of writing.
      expect(late.setCookies[0]).toMatch(/^sid=;/);
      const replay = browser();
      replay.setCookie('sid', cookie);
      expect(JSON.parse((await replay.get('/dump')).body)).toEqual({});
      expect(await count()).toBe(0);
    },
  );
});
