// End-to-end hardening checks (issue 7) on the real page in headless Chromium: the strict
// Content-Security-Policy holds and nothing leaves the origin, a diverging run is handled,
// twenty runs in a row leave memory flat, and failures (offline, a worker or the wasm
// module that does not load) end in a clear message with the controls back. Each test
// opens its own browser context, so none depends on another's state.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import {
  ARTIFACTS,
  MiB,
  epochLabels,
  launchChromium,
  openPage,
  save as saveDownload,
  logShowsNewestLine,
  pageMemory,
  recordCanvasText,
  rendererMemory,
  serveWww,
  waitForState,
  waitForWorkers,
  watchPolicy,
  workerMemory,
} from './harness.mjs';

const POLICY =
  "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; worker-src 'self'; style-src 'self'; img-src 'self' blob: data:; connect-src 'self'";

let server;
let browser;

before(async () => {
  server = await serveWww();
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  server?.close();
});

// A fresh context and page for test `t` (closed when it ends, passed or not); page errors
// and console errors are collected in `problems`. `serviceWorkers: 'block'` for a test of
// files the server fails to deliver: the service worker would serve the build it keeps.
async function open(t, query, { watch = false, serviceWorkers = 'allow' } = {}) {
  const { context, page, problems } = await openPage(browser, undefined, { serviceWorkers });
  t.after(() => context.close());
  const seen = watch ? await watchPolicy(page, server.base) : null;
  if (query !== null) {
    await page.goto(`${server.base}/${query}`);
    await waitForState(page, 'idle');
    // The page has finished starting: its offline support comes last.
    if (serviceWorkers === 'allow') await page.waitForSelector('html[data-offline="ready"]', { state: 'attached' });
  }
  return { context, page, problems, seen };
}

const controlsBack = async (page) => {
  assert.equal(await page.isEnabled('#train'), true, 'Train is usable again');
  assert.equal(await page.isDisabled('#stop'), true, 'Stop is disabled');
};

const save = async (page, button) => (await saveDownload(page, button, 'hardening-')).path;

test('the page runs under the strict policy: no violation, no request leaves the site', async (t) => {
  const { page, problems, seen } = await open(t, null, { watch: true });
  await page.goto(`${server.base}/?epochs=2&train=3000`);
  await waitForState(page, 'idle');
  const policy = await page.getAttribute('meta[http-equiv="Content-Security-Policy"]', 'content');
  assert.equal(policy, POLICY);

  // The watch itself works: an inline style attribute is blocked and reported.
  await page.evaluate(() => document.body.setAttribute('style', 'outline: 1px solid red'));
  await page.waitForTimeout(200);
  assert.ok(seen.violations.some((v) => v.includes('style-src')), `the probe was reported: ${seen.violations}`);
  await page.evaluate(() => document.body.removeAttribute('style'));
  seen.violations.length = 0;
  problems.length = 0; // the probe's own console error

  await page.click('#train');
  await waitForState(page, 'done');
  // Everything that draws or shows text: readout (positioned through CSSOM), a hidden
  // series, the keyboard readout, and the three exports.
  const box = await page.locator('#chart').boundingBox();
  await page.mouse.move(box.x + box.width / 6, box.y + box.height / 2);
  assert.equal(await page.isVisible('#readout'), true);
  await page.mouse.move(0, 0);
  await page.getByLabel('Val accuracy').first().uncheck();
  await page.focus('#chart');
  await page.keyboard.press('ArrowRight');
  await save(page, '#export-png');
  await save(page, '#export-json');
  await save(page, '#export-csv');
  // Stop and a second run, to cover a restart too.
  await page.fill('#epochs', '3');
  await page.click('#train');
  await page.waitForFunction(() => document.querySelector('.run-progress progress').value > 1, null, { timeout: 60_000 });
  await page.click('#stop');
  await page.waitForTimeout(300);
  // A small sweep: its table, heat map (drawn through the same canvas backend) and exports.
  await page.goto(`${server.base}/?mode=sweep&epochs=1&n1=0.9,1&n2=1&seeds=1&train=1000`);
  await waitForState(page, 'idle');
  await page.click('#train');
  await waitForState(page, 'done', 120_000);
  const heat = await page.locator('#heatmap').boundingBox();
  await page.mouse.click(heat.x + heat.width / 2, heat.y + heat.height / 2);
  await save(page, '#export-heatmap');
  await save(page, '#export-sweep-csv');

  assert.deepEqual(seen.violations, []);
  assert.deepEqual(seen.foreign, []);
  assert.deepEqual(problems, []);
});

