import { type Browser, chromium, type Locator, type Page } from 'playwright-core';

/** Debian's chromium; tools that download their own browser cannot work on these machines. */
export const CHROMIUM_PATH = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';

/** Launches the machine's Chromium headless. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
    ],
  });
}

/**
 * Clicks a link or a form's button and waits until the page it leads to (after any redirect) has
 * loaded: until the document is a new one, since a form on `/` leads back to `/`.
 */
export async function follow(page: Page, target: Locator): Promise<void> {
  await page.evaluate(() => (document.documentElement.dataset['left'] = 'yes'));
  await target.click();
  await page.waitForFunction(
    () => document.readyState === 'complete' && document.documentElement.dataset['left'] === undefined,
  );
}

/** A button by its exact text ("Log out" is not "Log out everywhere"). */
export const button = (page: Page, name: string): Locator => page.getByRole('button', { name, exact: true });

/** From the demo's visitor page, by the "Log in" link and the form, to the user's page. */
export async function logInByClicks(page: Page, name: string, remember: boolean): Promise<void> {
  await follow(page, page.getByRole('link', { name: 'Log in' }));
  await page.getByLabel('Name').fill(name);
  if (remember) await page.getByLabel('Remember me').check();
  await follow(page, button(page, 'Log in'));
}
