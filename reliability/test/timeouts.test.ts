import { setTimeout as delay } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { useAppOnRedis } from '../src/app-on-redis.js';
import { FRAMEWORKS } from '../src/frameworks.js';
import { status } from '../src/pages.js';

// Expiry is wall-clock time in Redis (PEXPIRE) and in the sealed cookie: there is no event to wait
// for, so these tests wait real seconds. Idle 2 s, absolute 4 s.
describe.each(FRAMEWORKS)('timeouts enforced server-side by examples/%s', (framework) => {
  const { app } = useAppOnRedis(framework, { SESSION_TTL: '2', SESSION_ABSOLUTE_TTL: '4' });

  it('ends an idle session within a second of its idle deadline, also for a replayed cookie', async () => {
    const browser = app().client();
    await browser.postForm('/login', { username: 'idle' });
    const saved = browser.cookie('sid') as string;
    await delay(1_200);
    expect(status((await browser.get('/')).body)).toBe('Logged in as idle. Visits: 1'); // activity slides the deadline
    await delay(1_200);
    expect(status((await browser.get('/')).body)).toBe('Logged in as idle. Visits: 2'); // 2.4 s after login: slid
    await delay(3_000);
    const replay = app().client();
    replay.setCookie('sid', saved);
    expect(status((await replay.get('/')).body)).toBe('You are not logged in');
    expect(status((await browser.get('/')).body)).toBe('You are not logged in');
  });

  it('ends an active session within a second of its absolute deadline', async () => {
    const browser = app().client();
    const loggedInAt = Date.now();
    await browser.postForm('/login', { username: 'busy' });
    const saved = browser.cookie('sid') as string;
    let visits = 0;
    while (Date.now() - loggedInAt < 3_200) {
      expect(status((await browser.get('/')).body)).toBe(`Logged in as busy. Visits: ${++visits}`);
      await delay(400);
    }
    await delay(Math.max(0, loggedInAt + 5_000 - Date.now()));
    expect(status((await browser.get('/')).body)).toBe('You are not logged in');
    const replay = app().client();
    replay.setCookie('sid', saved);
    expect(status((await replay.get('/')).body)).toBe('You are not logged in');
  });
});
