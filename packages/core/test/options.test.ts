import { describe, expect, it } from 'vitest';
import { createSessionManager, isSessionError, SessionConfigError, type SessionOptions } from '../src/index.js';
import { testSecrets } from '../src/testing/index.js';

function configError(options: Partial<SessionOptions> & Record<string, unknown>): SessionConfigError {
  try {
    createSessionManager({ secrets: [...testSecrets], ...options } as SessionOptions);
  } catch (error) {
    if (error instanceof SessionConfigError) return error;
    throw error;
  }
  throw new Error('expected a SessionConfigError');
}

describe('configuration is checked at start-up', () => {
  it.each([
    ['no secrets', { secrets: undefined }, /`secrets` is required/],
    ['an empty list', { secrets: [] }, /`secrets` is required/],
    ['a short secret', { secrets: ['too-short'] }, /has 9 characters; each secret needs at least 32/],
    ['an undefined env secret', { secrets: [undefined] }, /is the environment variable set/],
    ['a bad secret id', { secrets: [{ id: 'a b', secret: 'x'.repeat(32) }] }, /letters, digits or underscores/],
    [
      'a repeated secret id',
      {
        secrets: [
          { id: 'a', secret: 'x'.repeat(32) },
          { id: 'a', secret: 'y'.repeat(32) },
        ],
      },
      /repeats the id/,
    ],
    ['a cookie name with ;', { cookie: { name: 'sid; Domain=evil.com' } }, /not a valid cookie name/],
    ['a cookie name with =', { cookie: { name: 'a=b' } }, /not a valid cookie name/],
    ['a path with ;', { cookie: { path: '/; HttpOnly=false' } }, /cookie.path/],
    ['a path without /', { cookie: { path: 'app' } }, /must start with '\/'/],
    ['a domain with ;', { cookie: { domain: 'example.com; Secure' } }, /cookie.domain/],
    [
      'a __Host- cookie with a domain',
      { cookie: { name: '__Host-sid', domain: 'example.com' } },
      /must not have a Domain/,
    ],
    ['a __Host- cookie with a path', { cookie: { name: '__Host-sid', path: '/app' } }, /must have Path=\//],
    ['a __Host- cookie without Secure', { cookie: { name: '__Host-sid', secure: false } }, /requires Secure/],
    ['SameSite=None without Secure', { cookie: { sameSite: 'none' } }, /requires cookie.secure: true/],
    ['Partitioned without Secure', { cookie: { partitioned: true } }, /partitioned requires/],
    [
      'idle longer than absolute',
      { idleTimeoutMs: 10_000, absoluteTimeoutMs: 5_000 },
      /idleTimeoutMs \(10000\) is longer than absoluteTimeoutMs \(5000\)/,
    ],
    ['a timeout in seconds by mistake', { idleTimeoutMs: 0.5 }, /in milliseconds/],
    ['a negative timeout', { absoluteTimeoutMs: -1 }, /positive whole number/],
    ['an express-session store', { store: { get() {}, set() {}, destroy() {} } }, /no create\(\) method/],
  ])('refuses %s with a message that says what to do', (_name, options, message) => {
    const error = configError(options as Record<string, unknown>);
    expect(error.message).toMatch(message);
    expect(isSessionError(error, 'CONFIG')).toBe(true);
  });

  it('accepts a __Host- cookie and makes it Secure even under secure: auto', () => {
    const manager = createSessionManager({ secrets: [...testSecrets], cookie: { name: '__Host-sid' } });
    expect(manager.options.cookie.secure).toBe(true);
  });

  it('accepts a bare string secret and keeps cookies valid when a new secret is put first', () => {
    const secret = 'a-bare-secret-string-of-sufficient-length';
    const one = createSessionManager({ secrets: [secret] });
    const two = createSessionManager({ secrets: ['a-newer-secret-string-of-sufficient-length', secret] });
    expect(two.options.secrets.byId[one.options.secrets.current.id]).toEqual(one.options.secrets.current);
  });
});
