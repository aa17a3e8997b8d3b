import { defaults, seal as ironWebcryptoSeal, unseal as ironWebcryptoUnseal } from 'iron-webcrypto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import * as iron from '../src/iron.js';
import { CookieSealer } from '../src/seal.js';
import { resolveSecrets } from '../src/secrets.js';
import { newId, testSecrets } from '../src/testing/index.js';

vi.mock('../src/iron.js', async (importOriginal) => {
  const original = await importOriginal<typeof iron>();
  return { ...original, unsealIron: vi.fn(original.unsealIron) };
});

const payload = { id: newId(), issuedAt: 1_700_000_000_000, absoluteDeadlineMs: 1_800_000_000_000, persistent: false };
const unsealSpy = vi.mocked(iron.unsealIron);

describe('CookieSealer', () => {
  afterEach(() => unsealSpy.mockClear());

  it('round-trips a payload and answers a returning value from its cache without crypto', async () => {
    const sealer = new CookieSealer(resolveSecrets([...testSecrets]), 100);
    const value = await sealer.seal(payload);
    expect(await sealer.unseal(value)).toEqual({ payload, sealedWithCurrentSecret: true });
    expect(unsealSpy).not.toHaveBeenCalled();
    const fresh = new CookieSealer(resolveSecrets([...testSecrets]), 100);
    expect((await fresh.unseal(value))?.payload).toEqual(payload);
    expect((await fresh.unseal(value))?.payload).toEqual(payload);
    expect(unsealSpy).toHaveBeenCalledTimes(1);
  });

  it('rejects malformed values by shape, before any crypto', async () => {
    const sealer = new CookieSealer(resolveSecrets([...testSecrets]), 100);
    const value = await sealer.seal(payload);
    const parts = value.split('*');
    const malformed = [
      '',
      'garbage',
      value.slice(0, 50),
      `${value}*x`,
      value.replace('Fe26.2', 'Fe26.1'),
      [parts[0], '__proto__', ...parts.slice(2)].join('*'),
      [parts[0], 'unknown', ...parts.slice(2)].join('*'),
      value.replace(/\*\*\*/, '*1700000000000**'),
      `${value.slice(0, -1)}=`,
      'A'.repeat(5000),
    ];
    for (const text of malformed) expect(await sealer.unseal(text)).toBeUndefined();
    expect(unsealSpy).not.toHaveBeenCalled();
  });

  it('rejects a non-canonical base64url spelling that decodes to the same bytes', async () => {
    const sealer = new CookieSealer(resolveSecrets([...testSecrets]), 0);
    const value = await sealer.seal(payload);
    const last = value.at(-1) as string;
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    // The MAC is 32 bytes in 43 characters: the last character's two low bits are padding.
    const twin = alphabet[alphabet.indexOf(last) ^ 1] as string;
    const tampered = value.slice(0, -1) + twin;
    expect(Buffer.from(tampered.split('*')[7] as string, 'base64url')).toEqual(
      Buffer.from(value.split('*')[7] as string, 'base64url'),
    );
    expect(await sealer.unseal(tampered)).toBeUndefined();
    expect((await sealer.unseal(value))?.payload).toEqual(payload);
  });

  it('reports a value sealed with an older secret, for re-sealing', async () => {
    const old = new CookieSealer(resolveSecrets([testSecrets[1]]), 0);
    const value = await old.seal(payload);
    const rotated = new CookieSealer(resolveSecrets([...testSecrets]), 0);
    expect(await rotated.unseal(value)).toEqual({ payload, sealedWithCurrentSecret: false });
  });
});

describe('iron compatibility', () => {
  const keys = resolveSecrets([...testSecrets]).current;
  const ironOptions = { ...defaults, ttl: 0 };
  const claims = {
    p: 'sessionkit/session-cookie/v1',
    id: newId(),
    iat: 1,
    abs: 2,
    r: true,
    text: 'żółw "quoted" \\ 🐢',
  };

  it('writes seals that iron-webcrypto opens', async () => {
    const sealed = iron.sealIron(claims, keys);
    expect(await ironWebcryptoUnseal(sealed, { [keys.id]: keys }, ironOptions)).toEqual(claims);
  });

  it('opens seals that iron-webcrypto writes with the same keys', async () => {
    const sealed = await ironWebcryptoSeal(claims, keys, ironOptions);
    expect(iron.unsealIron(sealed, keys)).toEqual(claims);
  });

  it('refuses a seal whose MAC, ciphertext, iv or key id was changed', () => {
    const sealed = iron.sealIron(claims, keys);
    const parts = sealed.split('*');
    const change = (index: number): string =>
      parts
        .map((part, i) => (i === index ? `${part.slice(0, -2)}${part.endsWith('AA') ? 'BA' : 'AA'}` : part))
        .join('*');
    for (const index of [3, 4, 7]) expect(iron.unsealIron(change(index), keys)).toBeUndefined();
    expect(iron.unsealIron(sealed.replace(`*${keys.id}*`, '*other*'), keys)).toBeUndefined();
    const otherKeys = resolveSecrets(['another-secret-of-sufficient-length-0000']).current;
    expect(iron.unsealIron(sealed.replace(`*${keys.id}*`, `*${otherKeys.id}*`), otherKeys)).toBeUndefined();
  });
});
