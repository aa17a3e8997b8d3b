/**
 * Adapter conformance, the session lifecycle over HTTP: when the cookie is set and with which
 * attributes, rolling refresh, read-your-write after a redirect, regenerate, destroy, exact
 * concurrent counters and cookies the app sets itself.
 *
 * @module
 */
import { expect, it } from 'vitest';
import {
  type AdapterFixture,
  COOKIE_NAME,
  cookieAttributes,
  cookieValue,
  expectSessionHeaders,
  IDLE_TIMEOUT_MS,
  json,
  maxAgeSeconds,
  sessionCookie,
} from './adapter-fixture.js';

const NO_SESSION = { isNew: true, data: {} };

/** @internal Registers the lifecycle tests; `get` gives the running test's fixture. */
export function registerLifecycleTests(get: () => AdapterFixture): void {
  it('makes no store call and sets no cookie for an untouched anonymous request', async () => {
    const { client, probe } = get();
    const response = await client().get('/read');
    expect(response.status).toBe(200);
    expect(json(response)).toEqual(NO_SESSION);
    expect(response.setCookies).toEqual([]);
    expect(probe.calls).toEqual([]);
  });

  it('sets the cookie of a new session with the configured attributes, then reads it back', async () => {
    const { client, probe } = get();
    const browser = client();
    const response = await browser.request('POST', '/write?value=first');
    expect(response.status).toBe(200);
    expect(response.setCookies).toHaveLength(1);
    const line = sessionCookie(response);
    expect(cookieValue(line).length).toBeGreaterThan(20);
    const attributes = cookieAttributes(line);
    expect(attributes).toEqual(expect.arrayContaining(['path=/', 'httponly', 'samesite=lax']));
    // Plain http with secure 'auto': a Secure cookie would never come back. No Max-Age: a browser-session cookie.
    expect(attributes.filter((part) => /^(secure|max-age|expires|domain)\b/.test(part))).toEqual([]);
    expect(probe.calls).toEqual(['create']);
    expectSessionHeaders(response);

    const again = await browser.get('/read');
    expect(json(again)).toEqual({ isNew: false, data: { note: 'first' } });
    expect(again.setCookies).toEqual([]);
    expectSessionHeaders(again);
  });

  it('re-sends a persistent cookie with a fresh Max-Age, and activity slides the store expiry', async () => {
    const { client, advanceClock } = get();
    const browser = client();
    const first = sessionCookie(await browser.request('POST', '/remember'));
    expect(maxAgeSeconds(first)).toBe(IDLE_TIMEOUT_MS / 1000);

    advanceClock(IDLE_TIMEOUT_MS * 0.75);
    const read = await browser.get('/read');
    const refreshed = sessionCookie(read);
    expect(cookieValue(refreshed)).toBe(cookieValue(first));
    expect(maxAgeSeconds(refreshed)).toBe(IDLE_TIMEOUT_MS / 1000);
    expectSessionHeaders(read);

    advanceClock(IDLE_TIMEOUT_MS * 0.75); // past the first deadline, inside the slid one
    expect(json(await browser.get('/read'))).toEqual({ isNew: false, data: { note: 'remembered' } });
    advanceClock(IDLE_TIMEOUT_MS + 1_000);
    expect(json(await browser.get('/read'))).toEqual(NO_SESSION);
  });

  it('saves the session before a redirect reaches the client', async () => {
    const { client, probe } = get();
    // Slow writes: a redirect sent before its write finished would be followed before the data exists.
    probe.writeDelayMs = 50;
    const browser = client();
    const created = await browser.request('POST', '/write-redirect?value=one');
    expect(created.status).toBe(303);
    expect(created.location).toBe('/read');
    sessionCookie(created);
    expect(json(await browser.get('/read'))).toEqual({ isNew: false, data: { note: 'one' } });

    const changed = await browser.request('POST', '/write-redirect?value=two');
    expect(changed.status).toBe(303);
    expect(json(await browser.get('/read'))).toEqual({ isNew: false, data: { note: 'two' } });
  });

  it('regenerates: a new cookie value, the data kept, the old cookie finds nothing', async () => {
    const { client } = get();
    const browser = client();
    await browser.request('POST', '/write?value=before-login');
    const before = browser.cookie(COOKIE_NAME);
    expect(before).toBeDefined();
    const login = await browser.request('POST', '/login?name=alice');
    expect(login.status).toBe(303);
    const after = cookieValue(sessionCookie(login));
    expect(after).not.toBe(before);
    expect(json(await browser.get('/read'))).toEqual({ isNew: false, data: { note: 'before-login', name: 'alice' } });

    const replay = client();
    replay.setCookie(COOKIE_NAME, before);
    expect(json(await replay.get('/read'))).toEqual(NO_SESSION);
  });

  it('destroys: the cookie is cleared and a replayed cookie finds nothing', async () => {
    const { client } = get();
    const browser = client();
    await browser.request('POST', '/login?name=bob');
    const stolen = browser.cookie(COOKIE_NAME);
    expect(stolen).toBeDefined();
    const response = await browser.request('POST', '/logout');
    expect(response.status).toBe(200);
    const line = sessionCookie(response);
    expect(cookieValue(line)).toBe('');
    const expires = cookieAttributes(line).find((part) => part.startsWith('expires='));
    const cleared = maxAgeSeconds(line) === 0 || (expires !== undefined && Date.parse(expires.slice(8)) < Date.now());
    expect(cleared, `a clearing cookie needs Max-Age=0 or a past Expires: ${line}`).toBe(true);
    expect(json(await browser.get('/read'))).toEqual(NO_SESSION);

    const thief = client();
    thief.setCookie(COOKIE_NAME, stolen);
    expect(json(await thief.get('/read'))).toEqual(NO_SESSION);
  });

  it('counts exactly under 100 parallel increments', async () => {
    const { client } = get();
    const browser = client();
    expect(json(await browser.request('POST', '/increment'))).toEqual({ counter: 1 });
    const responses = await Promise.all(Array.from({ length: 100 }, () => browser.request('POST', '/increment')));
    const counters = responses.map((response) => (json(response) as { counter: number }).counter).sort((a, b) => a - b);
    expect(counters).toEqual(Array.from({ length: 100 }, (_, i) => i + 2));
    expect(json(await browser.get('/read'))).toEqual({ isNew: false, data: { counter: 101 } });
  });

  it("keeps a cookie the app sets beside the session cookie, and the app's Vary and Cache-Control", async () => {
    const { client } = get();
    const browser = client();
    const response = await browser.request('POST', '/app-cookie');
    expect(response.status).toBe(200);
    expect(response.setCookies.map((line) => line.slice(0, line.indexOf('='))).sort()).toEqual(
      ['app', COOKIE_NAME].sort(),
    );
    expect(browser.cookie('app')).toBe('kept');
    sessionCookie(response);
    const vary = (response.headers.get('vary') ?? '').split(',').map((token) => token.trim().toLowerCase());
    expect(vary).toEqual(expect.arrayContaining(['accept-encoding', 'cookie']));
    expectSessionHeaders(response, 'private, max-age=0');
    expect(json(await browser.get('/read'))).toEqual({ isNew: false, data: { note: 'beside an app cookie' } });
  });
}
