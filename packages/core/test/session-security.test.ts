import { recordingStore } from '@sessionkit/test-support';
import { defaults, seal } from 'iron-webcrypto';
import { describe, expect, it } from 'vitest';
import { createSessionManager, MemoryStore, type SessionOptions, type SessionStore } from '../src/index.js';
import { cookieValueOf, createTestJar, forgeCookie, newId, storedSession, testSecrets } from '../src/testing/index.js';
import { brokenStore } from './support.js';

const [current, previous] = testSecrets;

function managerWith(options: Partial<SessionOptions> = {}) {
  return createSessionManager({ secrets: [...testSecrets], ...options });
}

async function newSessionCookie(options: Partial<SessionOptions>, data: Record<string, unknown> = { name: 'alice' }) {
  const manager = managerWith(options);
  const test = createTestJar();
  const session = await manager.load(test.jar);
  Object.assign(session.data, data);
  await session.commit();
  return { value: cookieValueOf(test.setCookies[0]) as string, id: session.id };
}

async function load(options: Partial<SessionOptions>, cookieHeader: string) {
  const test = createTestJar(cookieHeader);
  const session = await createSessionManager({ secrets: [...testSecrets], ...options }).load(test.jar);
  return { session, test };
}

describe('cookie security', () => {
  it('rotates secrets: an old-secret cookie still works, is re-sealed with the new secret, and dies when the old one is removed', async () => {
    const store = new MemoryStore();
    const { value } = await newSessionCookie({ store, secrets: [previous] });
    const rotated = await load({ store, secrets: [current, previous] }, `sid=${value}`);
    expect(rotated.session.data).toEqual({ name: 'alice' });
    await rotated.session.commit();
    const resealed = cookieValueOf(rotated.test.setCookies[0]) as string;
    expect(resealed).toMatch(/^Fe26\.2\*test1\*/);
    expect(resealed).not.toBe(value);
    expect((await load({ store, secrets: [current] }, `sid=${resealed}`)).session.data).toEqual({ name: 'alice' });
    expect((await load({ store, secrets: [current] }, `sid=${value}`)).session.isNew).toBe(true);
  });

  it('refuses a cookie sealed with the wrong secret under a known id, without a store call', async () => {
    const recording = recordingStore(new MemoryStore());
    const { value } = await newSessionCookie({
      store: recording.store,
      secrets: [{ id: 'test1', secret: 'another-secret-of-enough-length-000000' }],
    });
    recording.reset();
    const { session } = await load({ store: recording.store }, `sid=${value}`);
    expect(session.isNew).toBe(true);
    expect(recording.calls).toEqual([]);
  });

  it('refuses a seal of another purpose made with the right secret', async () => {
    const recording = recordingStore(new MemoryStore());
    const keys = managerWith().options.secrets.current;
    const payload = { id: newId(), iat: Date.now(), abs: Date.now() + 1e6, r: false };
    const wrongPurpose = await seal({ ...payload, p: 'other-app/csrf-token' }, keys, { ...defaults, ttl: 0 });
    const rightPurpose = await seal({ ...payload, p: 'sessionkit/session-cookie/v1' }, keys, { ...defaults, ttl: 0 });
    const { session } = await load({ store: recording.store }, `sid=${wrongPurpose}`);
    expect(session.isNew).toBe(true);
    expect(recording.calls).toEqual([]);
    // The control: the same seal with our purpose does reach the store, so the purpose is what refused it.
    await load({ store: recording.store }, `sid=${rightPurpose}`);
    expect(recording.calls).toEqual(['load']);
  });

  it('never adopts an id the store does not know: a new session gets a fresh id', async () => {
    const store = new MemoryStore();
    const { value, id } = await newSessionCookie({ store: new MemoryStore() });
    const { session, test } = await load({ store }, `sid=${value}`);
    expect(session.isNew).toBe(true);
    session.data['name'] = 'mallory';
    await session.commit();
    expect(session.id).not.toBe(id);
    expect(await store.load(id, 60_000)).toBeUndefined();
    expect(test.setCookies).toHaveLength(1);
  });

  it.each(['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf'])(
    'treats a cookie naming the password id %s as no session',
    async (passwordId) => {
      const { value } = await newSessionCookie({});
      const parts = value.split('*');
      parts[1] = passwordId;
      const { session } = await load({}, `sid=${parts.join('*')}`);
      expect(session.isNew).toBe(true);
    },
  );

  it('uses the one valid value when a cookie name repeats, and refuses two different valid sessions', async () => {
    const store = new MemoryStore();
    const a = await newSessionCookie({ store }, { name: 'a' });
    const b = await newSessionCookie({ store }, { name: 'b' });
    expect((await load({ store }, `sid=garbage; sid=${a.value}`)).session.data).toEqual({ name: 'a' });
    expect((await load({ store }, `sid=${a.value}; sid=${a.value}`)).session.data).toEqual({ name: 'a' });
    expect((await load({ store }, `sid=${a.value}; sid=${b.value}`)).session.isNew).toBe(true);
  });

  it('enforces the absolute deadline from the cookie itself, without a store call', async () => {
    let clock = 1_700_000_000_000;
    const recording = recordingStore(new MemoryStore({ now: () => clock }));
    const options = { store: recording.store, now: () => clock, idleTimeoutMs: 1000, absoluteTimeoutMs: 2000 };
    const { value } = await newSessionCookie(options);
    clock += 2001;
    recording.reset();
    expect((await load(options, `sid=${value}`)).session.isNew).toBe(true);
    expect(recording.calls).toEqual([]);
  });
});

