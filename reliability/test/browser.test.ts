import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { useAppOnRedis } from '../src/app-on-redis.js';
import { button, follow, launchChromium, logInByClicks } from '../src/chromium.js';
import { FRAMEWORKS } from '../src/frameworks.js';

const ISO_SECOND = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/;

let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

const status = (page: Page): Promise<string | null> => page.textContent('#status');

describe.each(FRAMEWORKS)('a real browser against examples/%s', (framework) => {
  const { app, redis } = useAppOnRedis(framework);
  const contexts: BrowserContext[] = [];
  const newContext = async (options: Parameters<Browser['newContext']>[0] = {}): Promise<BrowserContext> => {
    const context = await browser.newContext(options);
    contexts.push(context);
    return context;
  };
  afterEach(async () => {
    await Promise.all(contexts.splice(0).map((context) => context.close()));
  });

  /** From the visitor page, by the "Log in" link and the form, to the user's page. */
  async function logIn(page: Page, name: string, remember: boolean): Promise<void> {
    expect(await status(page)).toBe('You are not logged in');
    await logInByClicks(page, name, remember);
    await expect.poll(() => page.url()).toBe(`${app().url}/`);
  }

  const sid = async (context: BrowserContext) =>
    (await context.cookies(app().url)).find((cookie) => cookie.name === 'sid');

  /** The session id as the test-only route reports it, for checking which session the page marks. */
  async function sessionId(context: BrowserContext): Promise<string> {
    return (await (await context.request.get(`${app().url}/test/session`)).json()).id;
  }

  it('walks the demo by its links and buttons: log in with Remember me, the session shown, two browsers, log out everywhere, log out', async () => {
    const first = await newContext();
    const page = await first.newPage();
    await page.goto(`${app().url}/`);
    expect(await page.textContent('header h1')).toBe('sessionkit demo');
    expect((await page.textContent('#framework'))?.toLowerCase()).toBe(`on ${framework}`);
    await logIn(page, 'Ada <admin>', true);

    // The name is text, not markup; visits count from 1.
    expect(await status(page)).toBe('Logged in as Ada <admin>. Visits: 1');
    expect(await page.textContent('#instance')).toBe(`port ${new URL(app().url).port}, process ${app().process.pid}`);
    expect(await page.textContent('#store')).toBe(redis().url);
    const idle = Date.parse((await page.getAttribute('#idle time', 'datetime')) as string);
    expect(Math.abs(idle - (Date.now() + 30 * 60_000))).toBeLessThan(60_000);
    expect(await page.textContent('#idle time')).toMatch(ISO_SECOND);
    expect(await page.textContent('#idle')).toContain('(in 30 min)');
    expect(await page.textContent('#deadline')).toContain('(in 1440 min)');
    expect(await page.textContent('#cookie')).toMatch(/^persistent/);
    const firstId = await sessionId(first);
    expect(await page.locator('#sessions li').allTextContents()).toEqual([`${firstId.slice(0, 8)}… (this session)`]);

    // Remember me: a persistent cookie, expiring with the idle timeout; HttpOnly, SameSite=Lax.
    const cookie = await sid(first);
    expect(cookie?.expires).toBeGreaterThan(Date.now() / 1000 + 29 * 60);
    expect(cookie?.httpOnly).toBe(true);
    expect(cookie?.sameSite).toBe('Lax');
    expect(await page.evaluate(() => document.cookie)).not.toContain('sid=');

    await page.reload();
    expect(await status(page)).toBe('Logged in as Ada <admin>. Visits: 2');

    // A second browser, on a phone, logs in as the same user without Remember me.
    const second = await newContext({ viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true });
    const phone = await second.newPage();
    await phone.goto(`${app().url}/`);
    await logIn(phone, 'Ada <admin>', false);
    expect(await status(phone)).toBe('Logged in as Ada <admin>. Visits: 1');
    expect(await phone.textContent('#cookie')).toMatch(/^browser session/);
    expect((await sid(second))?.expires).toBe(-1);
    expect(await phone.locator('#sessions li').count()).toBe(2);
    // Readable on a phone: nothing wider than the screen.
    expect(await phone.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);

    // The first browser sees both sessions, its own marked.
    await page.reload();
    expect(await status(page)).toBe('Logged in as Ada <admin>. Visits: 3');
    const secondId = await sessionId(second);
    expect(await page.locator('#sessions li').allTextContents()).toEqual([
      `${firstId.slice(0, 8)}… (this session)`,
      `${secondId.slice(0, 8)}…`,
    ]);
    expect(await page.locator('#sessions li.current').count()).toBe(1);

    // "Log out everywhere" in the second browser ends the first one's session too.
    await follow(phone, button(phone, 'Log out everywhere'));
    await expect.poll(() => phone.url()).toBe(`${app().url}/`);
    expect(await status(phone)).toBe('You are not logged in');
    expect(await sid(second)).toBeUndefined();
    await page.reload();
    expect(await status(page)).toBe('You are not logged in');
    expect(await sid(first)).toBeUndefined();

    // The "Log out" button.
    await logIn(page, 'Grace', false);
    expect(await status(page)).toBe('Logged in as Grace. Visits: 1');
    await follow(page, button(page, 'Log out'));
    await expect.poll(() => page.url()).toBe(`${app().url}/`);
    expect(await status(page)).toBe('You are not logged in');
    expect(await sid(first)).toBeUndefined();
  });
});