test('a diverging AYLA run is marked, stops training and Normal finishes', async (t) => {
  const { page, problems } = await open(t, '?epochs=2&n1=4&n2=4&train=30000');
  // What happens, in the order the page shows it.
  const events = [];
  page.on('console', (message) => {
    if (/^Normal - Epoch 1:/.test(message.text())) events.push('Normal epoch 1');
  });
  page.on('worker', (worker) => worker.on('close', () => events.push('worker closed')));
  await page.evaluate(() => {
    const row = document.querySelector('.run-progress[data-method="AYLA"]');
    window.aylaAfterDiverged = [];
    new MutationObserver(() => {
      if (row.dataset.state === 'diverged') window.aylaAfterDiverged.push(row.querySelector('.detail').textContent);
    }).observe(row, { subtree: true, childList: true, characterData: true, attributes: true });
  });
  page.on('console', (message) => {
    if (/^AYLA {3}- Epoch 1: diverged/.test(message.text())) events.push('AYLA diverged');
  });
  await page.click('#train');
  await waitForState(page, 'done');

  const ayla = page.locator('.run-progress[data-method="AYLA"]');
  assert.equal(await ayla.getAttribute('data-state'), 'diverged');
  const [, batch] = (await ayla.locator('.detail').textContent()).match(/^Diverged in epoch 1 at batch (\d+)$/) ?? [];
  assert.ok(Number(batch) >= 1 && Number(batch) <= 5, `diverged at batch ${batch}`);
  assert.equal(await page.locator('.run-progress[data-method="Normal"]').getAttribute('data-state'), 'done');

  const log = await page.textContent('#log');
  assert.match(log, /^Normal - Epoch 1: Loss=\d+\.\d{4}, .*$/m);
  assert.match(log, /^Normal - Epoch 2: Loss=\d+\.\d{4}, .*$/m);
  assert.match(log, /^AYLA {3}- Epoch 1: diverged at batch \d+/m);
  assert.doesNotMatch(log, /^AYLA {3}- Epoch 2/m);
  const statusText = await page.textContent('#status');
  assert.match(statusText, /^Done in \d+:\d\d\. Final val acc: Normal 0\.\d{4}\. AYLA diverged\.$/);

  // The chart marks it: the readout at epoch 1 says so, the export records it.
  await page.focus('#chart');
  await page.keyboard.press('Home');
  assert.match(await page.textContent('#readout'), /AYLA: diverged in this epoch/);
  const record = JSON.parse(await readFile(await save(page, '#export-json'), 'utf8'));
  assert.deepEqual(record.runs.map((r) => [r.method, r.diverged, r.metrics.length]), [['Normal', false, 2], ['AYLA', true, 1]]);

  // AYLA stopped training: nothing overwrote its row once diverged, and its worker was
  // ended before Normal had finished even its first epoch.
  assert.deepEqual(await page.evaluate(() => window.aylaAfterDiverged.filter((text) => !text.startsWith('Diverged'))), []);
  assert.ok(events.indexOf('AYLA diverged') >= 0, events.join(', '));
  assert.ok(events.indexOf('worker closed') >= 0 && events.indexOf('worker closed') < events.indexOf('Normal epoch 1'), events.join(', '));
  await waitForWorkers(page, 0);
  await page.screenshot({ path: `${ARTIFACTS}hardening-diverged.png`, fullPage: true });
  assert.deepEqual(problems, []);
});