describe('stored data safety', () => {
  it('never lets __proto__ or constructor.prototype in stored data reach a prototype', async () => {
    const store = new MemoryStore();
    const { value, id } = await newSessionCookie({ store });
    await store.destroy(id);
    await store.create(
      id,
      storedSession({
        __proto__: '{"polluted":"top"}',
        nested: '{"a":{"__proto__":{"polluted":"deep"}},"constructor":{"prototype":{"polluted":"ctor"}}}',
        list: '[{"__proto__":{"polluted":"list"}}]',
      }),
      60_000,
    );
    const { session } = await load({ store }, `sid=${value}`);
    const merged = Object.assign({}, session.data['nested'] as object, (session.data['list'] as object[])[0]);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    expect((merged as Record<string, unknown>)['polluted']).toBeUndefined();
    expect(Object.getPrototypeOf(session.data)).toBe(Object.prototype);
    expect(session.data['nested']).toEqual({ a: {} });
  });

  it('ignores a stored value that does not parse, and leaves it untouched', async () => {
    const store = new MemoryStore();
    const { value, id } = await newSessionCookie({ store });
    await store.patch(id, { set: { broken: '{not json' }, remove: [] }, 60_000);
    const { session } = await load({ store }, `sid=${value}`);
    expect(session.data).toEqual({ name: 'alice' });
    session.data['other'] = 1;
    await session.commit();
    expect((await store.load(id, 60_000))?.data['broken']).toBe('{not json');
  });

  it('refuses data over maxDataBytes with a 413 and writes nothing', async () => {
    const recording = recordingStore(new MemoryStore());
    const manager = managerWith({ store: recording.store, maxDataBytes: 1024 });
    const session = await manager.load(createTestJar().jar);
    session.data['blob'] = 'x'.repeat(2000);
    await expect(session.commit()).rejects.toMatchObject({ code: 'DATA_TOO_LARGE', status: 413 });
    expect(recording.calls).toEqual([]);
  });

  it('refuses data that cannot be serialized with a typed error and writes nothing', async () => {
    const recording = recordingStore(new MemoryStore());
    const session = await managerWith({ store: recording.store }).load(createTestJar().jar);
    session.data['big'] = 10n;
    await expect(session.commit()).rejects.toMatchObject({ code: 'SERIALIZE' });
    expect(recording.calls).toEqual([]);
  });
});

