import { describe, expect, it } from 'vitest';
import { writeSessionHeaders } from '../src/session-headers.js';
import type { CookieJar } from '../src/types.js';

function jarWith(initial: Record<string, string | number | string[]>): {
  jar: CookieJar;
  headers: Map<string, unknown>;
} {
  const headers = new Map<string, unknown>(Object.entries(initial).map(([name, value]) => [name.toLowerCase(), value]));
  return {
    headers,
    jar: {
      cookieHeader: undefined,
      secure: false,
      appendSetCookie: () => {},
      getHeader: (name) => headers.get(name.toLowerCase()) as string | number | string[] | undefined,
      setHeader: (name, value) => void headers.set(name.toLowerCase(), value),
      headersSent: () => false,
    },
  };
}

describe('writeSessionHeaders', () => {
  it('adds Cookie to a Vary the framework holds as a list, and keeps the app Cache-Control', () => {
    const { jar, headers } = jarWith({ Vary: ['Accept-Encoding', 'Origin'], 'Cache-Control': 'private, max-age=0' });
    writeSessionHeaders(jar, 'no-store');
    expect(headers.get('vary')).toBe('Accept-Encoding, Origin, Cookie');
    expect(headers.get('cache-control')).toBe('private, max-age=0');
  });

  it('leaves a Vary that already names Cookie or * alone, and sets the default Cache-Control', () => {
    for (const vary of [['cookie'], 'Origin, Cookie', '*']) {
      const { jar, headers } = jarWith({ Vary: vary });
      writeSessionHeaders(jar, 'no-store');
      expect(headers.get('vary')).toEqual(vary);
      expect(headers.get('cache-control')).toBe('no-store');
    }
  });
});