// The long run's page-side checks (tests/e2e/long-run.mjs trains on all 60,000 images; the
// page's side does not depend on that, so a small training set keeps this quick).
test('thirty epochs: sixty log lines with the newest in view, epoch labels apart', async (t) => {
  const { page, problems } = await open(t, null);
  await recordCanvasText(page);
  await page.goto(`${server.base}/?epochs=30&train=1000`);
  await waitForState(page, 'idle');
  await page.click('#train');
  await waitForState(page, 'done');
  const lines = (await page.textContent('#log')).trimEnd().split('\n');
  assert.equal(lines.length, 60);
  assert.ok(await page.$eval('#log', (log) => log.scrollHeight > log.clientHeight), 'the log box scrolls');
  assert.ok(await logShowsNewestLine(page), 'the newest log line is in view');
  const labels = await epochLabels(page);
  const panelLabels = ['5', '10', '15', '20', '25', '30'];
  assert.deepEqual(labels.map((l) => l.text), [...panelLabels, ...panelLabels, ...panelLabels]);
  for (let i = 1; i < labels.length; i += 1) {
    assert.ok(labels[i].left - labels[i - 1].right >= 4, `labels overlap: ${JSON.stringify(labels.slice(i - 1, i + 1))}`);
  }
  assert.deepEqual(problems, []);
});

// Twenty runs without a reload: sixteen stopped after 250 batches, four that finish. After
// each: no worker left alive; the page's heap after a full GC; the renderer processes'
// resident memory (the page, and any worker left). During each stopped run: the renderer's
// memory again, whose excess over the idle page is what the two workers hold (their wasm
// memory, the data moved into them). The last run must be within 10 % of the second (the
// first pays for one-time set-up: the data set downloaded and kept, compiled code).
test('twenty runs in a row leave the page and worker memory flat', async (t) => {
  const { page, problems } = await open(t, '?epochs=20&train=12000');
  const after = [];
  const during = [];
  const ratio = (a, b) => `${((100 * (b - a)) / a).toFixed(1)} %`;
  for (let run = 1; run <= 20; run += 1) {
    const finishes = run % 5 === 0;
    await page.fill('#epochs', finishes ? '1' : '20');
    await page.fill('#train-size', finishes ? '3000' : '12000');
    await page.click('#train');
    if (finishes) {
      await waitForState(page, 'done');
    } else {
      // 250 batches of 128 (94 per epoch) done by the Normal worker, of 1,880.
      await page.waitForFunction(
        () => {
          const text = document.querySelector('.run-progress[data-method="Normal"] .detail').textContent;
          const [, epoch, batch, batches] = text.match(/^Epoch (\d+)\/\d+ · batch (\d+)\/(\d+)/) ?? [];
          return epoch && (epoch - 1) * batches + Number(batch) >= 250;
        },
        null,
        { timeout: 60_000, polling: 50 },
      );
      const workers = await workerMemory(page);
      assert.equal(workers.length, 2, `run ${run}: two workers train`);
      during[run] = { workers, renderers: await rendererMemory(browser) };
      await page.click('#stop');
      assert.equal(await page.getAttribute('#status', 'data-state'), 'stopped');
    }
    // Chromium ends a worker that is busy in wasm up to 2 s after terminate().
    await waitForWorkers(page, 0);
    after[run] = { ...(await pageMemory(page)), renderers: await rendererMemory(browser) };
    const a = after[run];
    const d = during[run];
    const workerText = d
      ? `during: renderers ${MiB(d.renderers)} (workers' share ${MiB(d.renderers - a.renderers)}), worker heaps ${d.workers.map((w) => MiB(w.heap)).join(' + ')}, worker buffers ${d.workers.map((w) => MiB(w.buffers)).join(' + ')}`
      : 'finished';
    console.log(
      `run ${String(run).padStart(2)}: after: page heap ${MiB(a.heap)}, page buffers ${MiB(a.buffers)}, renderers ${MiB(a.renderers)}, live workers ${page.workers().length}; ${workerText}`,
    );
  }
  const within = (label, second, last) => {
    console.log(`${label}: run 2 ${MiB(second)}, last ${MiB(last)} (${ratio(second, last)})`);
    assert.ok(Math.abs(last - second) <= 0.1 * second, `${label}: second ${MiB(second)}, last ${MiB(last)}`);
  };
  within('page heap', after[2].heap, after[20].heap);
  within('page buffers', after[2].buffers, after[20].buffers);
  if (after[2].renderers !== null) {
    within('renderers after the run', after[2].renderers, after[20].renderers);
    const share = (run) => during[run].renderers - after[run].renderers;
    within("workers' share during the run", share(2), share(19));
  }
  assert.deepEqual(problems, []);
});

