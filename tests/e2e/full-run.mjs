// A full default run (5 epochs, 60,000 images), as a user would do it: open the page,
// press Train, wait. Prints the log lines and the time taken, and keeps a screenshot
// during and after the run plus the exported figure in tests/e2e/artifacts/.
// Not part of the test suite (it takes minutes): `node tests/e2e/full-run.mjs [ENGINE]`
// (chromium, the default, or firefox).

import { launch, save, screenshot, serveWww, text, waitForState } from './harness.mjs';

const server = await serveWww();
const browser = await launch(process.argv[2] ?? 'chromium');
try {
  const page = await browser.open();
  await page.goto(`${server.base}/`);
  await waitForState(page, 'idle');
  const started = Date.now();
  await page.click('#train');
  await page.waitFor(() => /AYLA {3}- Epoch 1:/.test(document.getElementById('log').textContent), null, {
    timeout: 30 * 60_000,
  });
  await screenshot(page, 'full-run-during');
  await waitForState(page, 'done', 60 * 60_000);
  const seconds = (Date.now() - started) / 1000;
  await screenshot(page, 'full-run-after');
  const png = await save(page, '#export-png', 'full-run-');
  console.log(`\nURL: ${await page.url()}`);
  console.log(`Status: ${await text(page, '#status')}`);
  console.log(`Log:\n${(await text(page, '#log')).trimEnd()}`);
  console.log(`Wall time from Train to done: ${seconds.toFixed(1)} s`);
  console.log(`Figure: ${png.path}`);
  if (page.problems.length) console.log(`Page errors:\n${page.problems.join('\n')}`);
} finally {
  await browser.close();
  server.close();
}
