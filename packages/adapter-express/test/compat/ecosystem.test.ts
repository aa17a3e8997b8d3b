/**
 * Middleware written for express-session, unchanged, on sessionkit with the express-session view
 * (`session(options, { compat: 'express-session' })`): passport 0.7 with passport-local,
 * connect-flash and csrf-sync with its defaults, over real HTTP, on MemoryStore and RedisStore.
 */
import type { SessionStore } from '@sessionkit/core';
import { type TestClient, testSecrets } from '@sessionkit/core/testing';
import flash from 'connect-flash';
import { csrfSync } from 'csrf-sync';
import express, { type Express } from 'express';
import express4 from 'express4';
import passport from 'passport';
import { Strategy as LocalStrategy } from 'passport-local';
import { describe, expect, it } from 'vitest';
import { session } from '../../src/index.js';
import { answerErrors, listen, storeKinds, within } from './support.js';

const USERS = [{ id: 'u1', name: 'Alice', username: 'alice', password: 'wonderland' }];

/** Options of the app under test. */
interface AppOptions {
  /** Passport's `keepSessionInfo`: carry the pre-login session data over the regenerate. */
  readonly keepSessionInfo?: boolean;
  /** Express 4 instead of 5. */
  readonly express4?: boolean;
}

/** A small app the way the passport, connect-flash and csrf-sync READMEs set one up. */
function buildApp(store: SessionStore, options: AppOptions = {}): Express {
  const auth = new passport.Passport();
  auth.use(
    new LocalStrategy((username, password, done) => {
      const user = USERS.find((candidate) => candidate.username === username);
      if (user === undefined || user.password !== password) {
        return done(null, false, { message: 'Wrong name or password' });
      }
      return done(null, { id: user.id, name: user.name });
    }),
  );
  auth.serializeUser((user, done) => done(null, user.id));
  auth.deserializeUser((id: string, done) => {
    const user = USERS.find((candidate) => candidate.id === id);
    done(null, user === undefined ? false : { id: user.id, name: user.name });
  });
  const { csrfSynchronisedProtection } = csrfSync();

  const app = (options.express4 === true ? express4() : express()) as Express;
  app.use(express.urlencoded({ extended: false }));
  app.use(session({ store, secrets: [...testSecrets] }, { compat: 'express-session' }));
  app.use(flash());
  app.use(auth.session());

  app.post(
    '/login',
    auth.authenticate('local', {
      successRedirect: '/me',
      failureRedirect: '/login',
      failureFlash: true,
      keepSessionInfo: options.keepSessionInfo ?? false,
    }),
  );
  app.get('/login', (req, res) => void res.json({ errors: req.flash('error') }));
  app.get('/me', (req, res) => {
    const user = req.isAuthenticated() ? req.user.name : null;
    res.json({ user, cart: req.session.cart ?? [], sessionID: req.sessionID });
  });
  app.post('/cart', (req, res) => {
    req.session.cart = [...(req.session.cart ?? []), String(req.body.item)];
    res.status(204).end();
  });
  app.post('/logout', (req, res, next) => {
    const keepSessionInfo = options.keepSessionInfo ?? false;
    req.logout({ keepSessionInfo }, (error) => (error ? next(error) : res.redirect('/me')));
  });

  app.post('/flash', (req, res) => {
    req.flash('info', 'Saved %s', String(req.body.name));
    res.redirect('/flash');
  });
  app.get('/flash', (req, res) => void res.json(req.flash('info')));

  app.use('/csrf', csrfSynchronisedProtection);
  app.get('/csrf/form', (req, res) => void res.send(req.csrfToken?.() ?? 'no token'));
  app.post('/csrf/transfer', (_req, res) => void res.send('transferred'));

  app.use(answerErrors);
  return app;
}

const LOGIN = { username: 'alice', password: 'wonderland' };

async function me(client: TestClient): Promise<{ user: string | null; cart: string[]; sessionID: string }> {
  const response = await within(3_000, 'GET /me', client.get('/me'));
  expect(response.status).toBe(200);
  return JSON.parse(response.body) as { user: string | null; cart: string[]; sessionID: string };
}

async function logIn(client: TestClient): Promise<void> {
  const response = await within(3_000, 'passport login (regenerate callback)', client.postForm('/login', LOGIN));
  expect(response.status).toBe(302);
  expect(response.location).toBe('/me');
}

const kinds = storeKinds();
const [memoryKind] = kinds;

