// A long run: 30 epochs on all 60,000 training images in headless Chromium, as a user would
// do it. Checks that it completes with all 60 log lines, that the log box keeps its newest
// line in view, and that the chart's epoch labels do not collide; prints the time taken and
// keeps a screenshot and the exported figure in tests/e2e/artifacts/ (long-run-*.png).
// Not part of `make test` (about a minute of training on two cores; the same checks run on
// a small training set in hardening.test.mjs): run `node tests/e2e/long-run.mjs`.

import assert from 'node:assert/strict';
import { ARTIFACTS, epochLabels, launchChromium, logShowsNewestLine, recordCanvasText, serveWww, waitForState } from './harness.mjs';

const EPOCHS = 30;
const server = await serveWww();
const browser = await launchChromium();
try {
  const context = await browser.newContext({ acceptDownloads: true, viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('console', (message) => message.type() === 'error' && errors.push(message.text()));
  await recordCanvasText(page);
  await page.goto(`${server.base}/?epochs=${EPOCHS}&train=60000`);
  await waitForState(page, 'idle');
  const started = Date.now();
  await page.click('#train');
  await waitForState(page, 'done', 30 * 60_000);
  const seconds = (Date.now() - started) / 1000;

  const lines = (await page.textContent('#log')).trimEnd().split('\n');
  assert.equal(lines.length, 2 * EPOCHS, `${lines.length} log lines`);
  for (const method of ['Normal', 'AYLA']) {
    assert.match(lines.join('\n'), new RegExp(`^${method.padEnd(6)} - Epoch ${EPOCHS}: Loss=`, 'm'));
  }
  assert.ok(await logShowsNewestLine(page), 'the newest log line is in view');
  // The log scrolls rather than growing the page.
  assert.ok(await page.$eval('#log', (log) => log.scrollHeight > log.clientHeight), 'the log box scrolls');
  const labels = await epochLabels(page);
  assert.ok(labels.length >= 3 * 3 && labels.some((l) => l.text === String(EPOCHS)), JSON.stringify(labels));
  for (let i = 1; i < labels.length; i += 1) {
    assert.ok(labels[i].left - labels[i - 1].right >= 4, `labels overlap: ${JSON.stringify(labels.slice(i - 1, i + 1))}`);
  }
  await page.locator('#log').scrollIntoViewIfNeeded();
  await page.screenshot({ path: `${ARTIFACTS}long-run-page.png`, fullPage: true });
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#export-png')]);
  await download.saveAs(`${ARTIFACTS}long-run-${download.suggestedFilename()}`);
  assert.deepEqual(errors, []);

  console.log(`Status: ${await page.textContent('#status')}`);
  console.log(`Last lines:\n${lines.slice(-2).join('\n')}`);
  console.log(`Epoch labels under the panels: ${labels.map((l) => l.text).join(' ')}`);
  console.log(`Wall time from Train to done: ${seconds.toFixed(1)} s`);
  console.log(`Screenshot: ${ARTIFACTS}long-run-page.png; figure: ${ARTIFACTS}long-run-mnist_comparison.png`);
} finally {
  await browser.close();
  server.close();
}
