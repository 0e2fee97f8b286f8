// Opening a sweep's results: a page export (here one the page itself saved) opens into the
// table, heat map and figure without training; a malformed or foreign file gets a sentence
// and nothing else changes.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { ARTIFACTS, launchChromium, openPage, serveWww, waitForState } from './harness.mjs';

const EXPORT = fileURLToPath(new URL('../fixtures/page_mnist_sweep.json', import.meta.url));

let server;
let browser;
let page;
let problems;

before(async () => {
  server = await serveWww();
  browser = await launchChromium();
  ({ page, problems } = await openPage(browser));
  await page.goto(`${server.base}/`);
  await waitForState(page, 'idle');
});

after(async () => {
  await browser?.close();
  server?.close();
});

const tableRows = () => page.$$eval('#sweep-table tbody tr', (rows) => rows.map((r) => [...r.cells].map((c) => c.textContent)));

test('an exported sweep opens into the table, the heat map and the figure', async () => {
  const exported = JSON.parse(await (await import('node:fs/promises')).readFile(EXPORT, 'utf8'));
  await page.setInputFiles('#open-results', EXPORT);
  await waitForState(page, 'done');
  assert.match(await page.textContent('#status'), /^Opened page_mnist_sweep\.json: \d+ runs? of \d+ finished\./);
  assert.equal(await page.isVisible('#sweep'), true);
  const rows = await tableRows();
  assert.equal(rows.length, exported.rows.length);
  assert.equal(rows[0][0], 'Normal');
  // The table's gains are the export's, as the page writes them.
  const gains = exported.rows.filter((r) => r.gain).map((r) => (r.gain.mean * 100).toFixed(2));
  const shown = rows.map((r) => r[6]).filter((g) => g !== '–').map((g) => g.replace('−', '-').replace('+', '').split(' ')[0]);
  assert.deepEqual(shown.sort(), gains.map((g) => (Number(g) === 0 ? '0.00' : g)).sort());
  assert.match(await page.textContent('#sweep-selection'), /^Comparison figure below: N1 .* against Normal, seed \d+/);
  assert.equal(await page.isDisabled('#export-sweep-csv'), false);
  assert.equal(await page.isDisabled('#export-png'), false);
  // The inputs and the link are the sweep's.
  assert.equal(await page.isChecked('input[name="mode"][value="sweep"]'), true);
  assert.equal(await page.inputValue('#n1'), exported.parameters.n1.join(','));
  assert.equal(new URL(page.url()).search, `?${exported.query}`);
  await page.screenshot({ path: `${ARTIFACTS}opened-sweep.png`, fullPage: true });
});

test('a file that is not a sweep export gets a sentence and changes nothing else', async () => {
  const before = await tableRows();
  for (const [name, text, sentence] of [
    ['notes.json', '{ not json', /^notes\.json cannot be opened: .*not JSON/i],
    ['run.json', JSON.stringify({ parameters: { epochs: 5 }, query: 'epochs=5', runs: [] }), /^run\.json cannot be opened: /],
  ]) {
    const path = `${ARTIFACTS}${name}`;
    await writeFile(path, text);
    await page.setInputFiles('#open-results', path);
    await page.waitForFunction((n) => document.getElementById('status').textContent.startsWith(`${n} `), name);
    assert.equal(await page.getAttribute('#status', 'data-state'), 'error');
    assert.match(await page.textContent('#status'), sentence);
    assert.deepEqual(await tableRows(), before, 'the table is as it was');
    assert.equal(await page.isDisabled('#train'), false);
  }
  assert.deepEqual(problems, []);
});
