import { describe, expect, it } from 'vitest';
import { createSessionManager, type Session } from '../src/index.js';
import { cookieValueOf, createTestJar, testSecrets } from '../src/testing/index.js';
import { brokenStore, recordingStore } from './support.js';

function setup() {
  const recording = recordingStore();
  const manager = createSessionManager({ secrets: [...testSecrets], store: recording.store });
  return { manager, ...recording };
}

/** A stored session's cookie value, made through `load` so `open` is not tested by itself. */
async function storedCookie(manager: ReturnType<typeof setup>['manager']): Promise<string> {
  const test = createTestJar();
  const session = await manager.load(test.jar);
  session.data['name'] = 'alice';
  await session.commit();
  return cookieValueOf(test.setCookies[0]) as string;
}

describe('manager.open', () => {
  it('gives a cookieless request a function, and makes no store call until and after it is called', async () => {
    const { manager, calls } = setup();
    for (const header of [undefined, '', 'theme=dark; lang=en']) {
      const test = createTestJar(header);
      const opened = manager.open(test.jar);
      expect(typeof opened).toBe('function');
      const session = (opened as () => Session)();
      expect(session.isNew).toBe(true);
      expect(session.data).toEqual({});
      await session.commit();
      expect(test.setCookies).toEqual([]);
      expect(test.headers.size).toBe(0);
    }
    expect(calls).toEqual([]);
  });

  it('creates a new session from that function that is stored, and gets its cookie, once it holds data', async () => {
    const { manager, calls } = setup();
    const test = createTestJar();
    const session = (manager.open(test.jar) as () => Session)();
    expect(calls).toEqual([]);
    session.data['name'] = 'bob';
    await session.commit();
    expect(calls).toEqual(['create']);
    expect(test.setCookies[0]).toMatch(/^sid=Fe26\.2\*/);
    const again = await manager.load(createTestJar(`sid=${cookieValueOf(test.setCookies[0]) as string}`).jar);
    expect(again.data).toEqual({ name: 'bob' });
  });

  it('gives a request with a valid cookie the promise of its loaded session, in one store call', async () => {
    const { manager, calls, reset } = setup();
    const value = await storedCookie(manager);
    reset();
    const opened = manager.open(createTestJar(`theme=dark; sid=${value}`).jar);
    expect(opened).toBeInstanceOf(Promise);
    const session = await (opened as Promise<Session>);
    expect(session.isNew).toBe(false);
    expect(session.data).toEqual({ name: 'alice' });
    expect(calls).toEqual(['load']);
  });

  it('gives a request whose cookie is not shaped like our seal a function, and never clears that cookie', async () => {
    const { manager, calls } = setup();
    // Such a value is not ours (a sibling subdomain may have planted it): clearing would delete the
    // client's own cookie on our path and domain instead.
    const test = createTestJar('sid=Fe26.2*garbage');
    const opened = manager.open(test.jar);
    expect(typeof opened).toBe('function');
    const session = (opened as () => Session)();
    expect(session.isNew).toBe(true);
    await session.commit();
    expect(test.setCookies).toEqual([]);
    expect(calls).toEqual([]);
  });

  it('still loads a valid seal of a session that is gone, so its commit clears it', async () => {
    const { manager, calls, reset } = setup();
    const value = await storedCookie(manager);
    await (await manager.load(createTestJar(`sid=${value}`).jar)).destroy();
    reset();
    const test = createTestJar(`sid=${value}`);
    const opened = manager.open(test.jar);
    expect(opened).toBeInstanceOf(Promise);
    const session = await (opened as Promise<Session>);
    expect(session.isNew).toBe(true);
    await session.commit();
    expect(test.setCookies).toHaveLength(1);
    expect(test.setCookies[0]).toMatch(/^sid=; Max-Age=0/);
    expect(calls).toEqual(['load']);
  });

  it('rejects the promise with a 503 when the store fails, as load does', async () => {
    const value = await storedCookie(setup().manager);
    const failing = createSessionManager({ secrets: [...testSecrets], store: brokenStore('reject') });
    await expect(failing.open(createTestJar(`sid=${value}`).jar)).rejects.toMatchObject({ status: 503 });
  });
});
