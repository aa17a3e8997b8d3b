import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Browser, chromium } from 'playwright-core';
import { useAppOnRedis } from '../src/app-on-redis.js';
import { FRAMEWORKS } from '../src/frameworks.js';

// Debian's chromium; tools that download their own browser cannot work on these machines.
const CHROMIUM_PATH = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';

let browser: Browser;
beforeAll(async () => {
  browser = await chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
  });
});
afterAll(async () => {
  await browser?.close();
});

describe.each(FRAMEWORKS)('a real browser against examples/%s', (framework) => {
  const { app } = useAppOnRedis(framework);

  it('logs in, counts visits across navigation with an HttpOnly cookie, and logs out', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${app().url}/`);
    expect(await page.textContent('body')).toContain('You are not logged in');
    await page.goto(`${app().url}/login`);
    await page.fill('input[name=username]', 'Ada <admin>');
    await Promise.all([page.waitForURL(`${app().url}/`), page.click('button[type=submit]')]);
    expect(await page.textContent('body')).toBe('Logged in as Ada <admin>. Visits: 1');
    await page.reload();
    expect(await page.textContent('body')).toBe('Logged in as Ada <admin>. Visits: 2');
    await page.goto(`${app().url}/login`);
    await page.goto(`${app().url}/`);
    expect(await page.textContent('body')).toBe('Logged in as Ada <admin>. Visits: 3');

    const cookies = await context.cookies(app().url);
    const sid = cookies.find((cookie) => cookie.name === 'sid');
    expect(sid?.httpOnly).toBe(true);
    expect(sid?.sameSite).toBe('Lax');
    expect(await page.evaluate(() => document.cookie)).not.toContain('sid=');

    await page.goto(`${app().url}/logout`);
    expect(await page.textContent('body')).toContain('You are not logged in');
    expect((await context.cookies(app().url)).find((cookie) => cookie.name === 'sid')).toBeUndefined();
    await context.close();
  });
});
