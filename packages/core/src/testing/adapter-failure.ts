/**
 * Adapter conformance, when things go wrong: bad cookies, a failing store, a handler that throws
 * after writing the session, and a session written after the response headers left.
 *
 * @module
 */
import { expect, it } from 'vitest';
import { isSessionError } from '../errors.js';
import { type AdapterFixture, COOKIE_NAME, expectSessionHeaders, json, sessionCookie } from './adapter-fixture.js';
import { THROWN_MESSAGE } from './contract-routes.js';

const NO_SESSION = { isNew: true, data: {} };

/** @internal Registers the failure tests; `get` gives the running test's fixture. */
export function registerFailureTests(get: () => AdapterFixture): void {
  it('treats tampered and garbage cookies as no session: a 200, and no store read', async () => {
    const { client, probe } = get();
    const owner = client();
    await owner.request('POST', '/write?value=real');
    const valid = owner.cookie(COOKIE_NAME) as string;
    const flipped = valid.slice(0, -5) + (valid.at(-5) === 'A' ? 'B' : 'A') + valid.slice(-4);
    const values = [
      flipped,
      `${valid}x`,
      valid.slice(0, -10),
      'garbage',
      'Fe26.2**',
      '%E0%A4%A',
      '__proto__',
      'a'.repeat(4096),
    ];
    probe.calls.length = 0;
    for (const value of values) {
      const attacker = client();
      attacker.setCookie(COOKIE_NAME, value);
      const response = await attacker.get('/read');
      expect(response.status, value).toBe(200);
      expect(json(response), value).toEqual(NO_SESSION);
      attacker.setCookie(COOKIE_NAME, value); // the 200 above may have cleared it
      const write = await attacker.request('POST', '/write?value=fresh');
      expect(write.status, value).toBe(200);
      expect(attacker.cookie(COOKIE_NAME), value).not.toBe(value);
    }
    expect(probe.calls.filter((verb) => verb !== 'create')).toEqual([]);
    expect(json(await owner.get('/read'))).toEqual({ isNew: false, data: { note: 'real' } });
  });

  it('answers 503 with no Set-Cookie when the store fails, and recovers when it is back', async () => {
    const { client, probe, errors } = get();
    const browser = client();
    await browser.request('POST', '/write?value=kept');
    probe.failing = true;
    probe.calls.length = 0;

    const load = await browser.get('/read');
    expect(load.status).toBe(503);
    expect(load.setCookies).toEqual([]);
    const create = await client().request('POST', '/write?value=lost');
    expect(create.status).toBe(503);
    expect(create.setCookies).toEqual([]);
    // One attempt per request: an error reply must not run the failed write again (and wait out the store twice).
    expect(probe.calls).toEqual(['load', 'create']);
    expect(errors.seen.filter((error) => isSessionError(error, 'STORE_UNAVAILABLE')).length).toBeGreaterThanOrEqual(2);

    probe.failing = false;
    expect(json(await browser.get('/read'))).toEqual({ isNew: false, data: { note: 'kept' } });
  });

  it('answers a handler error with its status and still commits the session write', async () => {
    const { client, errors } = get();
    const fresh = client();
    const response = await fresh.request('POST', '/throw-after-write');
    expect(response.status).toBe(500);
    sessionCookie(response);
    expectSessionHeaders(response);
    expect(errors.seen.some((error) => error instanceof Error && error.message === THROWN_MESSAGE)).toBe(true);
    expect(json(await fresh.get('/read'))).toEqual({ isNew: false, data: { note: 'written before the throw' } });

    const known = client();
    await known.request('POST', '/write?value=overwritten');
    expect((await known.request('POST', '/throw-after-write')).status).toBe(500);
    expect(json(await known.get('/read'))).toEqual({ isNew: false, data: { note: 'written before the throw' } });
  });

  it('surfaces HEADERS_SENT when a new session is written after the headers left, instead of losing it', async () => {
    const { url, probe, errors } = get();
    // The head went out as a 200: the only honest outcome left is an aborted response.
    const outcome = await fetch(`${url}/stream`, { method: 'POST', signal: AbortSignal.timeout(3_000) })
      .then(async (response) => `a complete ${response.status} response: ${await response.text()}`)
      .catch((error: unknown) => error);
    expect(outcome, 'the response must be aborted').toBeInstanceOf(Error);
    expect((outcome as Error).name, 'the response hung instead of being aborted').not.toBe('TimeoutError');
    const error = await errors.waitFor((e) => isSessionError(e, 'HEADERS_SENT'), 'the HEADERS_SENT SessionError');
    expect(isSessionError(error, 'HEADERS_SENT')).toBe(true);
    expect(probe.calls).not.toContain('create');
  });
}