describe('headers already sent', () => {
  it('raises HEADERS_SENT for a new session whose cookie can no longer be sent, and stores nothing', async () => {
    const recording = recordingStore(new MemoryStore());
    const test = createTestJar();
    const session = await managerWith({ store: recording.store }).load(test.jar);
    session.data['name'] = 'alice';
    test.sendHeaders();
    await expect(session.commit()).rejects.toMatchObject({ code: 'HEADERS_SENT' });
    expect(recording.calls).toEqual([]);
  });

  it('still saves changes to an existing session after the headers left', async () => {
    const store = new MemoryStore();
    const { value, id } = await newSessionCookie({ store });
    const test = createTestJar(`sid=${value}`);
    const session = await managerWith({ store }).load(test.jar);
    session.data['late'] = true;
    test.sendHeaders();
    await session.commit();
    expect((await store.load(id, 60_000))?.data['late']).toBe('true');
  });
});

describe('store failure', () => {
  it('turns a failing store into a 503 SessionStoreUnavailableError with the cause', async () => {
    const { value } = await newSessionCookie({});
    const manager = managerWith({ store: brokenStore('reject') });
    const error = await manager.load(createTestJar(`sid=${value}`).jar).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'STORE_UNAVAILABLE', status: 503, name: 'SessionStoreUnavailableError' });
    expect((error as Error).cause).toBeInstanceOf(Error);
  });

  it('gives up on a hanging store after storeTimeoutMs with a 503', async () => {
    const { value } = await newSessionCookie({});
    const manager = managerWith({ store: brokenStore('hang'), storeTimeoutMs: 100 });
    const started = performance.now();
    await expect(manager.load(createTestJar(`sid=${value}`).jar)).rejects.toMatchObject({ status: 503 });
    expect(performance.now() - started).toBeLessThan(2000);
  });

  it('still needs no store for a request without a cookie', async () => {
    const session = await managerWith({ store: brokenStore('reject') as SessionStore }).load(createTestJar().jar);
    await expect(session.commit()).resolves.toBeUndefined();
  });
});

describe('forged cookies', () => {
  it('a valid seal naming an id the store never issued is no session, and no key is created under it', async () => {
    const store = new MemoryStore();
    const forgedId = newId();
    const value = await forgeCookie({ id: forgedId });
    const { session } = await load({ store }, `sid=${value}`);
    expect(session.isNew).toBe(true);
    session.data['x'] = 1;
    await session.commit();
    expect(session.id).not.toBe(forgedId);
    expect(await store.load(forgedId, 60_000)).toBeUndefined();
    expect(store.size).toBe(1);
  });
});

describe('after a store failure in a request', () => {
  it('fails later store calls at once, without calling the store again, and writes nothing', async () => {
    const inner = new MemoryStore();
    const { value } = await newSessionCookie({ store: inner });
    inner.increment = () => Promise.reject(new Error('ETIMEDOUT'));
    const recording = recordingStore(inner);
    const session = await managerWith({ store: recording.store }).load(createTestJar(`sid=${value}`).jar);
    await expect(session.increment('visits')).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE' });
    session.data['after'] = 'error';
    const error = await session.commit().catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'STORE_UNAVAILABLE', status: 503 });
    expect((error as Error).message).toMatch(/already failed during this request/);
    expect(recording.calls).toEqual(['load', 'increment']);
  });

  it('still commits a session that needs no store call', async () => {
    const inner = new MemoryStore();
    const { value } = await newSessionCookie({ store: inner });
    inner.increment = () => Promise.reject(new Error('ETIMEDOUT'));
    const test = createTestJar(`sid=${value}`);
    const session = await managerWith({ store: inner }).load(test.jar);
    await expect(session.increment('visits')).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE' });
    await expect(session.commit()).resolves.toBeUndefined();
    expect(test.headers.get('vary')).toBe('Cookie');
  });
});

describe('increment before the session is stored', () => {
  it('keeps the same ±(2^53 − 1) bound as every store, and changes nothing past it', async () => {
    const session = await createSessionManager({ secrets: [...testSecrets] }).load(createTestJar().jar);
    session.data['n'] = Number.MAX_SAFE_INTEGER - 1;
    expect(await session.increment('n')).toBe(Number.MAX_SAFE_INTEGER);
    await expect(session.increment('n')).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    expect(session.data['n']).toBe(Number.MAX_SAFE_INTEGER);
  });
});