test('offline before the first download: a clear message, and Train works once back online', async (t) => {
  const { context, page, problems } = await open(t, '?epochs=1&train=1000');
  await context.setOffline(true);
  await page.click('#train');
  await waitForState(page, 'error');
  assert.match(await page.textContent('#status'), /^Could not download data\/.*: the network request failed\. Check the connection and try again/);
  await controlsBack(page);
  await context.setOffline(false);
  await page.click('#train');
  await waitForState(page, 'done');
  // The failed downloads are the point; nothing else went wrong.
  assert.deepEqual(problems.filter((p) => !/Failed to load resource/.test(p)), []);
});

test('a worker that cannot be loaded is reported and the controls come back', async (t) => {
  const { page } = await open(t, '?epochs=1&train=1000', { serviceWorkers: 'block' });
  await page.route('**/worker.js', (route) => route.fulfill({ status: 404, body: 'not found' }));
  await page.click('#train');
  await waitForState(page, 'error');
  assert.match(await page.textContent('#status'), /^(The (Normal|AYLA)|A training) worker failed: it could not be loaded\./);
  await controlsBack(page);
  await waitForWorkers(page, 0);
  await page.unroute('**/worker.js');
  await page.click('#train');
  await waitForState(page, 'done');
});

test('a wasm module that cannot be loaded is named, in the page and in a worker', async (t) => {
  // The page's own copy: the page cannot start, says why, and nothing can be pressed.
  for (const [answer, detail] of [
    [(route) => route.fulfill({ status: 404, body: 'not found' }), /404 Not Found/],
    [(route) => route.fulfill({ status: 200, contentType: 'application/wasm', body: 'garbage!' }), /expected magic word/],
  ]) {
    const { page } = await open(t, null);
    await page.route('**/pkg/ayla_bg.wasm', answer);
    await page.goto(`${server.base}/?epochs=1&train=1000`);
    await waitForState(page, 'error');
    const text = await page.textContent('#status');
    assert.match(text, /^The page could not start: its WebAssembly module \(pkg\/ayla_bg\.wasm\) could not be loaded/);
    assert.match(text, detail);
    assert.match(text, /Reload the page to try again/);
    // Nothing can run without the module: Train stays off rather than failing again.
    assert.equal(await page.isDisabled('#train'), true);
    assert.equal(await page.isDisabled('#stop'), true);
  }
  // A worker's copy (the page loaded, then the module went missing).
  const { page } = await open(t, '?epochs=1&train=1000', { serviceWorkers: 'block' });
  await page.route('**/pkg/ayla_bg.wasm', (route) => route.fulfill({ status: 404, body: 'not found' }));
  await page.click('#train');
  await waitForState(page, 'error');
  assert.match(await page.textContent('#status'), /^(The (Normal|AYLA)|A training) worker failed: .*404 Not Found.*ayla_bg\.wasm/);
  await controlsBack(page);
});

test('once loaded, the page trains offline', async (t) => {
  const { context, page, problems } = await open(t, '?epochs=1&train=2000');
  await page.click('#train');
  await waitForState(page, 'done');
  const firstLog = await page.textContent('#log');
  await context.setOffline(true);
  await page.fill('#epochs', '2');
  await page.click('#train');
  await waitForState(page, 'done');
  const log = await page.textContent('#log');
  assert.match(log, /^Normal - Epoch 2:/m);
  assert.match(log, /^AYLA {3}- Epoch 2:/m);
  // Same parameters for epoch 1, same numbers: the same code ran.
  const epochOne = (text) => text.split('\n').filter((line) => / - Epoch 1:/.test(line)).sort();
  assert.deepEqual(epochOne(log), epochOne(firstLog));
  assert.deepEqual(problems, []);
});
