/**
 * The tests every example runs: the same app in three frameworks must behave the same. Each
 * example's test file calls {@link describeExample} with how to start its app.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createInterface } from 'node:readline';
import { setTimeout as delay } from 'node:timers/promises';
import { createSessionManager, MemoryStore, type SessionManager } from '@sessionkit/core';
import { TestClient, testSecrets } from '@sessionkit/core/testing';
import { afterEach, describe, expect, it } from 'vitest';

/** The page's one-sentence status, `<p id="status">`, as HTML (a user name in it stays escaped). */
export function status(body: string): string | undefined {
  return /<p id="status">([^<]*)<\/p>/.exec(body)?.[1];
}

/** The HTML inside the element with this id (`<dd id="idle">` and the like). */
function part(body: string, id: string): string | undefined {
  return new RegExp(`<(\\w+) id="${id}">([\\s\\S]*?)</\\1>`).exec(body)?.[2];
}

/** A memory store whose loads answer 100 ms late, so that requests sent together all read the session before any of them writes. */
class SlowLoadingStore extends MemoryStore {
  override async load(...args: Parameters<MemoryStore['load']>): ReturnType<MemoryStore['load']> {
    const loaded = await super.load(...args);
    await delay(100);
    return loaded;
  }
}

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

  async function start(
    options: { idleTimeoutMs?: number; absoluteTimeoutMs?: number; now?: () => number; slowLoads?: boolean } = {},
  ) {
    const { slowLoads, ...managerOptions } = options;
    const now = options.now ?? Date.now;
    const store = slowLoads === true ? new SlowLoadingStore({ now }) : new MemoryStore({ now });
    const manager = createSessionManager({ store, secrets: [...testSecrets], now, ...managerOptions });
    const app = await listen(manager);
    apps.push(app);
    return { url: app.url, store, client: () => new TestClient(app.url) };
  }

  async function login(client: TestClient, username: string, form: Record<string, string> = {}) {
    const response = await client.postForm('/login', { username, ...form });
    expect(response.status).toBe(303);
    expect(response.location).toBe('/');
    return response;
  }

  afterEach(async () => {
    await Promise.all(apps.splice(0).map((app) => app.close()));
  });

  describe(`examples/${framework}`, () => {
    it('answers an anonymous visitor with a page that links to the login form, without a cookie or a stored session', async () => {
      const { client, store } = await start();
      const response = await client().get('/');
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/^text\/html; charset=utf-8/);
      expect(status(response.body)).toBe('You are not logged in');
      expect(response.body).toContain('<a href="/login">Log in</a>');
      expect(response.body).toContain('<meta name="viewport" content="width=device-width, initial-scale=1">');
      expect(part(response.body, 'framework')?.toLowerCase()).toBe(`on ${framework}`);
      expect(response.setCookies).toEqual([]);
      expect(store.size).toBe(0);
    });

    it('shows a login form with a username field and a Remember me box', async () => {
      const { client } = await start();
      const response = await client().get('/login');
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/^text\/html; charset=utf-8/);
      expect(response.body).toMatch(/<form method="post" action="\/login">/);
      expect(response.body).toMatch(/<label>Name <input name="username"/);
      expect(response.body).toMatch(/<label><input type="checkbox" name="remember" value="on"> Remember me<\/label>/);
      expect(response.body).toContain('<button type="submit">Log in</button>');
      expect(response.setCookies).toEqual([]);
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
      expect(status((await browser.get('/')).body)).toBe('Logged in as alice. Visits: 1');
      expect(status((await browser.get('/')).body)).toBe('Logged in as alice. Visits: 2');
    });

    it('HTML-escapes the user name', async () => {
      const { client } = await start();
      const browser = client();
      await login(browser, '<img src=x onerror="alert(1)">');
      const body = (await browser.get('/')).body;
      expect(body).not.toContain('<img');
      expect(status(body)).toBe('Logged in as &#60;img src=x onerror=&#34;alert(1)&#34;&#62;. Visits: 1');
    });

    it('shows the session: the instance, the store, when it idles out and ends, and a browser-session cookie', async () => {
      let clock = Date.UTC(2030, 0, 1, 12, 0, 0);
      const { client, url } = await start({ idleTimeoutMs: 600_000, absoluteTimeoutMs: 3_600_000, now: () => clock });
      const browser = client();
      await login(browser, 'alice');
      clock += 60_000;
      const body = (await browser.get('/')).body;
      expect(part(body, 'instance')).toBe(`port ${new URL(url).port}, process ${process.pid}`);
      expect(part(body, 'store')).toBe('memory');
      // The request slid the idle expiry: now + 10 min. The deadline is login + 1 h.
      expect(part(body, 'idle')).toBe(
        '<time datetime="2030-01-01T12:11:00Z">2030-01-01T12:11:00Z</time> (in 10 min) unless you come back sooner',
      );
      expect(part(body, 'deadline')).toBe(
        '<time datetime="2030-01-01T13:00:00Z">2030-01-01T13:00:00Z</time> (in 59 min) however active you are',
      );
      expect(part(body, 'cookie')).toMatch(/^browser session/);
      for (let i = 0; i < 6; i++) {
        clock += 540_000;
        await browser.get('/');
      }
      // 12:55: the idle expiry stops at the deadline.
      expect(part((await browser.get('/')).body, 'idle')).toMatch(
        /^<time datetime="2030-01-01T13:00:00Z">.*\(in 5 min\)/,
      );
    });

    it('makes the cookie persistent with Remember me, renews it on each visit, and drops it for a login without', async () => {
      const { client } = await start({ idleTimeoutMs: 600_000 });
      const browser = client();
      const response = await login(browser, 'alice', { remember: 'on' });
      expect(response.setCookies).toHaveLength(1);
      expect(response.setCookies[0]).toMatch(/^sid=Fe26\.2\*[^;]*; Max-Age=600;/);
      const page = await browser.get('/');
      expect(page.setCookies).toHaveLength(1);
      expect(page.setCookies[0]).toMatch(/; Max-Age=600;/);
      expect(part(page.body, 'cookie')).toMatch(/^persistent/);
      const again = await login(browser, 'bob');
      expect(again.setCookies[0]).not.toMatch(/Max-Age|Expires/i);
      expect(part((await browser.get('/')).body, 'cookie')).toMatch(/^browser session/);
    });

    it("lists the user's live sessions by a short prefix, this one marked, and logs out everywhere", async () => {
      const { client, store } = await start();
      const [first, second, other] = [client(), client(), client()];
      await login(first, 'alice');
      const [firstId = ''] = await store.listUserSessions('alice');
      await login(second, 'alice');
      await login(other, 'bob');
      const ids = await store.listUserSessions('alice');
      expect(ids).toHaveLength(2);
      const secondId = ids.find((id) => id !== firstId) as string;
      const body = (await first.get('/')).body;
      expect(part(body, 'sessions')?.trim().split('\n')).toEqual([
        `<li class="current"><code>${firstId.slice(0, 8)}</code>… (this session)</li>`,
        `<li><code>${secondId.slice(0, 8)}</code>…</li>`,
      ]);
      expect(body).not.toContain(firstId);
      expect(body).not.toContain(secondId);
      expect(body).toContain(
        '<form class="inline" method="post" action="/logout-everywhere"><button type="submit">Log out everywhere</button></form>',
      );

      const response = await second.request('POST', '/logout-everywhere');
      expect(response.status).toBe(303);
      expect(response.location).toBe('/');
      expect(response.setCookies[0]).toMatch(/^sid=; Max-Age=0;/);
      expect(status((await first.get('/')).body)).toBe('You are not logged in');
      expect(status((await second.get('/')).body)).toBe('You are not logged in');
      expect(status((await other.get('/')).body)).toBe('Logged in as bob. Visits: 1');
      expect(store.size).toBe(1);
    });

    it('gives a new session id at login and kills the old one', async () => {
      const { client } = await start();
      const browser = client();
      await login(browser, 'alice');
      expect(status((await browser.get('/')).body)).toBe('Logged in as alice. Visits: 1');
      const before = browser.cookie('sid');
      await login(browser, 'bob');
      const after = browser.cookie('sid');
      expect(after).toBeDefined();
      expect(after).not.toBe(before);
      // The new session starts empty: bob does not inherit alice's visits.
      expect(status((await browser.get('/')).body)).toBe('Logged in as bob. Visits: 1');
      const replay = client();
      replay.setCookie('sid', before);
      expect(status((await replay.get('/')).body)).toBe('You are not logged in');
    });

    it('logs in once per request when a login is sent 10 times at once on one session (a double click), never a 409', async () => {
      const { client, store } = await start({ slowLoads: true });
      const first = client();
      await login(first, 'alice');
      const old = first.cookie('sid');
      const clients = Array.from({ length: 10 }, () => {
        const browser = client();
        browser.setCookie('sid', old);
        return browser;
      });
      const responses = await Promise.all(clients.map((browser) => browser.postForm('/login', { username: 'alice' })));
      expect(responses.map((response) => response.status)).toEqual(Array(10).fill(303));
      for (const browser of clients)
        expect(status((await browser.get('/')).body)).toBe('Logged in as alice. Visits: 1');
      expect(status((await first.get('/')).body)).toBe('You are not logged in');
      expect(await store.listUserSessions('alice')).toHaveLength(10);
    });

    it.each(['GET', 'POST'])(
      'logs out with %s /logout: clears the cookie, and a replayed cookie finds nothing',
      async (method) => {
        const { client, store } = await start();
        const browser = client();
        await login(browser, 'alice');
        const stolen = browser.cookie('sid');
        const response = await browser.request(method, '/logout');
        expect(response.status).toBe(303);
        expect(response.location).toBe('/');
        expect(response.setCookies[0]).toMatch(/^sid=; Max-Age=0;/);
        expect(browser.cookie('sid')).toBeUndefined();
        expect(status((await browser.get('/')).body)).toBe('You are not logged in');
        const thief = client();
        thief.setCookie('sid', stolen);
        expect(status((await thief.get('/')).body)).toBe('You are not logged in');
        expect(store.size).toBe(0);
      },
    );

    it('treats tampered and garbage cookies as no session, with a 200', async () => {
      const { client } = await start();
      const browser = client();
      await login(browser, 'alice');
      const valid = browser.cookie('sid') as string;
      const flipped = valid.slice(0, -5) + (valid.at(-5) === 'A' ? 'B' : 'A') + valid.slice(-4);
      for (const value of [
        flipped,
        'garbage',
        'Fe26.2**',
        '%E0%A4%A',
        `${valid}x`,
        '__proto__',
        'e30.eyJ1c2VyIjoiYWRtaW4ifQ.sig',
      ]) {
        const attacker = client();
        attacker.setCookie('sid', value);
        const response = await attacker.get('/');
        expect(response.status).toBe(200);
        expect(status(response.body)).toBe('You are not logged in');
      }
    });

    it('counts exactly under 200 concurrent requests', async () => {
      const { client } = await start();
      const browser = client();
      await login(browser, 'alice');
      const bodies = await Promise.all(Array.from({ length: 200 }, () => browser.get('/').then((r) => r.body)));
      const counts = bodies.map((body) => Number(/^Logged in as alice\. Visits: (\d+)$/.exec(status(body) ?? '')?.[1]));
      expect(new Set(counts).size).toBe(200);
      expect(Math.max(...counts)).toBe(200);
      expect(status((await browser.get('/')).body)).toBe('Logged in as alice. Visits: 201');
    });

    it('ends an idle session server-side, even for a replayed cookie', async () => {
      let clock = Date.now();
      const { client } = await start({ idleTimeoutMs: 60_000, now: () => clock });
      const browser = client();
      await login(browser, 'alice');
      clock += 59_000;
      expect(status((await browser.get('/')).body)).toBe('Logged in as alice. Visits: 1');
      clock += 59_000; // activity slid the deadline
      expect(status((await browser.get('/')).body)).toBe('Logged in as alice. Visits: 2');
      clock += 61_000;
      expect(status((await browser.get('/')).body)).toBe('You are not logged in');
    });

    it('ends a session at its absolute deadline however active it is', async () => {
      let clock = Date.now();
      const { client } = await start({ idleTimeoutMs: 60_000, absoluteTimeoutMs: 150_000, now: () => clock });
      const browser = client();
      await login(browser, 'alice');
      for (let i = 1; i <= 3; i++) {
        clock += 45_000;
        expect(status((await browser.get('/')).body)).toBe(`Logged in as alice. Visits: ${i}`);
      }
      clock += 10_000; // 145 s: still inside
      expect(status((await browser.get('/')).body)).toBe('Logged in as alice. Visits: 4');
      clock += 6_000; // 151 s: past the absolute deadline
      expect(status((await browser.get('/')).body)).toBe('You are not logged in');
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
        const body = (await browser.get('/')).body;
        expect(status(body)).toBe('Logged in as carol. Visits: 1');
        expect(body).toContain('<dd id="store">memory</dd>');
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
