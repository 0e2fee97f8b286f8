// A long run: 30 epochs on all 60,000 training images, as a user would do it. Checks that
// it completes with all 60 log lines, that the log box keeps its newest line in view, and
// that the chart's epoch labels do not collide; prints the time taken and keeps a
// screenshot and the exported figure in tests/e2e/artifacts/ (ENGINE-long-run-*.png).
// Not part of `make test` (about a minute of training on two cores; the same checks run on
// a small training set in hardening.test.mjs): `node tests/e2e/long-run.mjs [ENGINE]`
// (chromium, the default, or firefox).

import assert from 'node:assert/strict';
import { epochLabels, logShowsNewestLine, recordCanvasText } from './chart-text.mjs';
import { launch, save, screenshot, serveWww, text, waitForState } from './harness.mjs';

const EPOCHS = 30;
const server = await serveWww();
const browser = await launch(process.argv[2] ?? 'chromium');
try {
  const page = await browser.open();
  await recordCanvasText(page);
  await page.goto(`${server.base}/?epochs=${EPOCHS}&train=60000`);
  await waitForState(page, 'idle');
  const started = Date.now();
  await page.click('#train');
  await waitForState(page, 'done', 30 * 60_000);
  const seconds = (Date.now() - started) / 1000;

  const lines = (await text(page, '#log')).trimEnd().split('\n');
  assert.equal(lines.length, 2 * EPOCHS, `${lines.length} log lines`);
  for (const method of ['Normal', 'AYLA']) {
    assert.match(lines.join('\n'), new RegExp(`^${method.padEnd(6)} - Epoch ${EPOCHS}: Loss=`, 'm'));
  }
  assert.ok(await logShowsNewestLine(page), 'the newest log line is in view');
  // The log scrolls rather than growing the page.
  assert.ok(await page.evaluate(() => document.getElementById('log').scrollHeight > document.getElementById('log').clientHeight), 'the log box scrolls');
  const labels = await epochLabels(page);
  assert.ok(labels.length >= 3 * 3 && labels.some((l) => l.text === String(EPOCHS)), JSON.stringify(labels));
  for (let i = 1; i < labels.length; i += 1) {
    assert.ok(labels[i].left - labels[i - 1].right >= 4, `labels overlap: ${JSON.stringify(labels.slice(i - 1, i + 1))}`);
  }
  await screenshot(page, 'long-run-page');
  const png = await save(page, '#export-png', 'long-run-');
  assert.deepEqual(page.problems, []);

  console.log(`Status: ${await text(page, '#status')}`);
  console.log(`Last lines:\n${lines.slice(-2).join('\n')}`);
  console.log(`Epoch labels under the panels: ${labels.map((l) => l.text).join(' ')}`);
  console.log(`Wall time from Train to done: ${seconds.toFixed(1)} s`);
  console.log(`Figure: ${png.path}`);
} finally {
  await browser.close();
  server.close();
}
