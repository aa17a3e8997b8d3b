// @sessionkit/core/fetch: the bridge's own rules, on Node's Request and Response.
import { describe, expect, it } from 'vitest';
import { FetchCookieJar, hasMutableHeaders, openSession, withMutableHeaders } from '../src/fetch/index.js';
import {
  createSessionManager,
  isSessionError,
  MemoryStore,
  SessionArgumentError,
  SessionStoreUnavailableError,
} from '../src/index.js';
import { testSecrets } from '../src/testing/index.js';

const manager = () =>
  createSessionManager({ store: new MemoryStore(), secrets: [...testSecrets], cookie: { name: 'sk' } });

describe('@sessionkit/core/fetch', () => {
  it('answers in three lines: the session cookie, Vary and Cache-Control go on the response, and come back', async () => {
    const sessions = manager();
    const handler = async (request: Request): Promise<Response> => {
      const { session, finish } = await openSession(sessions, request);
      const visits = await session.increment('visits');
      return finish(new Response(`Visits: ${visits}`));
    };
    const first = await handler(new Request('http://app.test/'));
    expect(await first.text()).toBe('Visits: 1');
    const [line] = first.headers.getSetCookie();
    expect(line).toMatch(/^sk=Fe26\.2\*[^;]+; Path=\/; HttpOnly; SameSite=Lax$/);
    expect(first.headers.get('vary')).toBe('Cookie');
    expect(first.headers.get('cache-control')).toBe('no-store');
    const cookie = (line as string).split(';')[0] as string;
    const second = await handler(new Request('http://app.test/', { headers: { cookie } }));
    expect(await second.text()).toBe('Visits: 2');
    expect(second.headers.getSetCookie()).toEqual([]);
  });

  it('sets Secure over https, from the URL or the secure option', async () => {
    const sessions = manager();
    for (const [url, secure, expected] of [
      ['https://app.test/', undefined, true],
      ['http://app.test/', undefined, false],
      ['http://app.test/', true, true],
    ] as const) {
      const { session, finish } = await openSession(sessions, new Request(url), secure === undefined ? {} : { secure });
      session.data['note'] = 'x';
      const [line] = (await finish(new Response('ok'))).headers.getSetCookie();
      expect(/; Secure/.test(line as string), `${url} secure=${secure}`).toBe(expected);
    }
  });

  it('re-creates a response whose headers are immutable (Response.redirect), keeping status, headers and body', async () => {
    const redirect = Response.redirect('http://app.test/next', 303);
    expect(hasMutableHeaders(redirect)).toBe(false);
    const { session, finish } = await openSession(manager(), new Request('http://app.test/login', { method: 'POST' }));
    session.data['name'] = 'alice';
    const answer = await finish(redirect);
    expect(answer).not.toBe(redirect);
    expect(answer.status).toBe(303);
    expect(answer.headers.get('location')).toBe('http://app.test/next');
    expect(answer.headers.getSetCookie()).toHaveLength(1);

    const mutable = new Response('body', { status: 201 });
    expect(hasMutableHeaders(mutable)).toBe(true);
    expect(withMutableHeaders(mutable)).toBe(mutable);
    const copied = withMutableHeaders(Response.json({ a: 1 }).clone());
    expect(await copied.json()).toEqual({ a: 1 });
  });

  it("merges headers of an early commit into the response: every cookie kept, Vary merged, the app's Cache-Control wins", async () => {
    const { session, finish, jar } = await openSession(manager(), new Request('http://app.test/'));
    session.data['note'] = 'early';
    await session.commit(); // before the response exists, e.g. before starting a stream
    expect(jar.headers.getSetCookie()).toHaveLength(1);
    const response = new Response('ok', {
      headers: [
        ['set-cookie', 'app=kept; Path=/'],
        ['vary', 'Accept-Encoding'],
        ['cache-control', 'private, max-age=0'],
      ],
    });
    const answer = await finish(response);
    expect(answer).toBe(response);
    expect(answer.headers.getSetCookie().map((line) => line.split('=')[0])).toEqual(['app', 'sk']);
    expect(answer.headers.get('vary')).toBe('Accept-Encoding, Cookie');
    expect(answer.headers.get('cache-control')).toBe('private, max-age=0');
  });

  it('rejects finish when the store fails, leaving the response without a session header, and raises HEADERS_SENT after it', async () => {
    const store = new MemoryStore();
    const sessions = createSessionManager({ store, secrets: [...testSecrets] });
    const failing = await openSession(sessions, new Request('http://app.test/'));
    failing.session.data['note'] = 'lost';
    store.create = async () => {
      throw new Error('store down');
    };
    const response = new Response('ok');
    await expect(failing.finish(response)).rejects.toSatisfy((error) => isSessionError(error, 'STORE_UNAVAILABLE'));
    expect(response.headers.getSetCookie()).toEqual([]);
    expect(response.headers.get('vary')).toBeNull();

    const late = await openSession(manager(), new Request('http://app.test/'));
    await late.finish(new Response('ok'));
    late.session.data['note'] = 'after the response left';
    await expect(late.session.commit()).rejects.toSatisfy((error) => isSessionError(error, 'HEADERS_SENT'));
  });

  it('turns a session error into its Response: a 503 without the internal message, a 4xx with it', async () => {
    const down = new SessionStoreUnavailableError(
      'sessionkit: load failed: connect ECONNREFUSED 10.0.0.7:6379',
    ).getResponse();
    expect(down.status).toBe(503);
    expect(await down.text()).toBe('Service Unavailable');
    expect(down.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    const refused = new SessionArgumentError('increment takes a finite number').getResponse();
    expect(refused.status).toBe(400);
    expect(await refused.text()).toBe('increment takes a finite number');
  });

  it('reads the Cookie header and answers getHeader as the core expects', () => {
    const jar = new FetchCookieJar(new Request('http://app.test/', { headers: { cookie: 'a=1; sk=v' } }));
    expect(jar.cookieHeader).toBe('a=1; sk=v');
    expect(new FetchCookieJar(new Request('http://app.test/')).cookieHeader).toBeUndefined();
    expect(jar.getHeader('Vary')).toBeUndefined();
    jar.appendSetCookie('x=1');
    jar.appendSetCookie('y=2');
    jar.setHeader('Vary', 'Cookie');
    expect(jar.getHeader('Set-Cookie')).toEqual(['x=1', 'y=2']);
    expect(jar.getHeader('vary')).toBe('Cookie');
    expect(jar.headersSent()).toBe(false);
    jar.markSent();
    expect(jar.headersSent()).toBe(true);
  });
});
