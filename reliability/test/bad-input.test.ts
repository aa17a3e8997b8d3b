import fc from 'fast-check';
import { forgeCookie, type TestClient } from '@sessionkit/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useAppOnRedis } from '../src/app-on-redis.js';
import { FRAMEWORKS, SUITE_SECRET } from '../src/frameworks.js';
import { status } from '../src/pages.js';
import { allKeys } from '../src/redis.js';

/** A request carrying exactly this Cookie header; asserts no 5xx and no session. */
async function expectNoSession(client: TestClient, cookieHeader: string): Promise<void> {
  const response = await client.get('/', { cookie: cookieHeader });
  expect(response.status, `cookie ${JSON.stringify(cookieHeader.slice(0, 80))}`).toBe(200);
  expect(status(response.body)).toBe('You are not logged in');
}

describe.each(FRAMEWORKS)('bad input against examples/%s', (framework) => {
  const { app, redis } = useAppOnRedis(framework);
  let valid: string;
  beforeAll(async () => {
    const browser = app().client();
    await browser.postForm('/login', { username: 'victim' });
    valid = browser.cookie('sid') as string;
    expect(status((await browser.get('/')).body)).toBe('Logged in as victim. Visits: 1');
  });
  afterAll(async () => {
    expect(app().stderr()).not.toMatch(/unhandled|TypeError|RangeError/i);
  });

  it('refuses every component of a valid seal flipped, deleted or extended', async () => {
    const parts = valid.split('*');
    const variants: string[] = [];
    parts.forEach((part, index) => {
      const flip = (text: string): string => (text.length === 0 ? 'A' : (text[0] === 'A' ? 'B' : 'A') + text.slice(1));
      const withPart = (replacement: string | undefined): string =>
        parts.flatMap((p, i) => (i === index ? (replacement === undefined ? [] : [replacement]) : [p])).join('*');
      variants.push(withPart(flip(part)), withPart(undefined), withPart(`${part}AAAA`), withPart(''));
    });
    variants.push(`${valid}*extra`, `${valid}x`, valid.slice(0, -1), `x${valid}`, valid.toLowerCase());
    // Iron's salt and expiry parts are empty in our seals: emptying them again changes nothing.
    for (const variant of new Set(variants))
      if (variant !== valid) await expectNoSession(app().client(), `sid=${variant}`);
  });

  it('refuses 500 random mutations of a valid seal (property-based)', async () => {
    const client = app().client();
    const mutation = fc.oneof(
      fc.record({
        kind: fc.constant('replace' as const),
        at: fc.nat(),
        char: fc.constantFrom(...'AZaz09-_*.%=; "\\é\u0000'),
      }),
      fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 40 }) }),
      fc.record({
        kind: fc.constant('insert' as const),
        at: fc.nat(),
        text: fc.string({ minLength: 1, maxLength: 12 }),
      }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(mutation, { minLength: 1, maxLength: 4 }), async (mutations) => {
        let text = valid;
        for (const m of mutations) {
          const at = m.at % (text.length + 1);
          if (m.kind === 'replace') text = text.slice(0, at) + m.char + text.slice(at + 1);
          else if (m.kind === 'delete') text = text.slice(0, at) + text.slice(at + m.length);
          else text = text.slice(0, at) + m.text + text.slice(at);
        }
        // Header values must be ByteStrings without control characters: keep the rest as Latin-1.
        const sent = Buffer.from(text, 'utf8')
          .toString('latin1')
          .replace(/[\u0000-\u001f\u007f]/g, '')
          .trim();
        fc.pre(sent !== valid);
        const header = `sid=${sent}`;
        const response = await client.get('/', { cookie: header });
        expect(response.status).toBeLessThan(500);
        expect(status(response.body)).toBe('You are not logged in');
      }),
      { numRuns: 500 },
    );
  });

  it('refuses malformed values of every kind', async () => {
    const client = app().client();
    const [prefix, , ...rest] = valid.split('*');
    const cases = [
      'sid=',
      'sid=""',
      'sid',
      '=',
      ';;;',
      `sid=${'A'.repeat(4096)}`,
      `sid=${'Fe26.2*'.repeat(2000)}`.slice(0, 16 * 1024),
      `sid=${valid.slice(0, 20)}`,
      `sid=${valid.slice(0, 100)}`,
      `sid=${valid.slice(0, 200)}`,
      `sid=Fe26.1*${valid.slice(7)}`,
      `sid=${[prefix, '__proto__', ...rest].join('*')}`,
      `sid=${[prefix, 'constructor', ...rest].join('*')}`,
      `sid=${[prefix, 'toString', ...rest].join('*')}`,
      `sid=${valid.replaceAll('-', '+')}`,
      'sid=%E0%A4%A',
      'sid=%00%ff%fe',
      'sid={"id":"abc","user":"admin"}',
      'sid=eyJhbGciOiJub25lIn0.eyJzdWIiOiJhZG1pbiJ9.',
      `sid=s%3A${valid}.signature`,
      Array.from({ length: 200 }, (_, i) => `c${i}=${i}`).join('; '),
      `sid=garbage; sid=${'x'.repeat(300)}; sid=Fe26.2**`,
    ];
    for (const header of cases) await expectNoSession(client, header);
  });

  it('uses the one valid value of a repeated cookie name, and refuses two different valid sessions', async () => {
    const other = app().client();
    await other.postForm('/login', { username: 'other' });
    const client = app().client();
    const withGarbage = await client.get('/test/session', { cookie: `sid=garbage; sid=${valid}` });
    expect(JSON.parse(withGarbage.body).data.username).toBe('victim');
    await expectNoSession(client, `sid=${valid}; sid=${other.cookie('sid')}`);
  });

  it('sees the real cookie behind planted values, and never clears a cookie because of values that are not ours (cookie tossing)', async () => {
    const other = app().client();
    await other.postForm('/login', { username: 'other' });
    const planted = Array.from({ length: 10 }, (_, i) => `sid=planted-by-a-sibling-${i}`).join('; ');
    const sidLines = (lines: string[]): string[] => lines.filter((line) => line.startsWith('sid='));
    const client = app().client();
    const behind = await client.get('/test/session', { cookie: `${planted}; sid=${valid}` });
    expect(JSON.parse(behind.body).data.username).toBe('victim');
    expect(sidLines(behind.setCookies)).toEqual([]);
    for (const header of [
      planted,
      `${planted}; sid=${other.cookie('sid')}; sid=${valid}`,
      `sid=${valid}; ${planted}; sid=${other.cookie('sid')}`,
    ]) {
      const response = await client.get('/', { cookie: header });
      expect(status(response.body)).toBe('You are not logged in');
      // A clearing cookie would delete the victim's own cookie, not the planted ones.
      expect(sidLines(response.setCookies), header.slice(0, 80)).toEqual([]);
    }
  });

  it('refuses a correct seal made with another secret', async () => {
    const foreign = await forgeCookie({}, ['a-different-secret-of-enough-length-000000']);
    await expectNoSession(app().client(), `sid=${foreign}`);
  });

  it('does not adopt a correctly sealed unknown session id', async () => {
    const forgedId = 'A'.repeat(43);
    const forged = await forgeCookie({ id: forgedId }, [SUITE_SECRET]);
    const client = app().client();
    await expectNoSession(client, `sid=${forged}`);
    client.setCookie('sid', forged);
    await client.postForm('/test/data/planted', { value: 'x' });
    const session = JSON.parse((await client.get('/test/session')).body);
    expect(session.id).not.toBe(forgedId);
    expect(session.data).toEqual({ planted: 'x' });
    const keys = await allKeys(redis());
    expect(keys).toContain(`session:${session.id}`);
    expect(keys.filter((key) => key.includes(forgedId))).toEqual([]);
  });

  it('keeps names of session methods as data and refuses oversized data with 413 and nothing written', async () => {
    const client = app().client();
    for (const key of ['destroy', 'regenerate', 'commit', 'increment', '__proto__', 'constructor', 'prototype']) {
      expect((await client.postForm(`/test/data/${key}`, { value: `v-${key}` })).status).toBe(204);
    }
    const before = JSON.parse((await client.get('/test/session')).body);
    expect(before.data).toMatchObject({
      destroy: 'v-destroy',
      regenerate: 'v-regenerate',
      commit: 'v-commit',
      increment: 'v-increment',
      constructor: 'v-constructor',
      prototype: 'v-prototype',
    });
    expect(Object.keys(before.data)).not.toContain('__proto__');
    expect((await client.request('POST', '/test/fill?bytes=200000')).status).toBe(413);
    const after = JSON.parse((await client.get('/test/session')).body);
    expect(after.data).toEqual(before.data);
  });
});
