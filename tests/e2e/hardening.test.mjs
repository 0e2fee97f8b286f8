// End-to-end hardening checks (issue 7) on the real page in headless Chromium: the strict
// Content-Security-Policy holds and nothing leaves the origin, a diverging run is handled,
// twenty runs in a row leave no worker and the page's heap flat, and failures (offline, a
// worker or the wasm module that does not load) end in a clear message with the controls
// back. Each test opens its own browser context, so none depends on another's state.
// Chromium only: these checks use the DevTools protocol and request interception
// (chromium-tools.mjs); the main path runs in every engine (page, sweep, worker-faults).

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { epochLabels, logShowsNewestLine, recordCanvasText } from './chart-text.mjs';
import { pageMemory, watchPolicy, workerMemory } from './chromium-tools.mjs';
import {
  ENGINES,
  attribute,
  isDisabled,
  isVisible,
  save as saveDownload,
  screenshot,
  startForGroup,
  state,
  text,
  waitForState,
  waitForWorkers,
} from './harness.mjs';
import { runsInARow } from './runs-in-a-row.mjs';

const POLICY =
  "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; worker-src 'self'; style-src 'self'; img-src 'self' blob: data:; connect-src 'self'";

// Chromium only: skipped when BROWSERS leaves it out.
describe('chromium', { skip: !ENGINES.includes('chromium') && 'BROWSERS leaves Chromium out' }, () => {
  let server;
  let browser;
  startForGroup('chromium', null, (started) => ({ server, browser } = started));

  // A fresh context and page for test `t` (closed when it ends, passed or not), at `query`
  // once the page has finished starting (null: not navigated yet). `serviceWorkers:
  // 'block'` for a test of files the server fails to deliver once the page runs: a
  // service worker would serve the build it keeps.
  async function open(t, query, { watch = false, serviceWorkers = 'allow' } = {}) {
    const page = await browser.open({ serviceWorkers });
    t.after(() => page.close());
    const seen = watch ? await watchPolicy(page, server.base) : null;
    if (query !== null) {
      await page.goto(`${server.base}/${query}`);
      await waitForState(page, 'idle');
      // The page has finished starting: its offline support comes last.
      if (serviceWorkers === 'allow') {
        await page.waitFor(() => document.documentElement.dataset.offline === 'ready', null, { what: 'offline support' });
      }
    }
    return { page, seen };
  }

  const controlsBack = async (page) => {
    assert.equal(await isDisabled(page, '#train'), false, 'Train is usable again');
    assert.equal(await isDisabled(page, '#stop'), true, 'Stop is disabled');
  };

  const save = async (page, button) => (await saveDownload(page, button, 'hardening-')).path;

  // Resolves once `found()` is true, polling; rejects after `timeout` ms.
  async function eventually(found, what, timeout = 5_000) {
    const until = Date.now() + timeout;
    while (!found()) {
      if (Date.now() > until) throw new Error(`waited ${timeout} ms for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  test('the page runs under the strict policy: no violation, no request leaves the site', async (t) => {
    const { page, seen } = await open(t, null, { watch: true });
    await page.goto(`${server.base}/?epochs=2&train=3000`);
    await waitForState(page, 'idle');
    assert.equal(await attribute(page, 'meta[http-equiv="Content-Security-Policy"]', 'content'), POLICY);

    // The watch itself works: an inline style attribute is blocked and reported.
    await page.evaluate(() => document.body.setAttribute('style', 'outline: 1px solid red'));
    await eventually(() => seen.violations.some((v) => v.includes('style-src')), `the probe's report (seen: ${seen.violations})`);
    await page.evaluate(() => document.body.removeAttribute('style'));
    seen.violations.length = 0;
    page.problems.length = 0; // the probe's own console error

    await page.click('#train');
    await waitForState(page, 'done');
    // Everything that draws or shows text: readout (positioned through CSSOM), a hidden
    // series, the keyboard readout, and the three exports.
    await page.hover('#chart', 1 / 6, 1 / 2);
    assert.equal(await isVisible(page, '#readout'), true);
    await page.moveAway();
    await page.raw.getByLabel('Val accuracy').first().uncheck();
    await page.press('#chart', 'ArrowRight');
    await save(page, '#export-png');
    await save(page, '#export-json');
    await save(page, '#export-csv');
    // Stop and a second run, to cover a restart too (long enough to be stopped mid-run:
    // a few epochs of 3,000 images end between two polls).
    await page.fill('#epochs', '40');
    await page.click('#train');
    await page.waitFor(() => document.querySelector('.run-progress progress').value > 1, null, { timeout: 60_000, what: 'progress' });
    await page.click('#stop');
    await waitForWorkers(page, 0);
    // A small sweep: its table, heat map (drawn through the same canvas backend) and exports.
    await page.goto(`${server.base}/?mode=sweep&epochs=1&n1=0.9,1&n2=1&seeds=1&train=1000`);
    await waitForState(page, 'idle');
    await page.click('#train');
    await waitForState(page, 'done', 120_000);
    await page.clickAt('#heatmap', 1 / 2, 1 / 2);
    await save(page, '#export-heatmap');
    await save(page, '#export-sweep-csv');

    assert.deepEqual(seen.violations, []);
    assert.deepEqual(seen.foreign, []);
    assert.deepEqual(page.problems, []);
  });

  test('a diverging AYLA run is marked, its worker ends while Normal trains on, and Normal finishes', async (t) => {
    // Normal's two epochs on 60,000 images take seconds; AYLA diverges within 5 batches.
    const { page } = await open(t, '?epochs=2&n1=4&n2=4&train=60000');
    await page.evaluate(() => {
      const row = document.querySelector('.run-progress[data-method="AYLA"]');
      window.aylaAfterDiverged = [];
      new MutationObserver(() => {
        if (row.dataset.state === 'diverged') window.aylaAfterDiverged.push(row.querySelector('.detail').textContent);
      }).observe(row, { subtree: true, childList: true, characterData: true, attributes: true });
    });
    await page.click('#train');
    await page.waitFor(() => document.querySelector('.run-progress[data-method="AYLA"]').dataset.state === 'diverged', null, {
      what: 'AYLA diverged',
    });
    // AYLA stopped training: its worker is gone while Normal's still trains.
    await waitForWorkers(page, 1);
    assert.equal(await state(page), 'training', 'Normal still trains');
    assert.equal(await page.workers(), 1);
    await waitForState(page, 'done');

    const ayla = '.run-progress[data-method="AYLA"]';
    assert.equal(await attribute(page, ayla, 'data-state'), 'diverged');
    const [, batch] = (await text(page, `${ayla} .detail`)).match(/^Diverged in epoch 1 at batch (\d+)$/) ?? [];
    assert.ok(Number(batch) >= 1 && Number(batch) <= 5, `diverged at batch ${batch}`);
    assert.equal(await attribute(page, '.run-progress[data-method="Normal"]', 'data-state'), 'done');

    const log = await text(page, '#log');
    assert.match(log, /^Normal - Epoch 1: Loss=\d+\.\d{4}, .*$/m);
    assert.match(log, /^Normal - Epoch 2: Loss=\d+\.\d{4}, .*$/m);
    assert.match(log, /^AYLA {3}- Epoch 1: diverged at batch \d+/m);
    assert.doesNotMatch(log, /^AYLA {3}- Epoch 2/m);
    assert.match(await text(page, '#status'), /^Done in \d+:\d\d\. Final val acc: Normal 0\.\d{4}\. AYLA diverged\.$/);

    // The chart marks it: the readout at epoch 1 says so, the export records it.
    await page.press('#chart', 'Home');
    assert.match(await text(page, '#readout'), /AYLA: diverged in this epoch/);
    const record = JSON.parse(await readFile(await save(page, '#export-json'), 'utf8'));
    assert.deepEqual(record.runs.map((r) => [r.method, r.diverged, r.metrics.length]), [['Normal', false, 2], ['AYLA', true, 1]]);

    // Nothing overwrote AYLA's row once it diverged.
    assert.deepEqual(await page.evaluate(() => window.aylaAfterDiverged.filter((detail) => !detail.startsWith('Diverged'))), []);
    await waitForWorkers(page, 0);
    await screenshot(page, 'hardening-diverged');
    assert.deepEqual(page.problems, []);
  });

  // The long run's page-side checks (tests/e2e/long-run.mjs trains on all 60,000 images; the
  // page's side does not depend on that, so a small training set keeps this quick).
  test('thirty epochs: sixty log lines with the newest in view, epoch labels apart', async (t) => {
    const { page } = await open(t, null);
    await recordCanvasText(page);
    await page.goto(`${server.base}/?epochs=30&train=1000`);
    await waitForState(page, 'idle');
    await page.click('#train');
    await waitForState(page, 'done');
    const lines = (await text(page, '#log')).trimEnd().split('\n');
    assert.equal(lines.length, 60);
    assert.ok(await page.evaluate(() => document.getElementById('log').scrollHeight > document.getElementById('log').clientHeight), 'the log box scrolls');
    assert.ok(await logShowsNewestLine(page), 'the newest log line is in view');
    const labels = await epochLabels(page);
    const panelLabels = ['5', '10', '15', '20', '25', '30'];
    assert.deepEqual(labels.map((l) => l.text), [...panelLabels, ...panelLabels, ...panelLabels]);
    for (let i = 1; i < labels.length; i += 1) {
      assert.ok(labels[i].left - labels[i - 1].right >= 4, `labels overlap: ${JSON.stringify(labels.slice(i - 1, i + 1))}`);
    }
    assert.deepEqual(page.problems, []);
  });

  // Twenty runs without a reload (runs-in-a-row.mjs): two workers train in each stopped run,
  // none is left after any run, and the page's heap and buffers after a full garbage
  // collection stay within 10 % of the second run's (the first pays for one-time set-up:
  // the data set downloaded and kept, compiled code). These are exact heap readings; the
  // resident memory of the processes, which jumps by tens of MiB from reading to reading,
  // is printed by memory.mjs instead.
  test('twenty runs in a row leave no worker and the page heap flat', async (t) => {
    const { page } = await open(t, '?epochs=20&train=12000');
    const heaps = [];
    await runsInARow(page, 20, {
      during: async (run) => {
        const workers = await workerMemory(page);
        assert.equal(workers.length, 2, `run ${run}: two workers train`);
      },
      after: async (run) => {
        heaps[run] = await pageMemory(page);
      },
    });
    for (const key of ['heap', 'buffers']) {
      const [second, last] = [heaps[2][key], heaps[20][key]];
      console.log(`page ${key}: run 2 ${(second / 2 ** 20).toFixed(2)} MiB, run 20 ${(last / 2 ** 20).toFixed(2)} MiB`);
      assert.ok(Math.abs(last - second) <= 0.1 * second, `page ${key}: run 2 ${second} B, run 20 ${last} B`);
    }
    assert.deepEqual(page.problems, []);
  });

  test('offline before the first download: a clear message, and Train works once back online', async (t) => {
    const { page } = await open(t, '?epochs=1&train=1000');
    await page.raw.context().setOffline(true);
    await page.click('#train');
    await waitForState(page, 'error');
    assert.match(await text(page, '#status'), /^Could not download data\/.*: the network request failed\. Check the connection and try again/);
    await controlsBack(page);
    await page.raw.context().setOffline(false);
    await page.click('#train');
    await waitForState(page, 'done');
    // The failed downloads are the point; nothing else went wrong.
    assert.deepEqual(page.problems.filter((p) => !/Failed to load resource/.test(p)), []);
  });

  test('a worker that cannot be loaded is reported and the controls come back', async (t) => {
    const { page } = await open(t, '?epochs=1&train=1000', { serviceWorkers: 'block' });
    await page.raw.route('**/worker.js', (route) => route.fulfill({ status: 404, body: 'not found' }));
    await page.click('#train');
    await waitForState(page, 'error');
    assert.match(await text(page, '#status'), /^(The (Normal|AYLA)|A training) worker failed: it could not be loaded\./);
    await controlsBack(page);
    await waitForWorkers(page, 0);
    await page.raw.unroute('**/worker.js');
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
      await page.raw.route('**/pkg/ayla_bg.wasm', answer);
      await page.goto(`${server.base}/?epochs=1&train=1000`);
      await waitForState(page, 'error');
      const status = await text(page, '#status');
      assert.match(status, /^The page could not start: its WebAssembly module \(pkg\/ayla_bg\.wasm\) could not be loaded/);
      assert.match(status, detail);
      assert.match(status, /Reload the page to try again/);
      // Nothing can run without the module: Train stays off rather than failing again.
      assert.equal(await isDisabled(page, '#train'), true);
      assert.equal(await isDisabled(page, '#stop'), true);
    }
    // A worker's copy (the page loaded, then the module went missing).
    const { page } = await open(t, '?epochs=1&train=1000', { serviceWorkers: 'block' });
    await page.raw.route('**/pkg/ayla_bg.wasm', (route) => route.fulfill({ status: 404, body: 'not found' }));
    await page.click('#train');
    await waitForState(page, 'error');
    assert.match(await text(page, '#status'), /^(The (Normal|AYLA)|A training) worker failed: .*404 Not Found.*ayla_bg\.wasm/);
    await controlsBack(page);
  });

  test('once loaded, the page trains offline', async (t) => {
    const { page } = await open(t, '?epochs=1&train=2000');
    await page.click('#train');
    await waitForState(page, 'done');
    const firstLog = await text(page, '#log');
    await page.raw.context().setOffline(true);
    await page.fill('#epochs', '2');
    await page.click('#train');
    await waitForState(page, 'done');
    const log = await text(page, '#log');
    assert.match(log, /^Normal - Epoch 2:/m);
    assert.match(log, /^AYLA {3}- Epoch 2:/m);
    // Same parameters for epoch 1, same numbers: the same code ran.
    const epochOne = (lines) => lines.split('\n').filter((line) => / - Epoch 1:/.test(line)).sort();
    assert.deepEqual(epochOne(log), epochOne(firstLog));
    assert.deepEqual(page.problems, []);
  });
});
