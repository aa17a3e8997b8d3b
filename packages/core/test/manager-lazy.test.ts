// manager.needsLoad and manager.createNew: how an adapter puts off a session (and its commit) until
// the app first touches it, for requests that carry nothing to load.
import { describe, expect, it } from 'vitest';
import { recordingStore } from '@sessionkit/test-support';
import { createSessionManager, MemoryStore } from '../src/index.js';
import { cookieValueOf, createTestJar, testSecrets } from '../src/testing/index.js';

function setup() {
  const recording = recordingStore(new MemoryStore());
  const manager = createSessionManager({ secrets: [...testSecrets], store: recording.store });
  return { manager, ...recording };
}

/** A stored session's cookie value, made through `load`. */
async function storedCookie(manager: ReturnType<typeof setup>['manager']): Promise<string> {
  const test = createTestJar();
  const session = await manager.load(test.jar);
  session.data['name'] = 'alice';
  await session.commit();
  return cookieValueOf(test.setCookies[0]) as string;
}

describe('manager.needsLoad and manager.createNew', () => {
  it('a cookieless request needs no load, and its new session makes no store call, sets nothing', async () => {
    const { manager, calls } = setup();
    for (const header of [undefined, '', 'theme=dark; lang=en']) {
      const test = createTestJar(header);
      expect(manager.needsLoad(test.jar)).toBe(false);
      const session = manager.createNew(test.jar);
      expect(session.isNew).toBe(true);
      expect(session.data).toEqual({});
      await session.commit();
      expect(test.setCookies).toEqual([]);
      expect(test.headers.size).toBe(0);
    }
    expect(calls).toEqual([]);
  });

  it('createNew gives a session that is stored, and gets its cookie, once it holds data', async () => {
    const { manager, calls } = setup();
    const test = createTestJar();
    const session = manager.createNew(test.jar);
    expect(calls).toEqual([]);
    session.data['name'] = 'bob';
    await session.commit();
    expect(calls).toEqual(['create']);
    expect(test.setCookies[0]).toMatch(/^sid=Fe26\.2\*/);
    const again = await manager.load(createTestJar(`sid=${cookieValueOf(test.setCookies[0]) as string}`).jar);
    expect(again.data).toEqual({ name: 'bob' });
  });

  it('a request with a valid cookie needs a load, and needsLoad itself makes no store call', async () => {
    const { manager, calls, reset } = setup();
    const value = await storedCookie(manager);
    reset();
    expect(manager.needsLoad(createTestJar(`theme=dark; sid=${value}`).jar)).toBe(true);
    expect(calls).toEqual([]);
  });

  it('a cookie not shaped like our seal needs no load, and is never cleared', async () => {
    const { manager, calls } = setup();
    // Such a value is not ours (a sibling subdomain may have planted it): clearing would delete the
    // client's own cookie on our path and domain instead.
    const test = createTestJar('sid=Fe26.2*garbage');
    expect(manager.needsLoad(test.jar)).toBe(false);
    const session = manager.createNew(test.jar);
    await session.commit();
    expect(test.setCookies).toEqual([]);
    expect(calls).toEqual([]);
  });

  it('a valid seal of a session that is gone still needs a load, so its commit clears it', async () => {
    const { manager, calls, reset } = setup();
    const value = await storedCookie(manager);
    await (await manager.load(createTestJar(`sid=${value}`).jar)).destroy();
    reset();
    const test = createTestJar(`sid=${value}`);
    expect(manager.needsLoad(test.jar)).toBe(true);
    const session = await manager.load(test.jar);
    expect(session.isNew).toBe(true);
    await session.commit();
    expect(test.setCookies).toHaveLength(1);
    expect(test.setCookies[0]).toMatch(/^sid=; Max-Age=0/);
    expect(calls).toEqual(['load']);
  });
});
