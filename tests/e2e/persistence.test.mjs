// End-to-end: nothing is lost (issue 15). MNIST downloads once, compressed, and is kept;
// the page opens and trains offline, from a build the service worker keeps whole; every
// finished epoch is kept in IndexedDB; a sweep interrupted by closing its page resumes to
// the same CSV; the History opens, exports and deletes; a damaged record is skipped with a
// note; a full quota is said and loses nothing kept before; two tabs keep their own records.
// Each test has a browser context of its own (its own storage). Chromium only: these
// checks count responses, go offline, close tabs and fill the quota through playwright and
// the DevTools protocol. Needs `make build`.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { ChromiumPage } from './drivers/chromium.mjs';
import {
  ENGINES,
  attribute,
  isDisabled,
  isVisible,
  save,
  serveWww,
  startForGroup,
  state,
  text,
  waitForState,
} from './harness.mjs';

const RUN = '?epochs=2&train=2000&seed=11';
const SWEEP = '?mode=sweep&epochs=2&n1=0.9,1.1&n2=0.9,1&seeds=1&train=2000&seed=3';

// The build's name, as `make build` stamped it for the service worker.
const BUILD = fileURLToPath(new URL('../../www/build.js', import.meta.url));
const buildVersion = async () => (await readFile(BUILD, 'utf8')).match(/"version": "(\w+)"/)[1];

const visit = async (page, query, base) => {
  await page.goto(`${base}/${query}`);
  await waitForState(page, 'idle');
};

async function train(page, wanted = 'done') {
  await page.click('#train');
  await waitForState(page, wanted, 180_000);
}

// Every line of the log, in order.
const logLines = async (page) => (await text(page, '#log')).trim().split('\n');

// The History's rows as text: [{ what, result, state }], newest first.
const historyRows = (page) =>
  page.evaluate(() =>
    [...document.querySelectorAll('#history-table tbody tr')].map((r) => ({
      what: r.cells[1].textContent,
      result: r.cells[2].textContent,
      state: r.cells[3].textContent,
    })),
  );

// Waits until the History's newest row matches `pattern` ("<result> | <state>").
function waitForHistory(page, pattern, timeout = 120_000) {
  return page.waitFor(
    (source) => {
      const row = document.querySelector('#history-table tbody tr');
      return row && new RegExp(source).test(`${row.cells[2].textContent} | ${row.cells[3].textContent}`);
    },
    pattern.source,
    { timeout, what: `the History's newest row to match ${pattern}` },
  );
}

// Opens the History's row `n` (1: the newest) and waits until the page shows it.
async function openRow(page, n) {
  const row = `#history-table tbody tr:nth-child(${n})`;
  const id = await attribute(page, row, 'data-id');
  await page.click(`${row} button:text("Open")`);
  await page.waitFor((i) => document.querySelector(`#history-table tr[data-id="${i}"]`)?.getAttribute('aria-current') === 'true', id, {
    what: `record ${id} shown`,
  });
}

// Accepts the page's next confirm() and clicks `selector`.
async function confirmClick(page, selector) {
  page.raw.once('dialog', (dialog) => dialog.accept());
  await page.click(selector);
}

