import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { createSessionManager, MemoryStore } from '@sessionkit/core';
import { TestClient, testSecrets } from '@sessionkit/core/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { type ListeningApp, listenHttp } from '../../example-suite.js';
import { createApp } from '../src/app.js';

const apps: ListeningApp[] = [];
afterEach(async () => {
  await Promise.all(apps.splice(0).map((app) => app.close()));
});

async function start() {
  const store = new MemoryStore();
  const app = await listenHttp(createApp(createSessionManager({ store, secrets: [...testSecrets] })));
  apps.push(app);
  return { store, browser: () => new TestClient(app.url) };
}

/** The CSRF token of the form on `path` (fetching the page gives the browser its session). */
async function formToken(browser: TestClient, path: string): Promise<string> {
  const token = /name="_csrf" value="([0-9a-f]+)"/.exec((await browser.get(path)).body)?.[1];
  expect(token).toBeDefined();
  return token as string;
}

async function logIn(browser: TestClient, username: string, password: string) {
  const _csrf = await formToken(browser, '/login');
  return browser.postForm('/login', { _csrf, username, password });
}

describe('examples/express-passport', () => {
  it('answers an anonymous visitor without a cookie or a stored session', async () => {
    const { browser, store } = await start();
    const response = await browser().get('/');
    expect(response.status).toBe(200);
    expect(response.body).toContain('You are not logged in');
    expect(response.setCookies).toEqual([]);
    expect(store.size).toBe(0);
  });

  it('logs in with passport-local under a new session id, counts visits, and logs out', async () => {
    const { browser, store } = await start();
    const alice = browser();
    const _csrf = await formToken(alice, '/login');
    const anonymous = alice.cookie('sid');
    const login = await alice.postForm('/login', { _csrf, username: 'alice', password: 'wonderland' });
    expect(login.status).toBe(302);
    expect(login.location).toBe('/');
    expect(alice.cookie('sid')).not.toBe(anonymous);
    expect((await alice.get('/')).body).toContain('Logged in as Alice. Visits: 1');
    const home = await alice.get('/');
    expect(home.body).toContain('Logged in as Alice. Visits: 2');
    const loggedIn = alice.cookie('sid');
    const logoutToken = /name="_csrf" value="([0-9a-f]+)"/.exec(home.body)?.[1] as string;
    const logout = await alice.postForm('/logout', { _csrf: logoutToken });
    expect(logout.status).toBe(303);
    expect((await alice.get('/')).body).toContain('You are not logged in');
    const replay = browser();
    replay.setCookie('sid', loggedIn);
    expect((await replay.get('/')).body).toContain('You are not logged in');
    // Login and logout each replaced the session: nothing is left in the store.
    expect(store.size).toBe(0);
  });

  it('flashes a wrong password on the login page once', async () => {
    const { browser } = await start();
    const bob = browser();
    const failed = await logIn(bob, 'bob', 'wrong');
    expect(failed.status).toBe(302);
    expect(failed.location).toBe('/login');
    expect((await bob.get('/login')).body).toContain('<p role="alert">Wrong name or password</p>');
    expect((await bob.get('/login')).body).not.toContain('role="alert"');
    expect((await logIn(bob, 'bob', 'builder')).location).toBe('/');
    expect((await bob.get('/')).body).toContain('Logged in as Bob. Visits: 1');
  });

  it("refuses a login or a logout without the form's CSRF token with a 403", async () => {
    const { browser } = await start();
    const mallory = browser();
    await formToken(mallory, '/login');
    const credentials = { username: 'alice', password: 'wonderland' };
    const forged = await mallory.postForm('/login', { _csrf: 'f'.repeat(256), ...credentials });
    expect(forged.status).toBe(403);
    expect((await mallory.get('/')).body).toContain('You are not logged in');
    const alice = browser();
    await logIn(alice, 'alice', 'wonderland');
    expect((await alice.postForm('/logout', {})).status).toBe(403);
    expect((await alice.get('/')).body).toContain('Logged in as Alice.');
  });

  it('starts with npm start on PORT and logs in', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      cwd: fileURLToPath(new URL('..', import.meta.url)),
      env: { ...process.env, PORT: '0', SESSION_SECRET: '', REDIS_URL: '', NODE_ENV: 'test' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      let url: string | undefined;
      for await (const line of createInterface({ input: child.stdout })) {
        url = /Listening on (http:\/\/\S+)/.exec(line)?.[1];
        if (url !== undefined) break;
      }
      const carol = new TestClient(url as string);
      expect((await logIn(carol, 'alice', 'wonderland')).location).toBe('/');
      expect((await carol.get('/')).body).toContain('Logged in as Alice. Visits: 1');
    } finally {
      child.kill();
    }
  });
});
