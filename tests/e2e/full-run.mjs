// A full default run (5 epochs, 60,000 images) in headless Chromium, as a user would do it:
// open the page, press Train, wait. Prints the log lines and the time taken, and keeps a
// screenshot during and after the run plus the exported figure in tests/e2e/artifacts/.
// Not part of the test suite (it takes minutes): run `node tests/e2e/full-run.mjs`.

import { ARTIFACTS, launchChromium, serveWww, waitForState } from './harness.mjs';

const server = await serveWww();
const browser = await launchChromium();
try {
  const context = await browser.newContext({ acceptDownloads: true, viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  page.on('console', (message) => console.log(`[page ${message.type()}] ${message.text()}`));
  await page.goto(`${server.base}/`);
  await waitForState(page, 'idle');
  const started = Date.now();
  await page.click('#train');
  await page.waitForFunction(() => /AYLA {3}- Epoch 1:/.test(document.getElementById('log').textContent), null, {
    timeout: 30 * 60_000,
  });
  await page.screenshot({ path: `${ARTIFACTS}full-run-during.png`, fullPage: true });
  await waitForState(page, 'done', 60 * 60_000);
  const seconds = (Date.now() - started) / 1000;
  await page.screenshot({ path: `${ARTIFACTS}full-run-after.png`, fullPage: true });
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#export-png')]);
  await download.saveAs(`${ARTIFACTS}full-run-${download.suggestedFilename()}`);
  console.log(`\nURL: ${page.url()}`);
  console.log(`Status: ${await page.textContent('#status')}`);
  console.log(`Log:\n${(await page.textContent('#log')).trimEnd()}`);
  console.log(`Wall time from Train to done: ${seconds.toFixed(1)} s`);
} finally {
  await browser.close();
  server.close();
}
