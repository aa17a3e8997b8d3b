/**
 * The tests every example runs: the same app in three frameworks must behave the same. Each
 * example's test file calls {@link describeExample} with how to start its app.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createInterface } from 'node:readline';
import { createSessionManager, MemoryStore, type SessionManager } from '@sessionkit/core';
import { TestClient, testSecrets } from '@sessionkit/core/testing';
import { afterEach, describe, expect, it } from 'vitest';

/** A running example app. */
export interface ListeningApp {
  readonly url: string;
  close(): Promise<void>;
}

/** How an example starts its app on a free port for a given manager. */
export type ListenExample = (manager: SessionManager<object>) => Promise<ListeningApp>;

/** Starts an app that listens like Node's `http.Server` (Express, Koa) on 127.0.0.1 and a free port. */
export async function listenHttp(app: { listen(port: number, host: string): Server }): Promise<ListeningApp> {
  const server = app.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/**
 * Registers the example tests.
 *
 * @param framework - the example's folder name under examples/
 * @param listen - starts the example's app on 127.0.0.1 and a free port
 * @param exampleDir - the example's directory, for the `npm start` tests
 */
export function describeExample(framework: string, listen: ListenExample, exampleDir: string): void {
  const apps: ListeningApp[] = [];

  async function start(options: { idleTimeoutMs?: number; absoluteTimeoutMs?: number; now?: () => number } = {}) {
    const now = options.now ?? Date.now;
    const store = new MemoryStore({ now });
    const manager = createSessionManager({ store, secrets: [...testSecrets], now, ...options });
    const app = await listen(manager);
    apps.push(app);
    return { url: app.url, store, client: () => new TestClient(app.url) };
  }

  async function login(client: TestClient, username: string) {
    const response = await client.postForm('/login', { username });
    expect(response.status).toBe(303);
    expect(response.location).toBe('/');
    return response;
  }

  afterEach(async () => {
    await Promise.all(apps.splice(0).map((app) => app.close()));
  });

  describe(`examples/${framework}`, () => {
    it('answers an anonymous visitor without a cookie or a stored session', async () => {
      const { client, store } = await start();
      const response = await client().get('/');
      expect(response.status).toBe(200);
      expect(response.body).toBe('You are not logged in');
      expect(response.setCookies).toEqual([]);
      expect(store.size).toBe(0);
    });

    it('shows a login form with a username field', async () => {
      const { client } = await start();
      const response = await client().get('/login');
      expect(response.status).toBe(200);
      expect(response.body).toMatch(/<form method="post" action="\/login">/);
      expect(response.body).toMatch(/<input name="username"/);
    });

    it('logs in, counts visits, and sets a secure-by-default cookie before the redirect', async () => {
      const { client } = await start();
      const browser = client();
      const response = await login(browser, 'alice');
      expect(response.setCookies).toHaveLength(1);
      expect(response.setCookies[0]).toMatch(/^sid=Fe26\.2\*/);
      expect(response.setCookies[0]).toMatch(/; HttpOnly/);
      expect(response.setCookies[0]).toMatch(/; SameSite=Lax/);
      expect(response.setCookies[0]).toMatch(/; Path=\//);
      expect(response.setCookies[0]).not.toMatch(/Max-Age|Expires/i);
      expect((await browser.get('/')).body).toBe('Logged in as alice. Visits: 1');
      expect((await browser.get('/')).body).toBe('Logged in as alice. Visits: 2');
    });

    it('HTML-escapes the user name', async () => {
      const { client } = await start();
      const browser = client();
      await login(browser, '<img src=x onerror="alert(1)">');
      const body = (await browser.get('/')).body;
      expect(body).not.toContain('<img');
      expect(body).toBe('Logged in as &#60;img src=x onerror=&#34;alert(1)&#34;&#62;. Visits: 1');
    });

    it('gives a new session id at login and kills the old one', async () => {
      const { client } = await start();
      const browser = client();
      await login(browser, 'alice');
      const before = browser.cookie('sid');
      await login(browser, 'bob');
      const after = browser.cookie('sid');
      expect(after).toBeDefined();
      expect(after).not.toBe(before);
      expect((await browser.get('/')).body).toBe('Logged in as bob. Visits: 1');
      const replay = client();
      replay.setCookie('sid', before);
      expect((await replay.get('/')).body).toBe('You are not logged in');
    });

    it('logs out: clears the cookie, and a replayed cookie finds nothing', async () => {
      const { client, store } = await start();
      const browser = client();
      await login(browser, 'alice');
      const stolen = browser.cookie('sid');
      const response = await browser.get('/logout');
      expect(response.status).toBe(303);
      expect(response.setCookies[0]).toMatch(/^sid=; Max-Age=0;/);
      expect(browser.cookie('sid')).toBeUndefined();
      expect((await browser.get('/')).body).toBe('You are not logged in');
      const thief = client();
      thief.setCookie('sid', stolen);
      expect((await thief.get('/')).body).toBe('You are not logged in');
      expect(store.size).toBe(0);
    });

    it('treats tampered and garbage cookies as no session, with a 200', async () => {
      const { client } = await start();
      const browser = client();
      await login(browser, 'alice');
      const valid = browser.cookie('sid') as string;
      const flipped = valid.slice(0, -5) + (valid.at(-5) === 'A' ? 'B' : 'A') + valid.slice(-4);
      for (const value of [flipped, 'garbage', 'Fe26.2**', '%E0%A4%A', valid + 'x', '__proto__', 'e30.eyJ1c2VyIjoiYWRtaW4ifQ.sig']) {
        const attacker = client();
        attacker.setCookie('sid', value);
        const response = await attacker.get('/');
        expect(response.status).toBe(200);
        expect(response.body).toBe('You are not logged in');
      }
    });

    it('counts exactly under 200 concurrent requests', async () => {
      const { client } = await start();
      const browser = client();
      await login(browser, 'alice');
      const bodies = await Promise.all(Array.from({ length: 200 }, () => browser.get('/').then((r) => r.body)));
      const counts = bodies.map((body) => Number(/Visits: (\d+)$/.exec(body)?.[1]));
      expect(new Set(counts).size).toBe(200);
      expect(Math.max(...counts)).toBe(200);
      expect((await browser.get('/')).body).toBe('Logged in as alice. Visits: 201');
    });

    it('ends an idle session server-side, even for a replayed cookie', async () => {
      let clock = Date.now();
      const { client } = await start({ idleTimeoutMs: 60_000, now: () => clock });
      const browser = client();
      await login(browser, 'alice');
      clock += 59_000;
      expect((await browser.get('/')).body).toBe('Logged in as alice. Visits: 1');
      clock += 59_000; // activity slid the deadline
      expect((await browser.get('/')).body).toBe('Logged in as alice. Visits: 2');
      clock += 61_000;
      expect((await browser.get('/')).body).toBe('You are not logged in');
    });

    it('ends a session at its absolute deadline however active it is', async () => {
      let clock = Date.now();
      const { client } = await start({ idleTimeoutMs: 60_000, absoluteTimeoutMs: 150_000, now: () => clock });
      const browser = client();
      await login(browser, 'alice');
      for (let i = 1; i <= 3; i++) {
        clock += 45_000;
        expect((await browser.get('/')).body).toBe(`Logged in as alice. Visits: ${i}`);
      }
      clock += 10_000; // 145 s: still inside
      expect((await browser.get('/')).body).toBe('Logged in as alice. Visits: 4');
      clock += 6_000; // 151 s: past the absolute deadline
      expect((await browser.get('/')).body).toBe('You are not logged in');
    });

    it('refuses an empty user name', async () => {
      const { client } = await start();
      const response = await client().postForm('/login', { username: '  ' });
      expect(response.status).toBe(400);
      expect(response.setCookies).toEqual([]);
    });
  });

  describe('npm start', () => {
    it('starts on PORT with a random secret and says so once', async () => {
      const cwd = exampleDir;
      const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
        cwd,
        env: { ...process.env, PORT: '0', SESSION_SECRET: '', REDIS_URL: '', NODE_ENV: 'test' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      try {
        const lines: string[] = [];
        let url: string | undefined;
        for await (const line of createInterface({ input: child.stdout })) {
          lines.push(line);
          url = /Listening on (http:\/\/\S+)/.exec(line)?.[1];
          if (url !== undefined) break;
        }
        expect(lines.filter((line) => line.includes('SESSION_SECRET is not set'))).toHaveLength(1);
        const browser = new TestClient(url as string);
        await browser.postForm('/login', { username: 'carol' });
        expect((await browser.get('/')).body).toBe('Logged in as carol. Visits: 1');
      } finally {
        child.kill();
      }
    });

    it('refuses a short SESSION_SECRET at start with a sentence that says what to do', async () => {
      const cwd = exampleDir;
      const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
        cwd,
        env: { ...process.env, PORT: '0', SESSION_SECRET: 'too-short', NODE_ENV: 'test' },
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      const [code] = (await once(child, 'exit')) as [number];
      expect(code).toBe(1);
      expect(stderr).toContain('each secret needs at least 32');
      expect(stderr).not.toMatch(/\n\s+at /);
    });
  });
}