describe('chromium', { skip: !ENGINES.includes('chromium') && 'BROWSERS leaves Chromium out' }, () => {
  let server;
  let browser;
  startForGroup('chromium', null, (started) => ({ server, browser } = started));

  // A fresh context (its own storage) and page for test `t`, closed when it ends.
  async function open(t, query = null) {
    const page = await browser.open();
    t.after(() => page.close());
    if (query !== null) await visit(page, query, server.base);
    return page;
  }

  test('MNIST downloads once, compressed; with the network off the page opens and trains', async (t) => {
    const page = await open(t);
    const data = [];
    page.raw.on('requestfinished', async (request) => {
      if (new URL(request.url()).pathname.startsWith('/data/')) data.push((await request.sizes()).responseBodySize);
    });
    await visit(page, RUN, server.base);
    await train(page);
    await page.waitFor(() => document.documentElement.dataset.offline === 'ready', null, { what: 'offline support' });
    const firstVisit = data.reduce((a, b) => a + b, 0);
    console.log(`first visit: ${data.length} data responses, ${firstVisit} bytes`);
    assert.equal(data.length, 4, 'the four files, once each');
    assert.ok(firstVisit <= 12e6, `${firstVisit} bytes of data`);
    assert.match(
      await text(page, '#data-source'),
      /^MNIST, downloaded \(11\.\d MB\), checked against its SHA-256 sums: 60,000 training and 10,000 test images; kept in this browser/,
    );

    // A second visit: nothing downloaded, the same numbers.
    const firstLog = await logLines(page);
    data.length = 0;
    await visit(page, RUN, server.base);
    await train(page);
    console.log(`second visit: ${data.length} data responses`);
    assert.equal(data.length, 0, 'no data requested');
    assert.match(await text(page, '#data-source'), /^MNIST, from this browser, checked against its SHA-256 sums/);
    assert.deepEqual(await logLines(page), firstLog);

    // The build's files are kept under the build's name, beside the data.
    assert.deepEqual((await page.evaluate(() => caches.keys())).sort(), ['ayla-data', `ayla-page-${await buildVersion()}`]);

    // Offline: a reload opens the page from the kept build, and a run trains on the kept data.
    await page.context.setOffline(true);
    await page.raw.reload();
    await waitForState(page, 'idle');
    await page.fill('#seed', '12');
    await train(page);
    assert.equal((await logLines(page)).length, 4);
    assert.deepEqual(page.problems, []);
  });

  test('a new build waits while a page of the old one is open, then replaces it whole', async (t) => {
    // A site of its own, which will serve another build (the same files, another name).
    const site = await serveWww();
    t.after(() => site.close());
    const NEXT = '0123456789abcdef';
    const page = await open(t);
    await visit(page, RUN, site.base);
    await page.waitFor(() => document.documentElement.dataset.offline === 'ready', null, { what: 'offline support' });
    const builds = async () => (await page.evaluate(() => caches.keys())).filter((name) => name.startsWith('ayla-page-')).sort();
    const old = `ayla-page-${await buildVersion()}`;
    assert.deepEqual(await builds(), [old]);

    site.replace('/build.js', (file) => ({ body: file.replace(/"version": "\w+"/, `"version": "${NEXT}"`) }));
    await page.raw.reload();
    await waitForState(page, 'idle');
    // The new build is kept beside the old one, which still serves this page, and waits.
    await page.waitFor(() => !document.getElementById('update').hidden, null, { what: 'the update offered' });
    assert.deepEqual(await builds(), [old, `ayla-page-${NEXT}`].sort());
    // Reloading into it: it takes over and drops the old build.
    await Promise.all([page.raw.waitForEvent('load'), page.click('#update button')]);
    await waitForState(page, 'idle');
    // The new build's activation (which drops the old cache) ends in its own time.
    for (const until = Date.now() + 10_000; (await builds()).length > 1 && Date.now() < until; ) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    assert.deepEqual(await builds(), [`ayla-page-${NEXT}`]);
    assert.equal(await isVisible(page, '#update'), false);
    assert.deepEqual(page.problems, []);
  });

  test('a sweep interrupted by closing its page shows its finished runs, resumes, and ends with the same CSV', async (t) => {
    const page = await open(t);
    await page.addInitScript(() => {
      // Counts the page's requests for persistent storage (a sweep makes one).
      const persist = navigator.storage.persist.bind(navigator.storage);
      window.persistCalls = 0;
      navigator.storage.persist = () => {
        window.persistCalls += 1;
        return persist();
      };
    });
    await visit(page, SWEEP, server.base);
    await page.click('#train');
    // Close the page once two runs are kept (the History says so once they are written).
    await waitForHistory(page, /\b[2-4] of 5 runs \| Running$/);
    const keptBeforeClosing = Number((await historyRows(page))[0].result.match(/(\d) of 5 runs/)[1]);
    assert.equal(await page.evaluate(() => window.persistCalls), 1, 'the sweep asked to keep the storage');
    await page.raw.close();

    const next = new ChromiumPage(page.context, await page.context.newPage());
    await visit(next, '', server.base);
    const caption = await text(next, '#restored-text');
    const kept = Number(caption.match(/Interrupted after (\d) of 5 runs: the page was closed or crashed\./)?.[1]);
    assert.ok(kept >= keptBeforeClosing && kept < 5, caption);
    console.log(`sweep closed with ${keptBeforeClosing} runs shown kept; the next page shows ${kept}`);
    assert.match(caption, new RegExp(`Resume runs the ${5 - kept === 1 ? 'one' : 5 - kept} left\\.$`));
    // Those runs are back in the table, the log and the History; the link is the sweep's.
    const runsDone = await next.evaluate(() =>
      [...document.querySelectorAll('#sweep-table tbody tr')].map((r) => Number(r.cells[9].textContent.split('/')[0])),
    );
    assert.equal(runsDone.reduce((a, b) => a + b, 0), kept);
    assert.equal((await logLines(next)).length, 2 * kept);
    assert.deepEqual((await historyRows(next)).map((r) => r.state), ['Interrupted']);
    assert.equal(new URL(next.url()).search, '?mode=sweep&epochs=2&n1=0.9,1.1&n2=0.9,1&batch=128&lr=0.01&optimizer=sgd&hidden=128&seed=3&train=2000&validate=test&holdout=10000&seeds=1');

    await next.click('#resume');
    await waitForState(next, 'done', 180_000);
    assert.match(await text(next, '#status'), /^Sweep resumed and done in \d+:\d\d: 5 runs\./);
    assert.equal((await logLines(next)).length, 10);
    await waitForHistory(next, /5 of 5 runs \| Done$/);
    const resumed = (await save(next, '#export-sweep-csv', 'resumed-')).bytes.toString();

    // The same sweep, never interrupted, in a browser context of its own.
    const other = await open(t, SWEEP);
    await train(other);
    const whole = (await save(other, '#export-sweep-csv', 'uninterrupted-')).bytes.toString();
    assert.equal(resumed, whole);
    assert.deepEqual(next.problems, []);
  });

  test('History: open, export and delete', async (t) => {
    const page = await open(t, RUN);
    await train(page);
    const firstLog = await logLines(page);
    await page.fill('#seed', '12');
    await train(page);
    await waitForHistory(page, /2 of 2 epochs \| Done$/);
    const rows = await historyRows(page);
    assert.equal(rows.length, 2);
    assert.match(rows[0].what, /^Single runMNIST: Seed 12 · N1 0\.95 · N2 1 · 2 epochs/);
    assert.match(rows[1].what, /Seed 11/);
    assert.match(rows[1].result, /^Final val acc: Normal 0\.\d{4}, AYLA 0\.\d{4}\. 2 of 2 epochs$/);

    // Open the older run: its figure, log and parameters come back.
    await openRow(page, 2);
    assert.deepEqual(await logLines(page), firstLog);
    assert.match(await text(page, '#run-info'), /^Seed 11 ·/);
    assert.match(await text(page, '#restored-text'), /^Run of .*: Done in \d+:\d\d\. Final val acc/);
    assert.equal(await isDisabled(page, '#export-png'), false);

    const exported = await save(page, '#history-table tbody tr:nth-child(2) button:text("Export")', 'history-');
    assert.equal(exported.name, 'mnist_comparison.json');
    const record = JSON.parse(exported.bytes.toString());
    assert.equal(record.parameters.seed, 11);
    assert.deepEqual(record.runs.map((r) => r.metrics.length), [2, 2]);

    await page.click('#history-table tbody tr:nth-child(1) button:text("Delete")');
    await page.waitFor(() => document.querySelectorAll('#history-table tbody tr').length === 1, null, { what: 'one row left' });
    assert.match((await historyRows(page))[0].what, /Seed 11/);

    await confirmClick(page, '#delete-all');
    await page.waitFor(() => !document.getElementById('history-empty').hidden, null, { what: 'an empty History' });
    assert.equal(await isDisabled(page, '#delete-all'), true);
    // Nothing comes back on the next visit.
    await visit(page, RUN, server.base);
    assert.equal(await isVisible(page, '#restored'), false);
    assert.deepEqual(page.problems, []);
  });

  test('a damaged or foreign record is skipped with a note; the rest still opens', async (t) => {
    const page = await open(t, RUN);
    await train(page);
    await page.fill('#seed', '12');
    await train(page);
    await waitForHistory(page, /2 of 2 epochs \| Done$/);
    // By hand, as a curious user or another version of the page might: the older run's head
    // of another format, the newer run's second Normal epoch cut short, and a record of
    // another shape.
    await page.evaluate(async () => {
      const db = await new Promise((resolve, reject) => {
        const request = indexedDB.open('ayla');
        request.onsuccess = () => resolve(request.result);
        request.onerror = () => reject(request.error);
      });
      const all = (store) =>
        new Promise((resolve) => {
          const request = db.transaction(store).objectStore(store).getAll();
          request.onsuccess = () => resolve(request.result);
        });
      const sessions = (await all('sessions')).sort((a, b) => a.created - b.created);
      const entries = await all('entries');
      const tx = db.transaction(['sessions', 'entries'], 'readwrite');
      tx.objectStore('sessions').put({ ...sessions[0], head: sessions[0].head.replace('"schema":1', '"schema":99') });
      const normalEpoch2 = entries.find((e) => e.session === sessions[1].id && e.text.includes('"job":0') && e.text.includes('"epoch":2'));
      tx.objectStore('entries').put({ ...normalEpoch2, text: normalEpoch2.text.slice(0, 60) });
      tx.objectStore('sessions').put({ id: 'not-ours', hello: 'world' });
      await new Promise((resolve) => (tx.oncomplete = resolve));
    });
    await visit(page, RUN, server.base);
    assert.match(
      await text(page, '#history-note'),
      /^2 stored records could not be read and are not listed\. A stored record was written by another version of this page \(format 99; this one reads format 1\)\. Delete all removes them with the rest\.$/,
    );
    assert.equal((await historyRows(page)).length, 1);
    // The newer run opens without its damaged epoch, and so with Normal not finished.
    assert.match(
      await text(page, '#restored-skipped'),
      /^2 kept entries could not be read and were skipped\. A stored epoch is damaged \(EOF while parsing/,
    );
    assert.match(await text(page, '#restored-text'), /^Run of .*: Finished, but part of what was kept could not be read: 2 of 2 epochs are shown\./);
    assert.deepEqual(
      (await logLines(page)).map((line) => line.slice(0, 16)),
      ['AYLA   - Epoch 1', 'Normal - Epoch 1', 'AYLA   - Epoch 2'],
    );
    // Delete all clears what could not be read too.
    await confirmClick(page, '#delete-all');
    await page.waitFor(() => document.getElementById('history-note').hidden, null, { what: 'the note gone' });
    assert.deepEqual(page.problems, []);
  });

  test('a full quota is said, the run goes on, and nothing kept before is lost', async (t) => {
    const page = await open(t, RUN);
    await train(page);
    const firstLog = await logLines(page);
    await waitForHistory(page, /2 of 2 epochs \| Done$/);
    // A long run; once its first epoch is kept, the storage is full.
    await page.fill('#epochs', '200');
    await page.fill('#train-size', '60000');
    await page.click('#train');
    await waitForHistory(page, /1 of 200 epochs \| Running$/);
    const cdp = await page.context.newCDPSession(page.raw);
    await cdp.send('Storage.overrideQuotaForOrigin', { origin: server.base, quotaSize: 1 });
    // Chromium's IndexedDB asks for the quota again at most 30 s after it last did, so the
    // first write refused comes within about half a minute.
    await page.waitFor(() => !document.getElementById('store-note').hidden, null, { timeout: 60_000, what: 'the storage note' });
    assert.match(
      await text(page, '#store-note'),
      /^The browser’s storage for this page is full: this run goes on, but what it measures from now on is not kept \(what was kept before is safe\)\. Delete old runs in History to make room\.$/,
    );
    assert.equal(await state(page), 'training', 'the run goes on');
    await page.click('#stop');
    await cdp.send('Storage.overrideQuotaForOrigin', { origin: server.base });

    // What was kept is whole: the first run, and the long one up to the full quota.
    await visit(page, '', server.base);
    assert.deepEqual((await historyRows(page)).map((r) => r.state), ['Interrupted', 'Done']);
    const caption = await text(page, '#restored-text');
    const kept = Number(caption.match(/Interrupted after (\d+) of 200 epochs/)?.[1]);
    assert.ok(kept >= 1 && kept < 200, caption);
    console.log(`full quota: ${kept} epochs of the long run were kept before it`);
    assert.equal(await isVisible(page, '#restored-skipped'), false, 'no entry half-written');
    await openRow(page, 2);
    assert.deepEqual(await logLines(page), firstLog);
    assert.deepEqual(page.problems, []);
  });

  test('two tabs at once keep their own records', async (t) => {
    const LONGER = '?epochs=3&train=12000&seed=11';
    const first = await open(t, LONGER);
    const second = new ChromiumPage(first.context, await first.context.newPage());
    await visit(second, LONGER.replace('seed=11', 'seed=12'), server.base);
    await Promise.all([first.click('#train'), second.click('#train')]);
    // While both train, each sees the other's as running, not interrupted.
    await first.waitFor(
      () => {
        const states = [...document.querySelectorAll('#history-table tbody tr')].map((r) => r.cells[3].textContent);
        return states.length === 2 && states.every((s) => s === 'Running');
      },
      null,
      { what: 'both running in the History' },
    );
    await Promise.all([waitForState(first, 'done'), waitForState(second, 'done')]);
    const logs = { 11: await logLines(first), 12: await logLines(second) };
    await second.waitFor(
      () => [...document.querySelectorAll('#history-table tbody tr')].map((r) => r.cells[3].textContent).join() === 'Done,Done',
      null,
      { what: 'both done in the History' },
    );
    const seeds = (await historyRows(second)).map((r) => r.what.match(/Seed (\d+)/)[1]);
    assert.deepEqual([...seeds].sort(), ['11', '12']);
    // Each record opens to its own tab's log.
    for (const row of [1, 2]) {
      await openRow(second, row);
      const seed = (await text(second, '#run-info')).match(/^Seed (\d+)/)[1];
      assert.equal(seed, seeds[row - 1]);
      assert.deepEqual(await logLines(second), logs[seed]);
    }
    assert.deepEqual([...first.problems, ...second.problems], []);
  });
});