describe.each(kinds)('express-session view on $name', (kind) => {
  const start = async (options: AppOptions = {}) => {
    const { store, count } = kind.create();
    const { client, browser } = await listen(buildApp(store, options));
    /** Another browser presenting `cookie`: a replay of an old or stolen cookie. */
    const replay = (cookie: string | undefined): TestClient => {
      const other = browser();
      other.setCookie('sid', cookie);
      return other;
    };
    return { client, count, replay, browser };
  };

  describe('passport 0.7 + passport-local', () => {
    it('logs in with a form POST: a new session id, req.user on the next request, the pre-login cookie dead', async () => {
      const { client, replay } = await start();
      expect((await client.postForm('/cart', { item: 'book' })).status).toBe(204);
      const anonymous = client.cookie('sid');
      expect(anonymous).toBeDefined();
      await logIn(client);
      expect(client.cookie('sid')).not.toBe(anonymous);
      expect(await me(client)).toMatchObject({ user: 'Alice', cart: [] });
      expect(await me(replay(anonymous))).toMatchObject({ user: null, cart: [] });
    });

    it('logs out with req.logout(cb): anonymous afterwards, the logged-in cookie replayed finds nobody, nothing stored', async () => {
      const { client, count, replay } = await start();
      await logIn(client);
      const loggedIn = client.cookie('sid');
      expect(await count()).toBe(1);
      const logout = await within(3_000, 'passport logout (save, regenerate)', client.request('POST', '/logout'));
      expect(logout.status).toBe(302);
      expect(await me(client)).toMatchObject({ user: null });
      expect(await me(replay(loggedIn))).toMatchObject({ user: null });
      expect(await count()).toBe(0);
    });

    it('with keepSessionInfo: true keeps what the visitor had before login, under the new id', async () => {
      const { client, replay } = await start({ keepSessionInfo: true });
      await client.postForm('/cart', { item: 'book' });
      await client.postForm('/cart', { item: 'pen' });
      const anonymous = client.cookie('sid');
      await logIn(client);
      expect(client.cookie('sid')).not.toBe(anonymous);
      expect(await me(client)).toMatchObject({ user: 'Alice', cart: ['book', 'pen'] });
      expect(await me(replay(anonymous))).toMatchObject({ user: null, cart: [] });
    });

    it('keeps the cart through logout too with keepSessionInfo: true, and drops only the user', async () => {
      const { client } = await start({ keepSessionInfo: true });
      await client.postForm('/cart', { item: 'book' });
      await logIn(client);
      await within(3_000, 'logout', client.request('POST', '/logout'));
      expect(await me(client)).toMatchObject({ user: null, cart: ['book'] });
    });

    it('flashes the failure of a wrong password across the redirect (failureFlash)', async () => {
      const { client } = await start();
      const wrong = { username: 'alice', password: 'nope' };
      const failed = await within(3_000, 'failed login', client.postForm('/login', wrong));
      expect(failed.status).toBe(302);
      expect(failed.location).toBe('/login');
      expect(JSON.parse((await client.get('/login')).body)).toEqual({ errors: ['Wrong name or password'] });
      expect(JSON.parse((await client.get('/login')).body)).toEqual({ errors: [] });
    });

    it('exposes req.sessionID as the id the store knows, changed by the login', async () => {
      const { client } = await start();
      await client.postForm('/cart', { item: 'book' });
      const before = (await me(client)).sessionID;
      expect(before).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect((await me(client)).sessionID).toBe(before);
      await logIn(client);
      const after = (await me(client)).sessionID;
      expect(after).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(after).not.toBe(before);
    });
  });

  describe('connect-flash', () => {
    it('carries a message across a redirect, once', async () => {
      const { client } = await start();
      const posted = await client.postForm('/flash', { name: 'draft' });
      expect(posted.status).toBe(302);
      expect(JSON.parse((await client.get('/flash')).body)).toEqual(['Saved draft']);
      expect(JSON.parse((await client.get('/flash')).body)).toEqual([]);
    });
  });

  describe('csrf-sync with its defaults', () => {
    it("accepts its own token and refuses a forged, a missing and another session's token with 403", async () => {
      const { client, browser } = await start();
      const token = (await client.get('/csrf/form')).body;
      expect(token).toMatch(/^[0-9a-f]{256}$/);
      // The token is stored: the next page of the same session gets the same one.
      expect((await client.get('/csrf/form')).body).toBe(token);
      const accepted = await client.request('POST', '/csrf/transfer', '', { 'x-csrf-token': token });
      expect(accepted.status).toBe(200);
      expect(accepted.body).toBe('transferred');
      const forged = await client.request('POST', '/csrf/transfer', '', { 'x-csrf-token': 'f'.repeat(256) });
      expect(forged.status).toBe(403);
      expect((await client.request('POST', '/csrf/transfer')).status).toBe(403);
      const other = browser();
      const otherToken = (await other.get('/csrf/form')).body;
      expect(otherToken).not.toBe(token);
      expect((await client.request('POST', '/csrf/transfer', '', { 'x-csrf-token': otherToken })).status).toBe(403);
    });
  });
});

describe('express-session view on Express 4', () => {
  it('logs in and out with passport the same way', async () => {
    const { store, count } = memoryKind.create();
    const { client } = await listen(buildApp(store, { express4: true, keepSessionInfo: true }));
    await client.postForm('/cart', { item: 'book' });
    await logIn(client);
    expect(await me(client)).toMatchObject({ user: 'Alice', cart: ['book'] });
    await within(3_000, 'logout', client.request('POST', '/logout'));
    expect(await me(client)).toMatchObject({ user: null, cart: ['book'] });
    expect(await count()).toBe(1);
  });
});
