/**
 * Makes docs/demo.png, the README's picture of the demo: starts examples/express as `npm start`
 * does (memory store, a free port), logs in through Chromium from two browsers as the same user,
 * and screenshots the first one's page.
 *
 * Run: `npm run screenshot -w reliability` (after `npm run build`).
 *
 * @module
 */
import { fileURLToPath } from 'node:url';
import { startApp } from '../src/app-process.js';
import { launchChromium, logInByClicks } from '../src/chromium.js';

const OUTPUT = fileURLToPath(new URL('../../docs/demo.png', import.meta.url));

const app = await startApp('express', {}, { testRoutes: false });
const browser = await launchChromium();
try {
  // Another browser first, so that "Your sessions" lists two.
  const other = await (await browser.newContext()).newPage();
  await other.goto(`${app.url}/`);
  await logInByClicks(other, 'ada', false);

  const page = await (
    await browser.newContext({ viewport: { width: 680, height: 400 }, deviceScaleFactor: 2 })
  ).newPage();
  await page.goto(`${app.url}/`);
  await logInByClicks(page, 'ada', true);
  await page.reload();
  await page.reload();
  const status = await page.textContent('#status');
  if (status !== 'Logged in as ada. Visits: 3') throw new Error(`unexpected page: ${status}`);
  await page.screenshot({ path: OUTPUT, fullPage: true });
  console.log(`Wrote ${OUTPUT}`);
} finally {
  await browser.close();
  await app.stop();
}
