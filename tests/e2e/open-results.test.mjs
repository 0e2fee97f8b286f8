// Opening a sweep's results: a page export (here one the page itself saved) opens into the
// table, heat map and figure without training; a malformed or foreign file gets a sentence
// and nothing else changes.

import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import {
  eachEngine,
  isChecked,
  isDisabled,
  isVisible,
  screenshot,
  startForGroup,
  state,
  text,
  value,
  waitForState,
} from './harness.mjs';

const EXPORT = fileURLToPath(new URL('../fixtures/page_mnist_sweep.json', import.meta.url));

const tableRows = (page) =>
  page.evaluate(() => [...document.querySelectorAll('#sweep-table tbody tr')].map((r) => [...r.cells].map((c) => c.textContent)));

// Picks one file in the page's "Open sweep results…" input and waits for its status line.
async function open(page, name, buffer) {
  await page.setFiles('#open-results', [{ name, buffer }]);
  await page.waitFor((n) => document.getElementById('status').textContent.includes(n), name, { what: `${name} read` });
}

eachEngine((engine) => {
  let server;
  let page;
  startForGroup(engine, {}, (started) => ({ server, page } = started));

  before(async () => {
    await page.goto(`${server.base}/`);
    await waitForState(page, 'idle');
  });

  test('an exported sweep opens into the table, the heat map and the figure', async () => {
    const bytes = await readFile(EXPORT);
    const exported = JSON.parse(bytes.toString());
    await open(page, 'mnist_sweep.json', bytes);
    assert.equal(await state(page), 'done');
    assert.match(await text(page, '#status'), /^Opened mnist_sweep\.json: \d+ runs? of \d+ finished\./);
    assert.equal(await isVisible(page, '#sweep'), true);
    const rows = await tableRows(page);
    assert.equal(rows.length, exported.rows.length);
    assert.equal(rows[0][0], 'Normal');
    // The table's gains are the export's, as the page writes them (points, two decimals).
    const points = (mean) => `${mean < 0 ? '−' : '+'}${Math.abs(mean * 100).toFixed(2)}`;
    const gains = exported.rows.filter((r) => r.gain).map((r) => points(r.gain.mean)).sort();
    const shown = rows.map((r) => r[7].split(' ')[0]).filter((g) => g !== '–').sort();
    assert.deepEqual(shown, gains);
    assert.match(await text(page, '#sweep-selection'), /^Comparison figure below: N1 .* against Normal, seed \d+/);
    assert.equal(await isDisabled(page, '#export-sweep-csv'), false);
    assert.equal(await isDisabled(page, '#export-png'), false);
    // The inputs and the link are the sweep's.
    assert.equal(await isChecked(page, 'input[name="mode"][value="sweep"]'), true);
    assert.equal(await value(page, '#n1'), exported.parameters.n1.join(','));
    // Every key of the export's link, as it was (fields added since take their defaults).
    const link = new URL(await page.url()).searchParams;
    for (const [key, wanted] of new URLSearchParams(exported.query)) assert.equal(link.get(key), wanted, key);
    await screenshot(page, 'opened-sweep');
  });

  test('a file that is not a sweep export gets a sentence and changes nothing else', async () => {
    const before = await tableRows(page);
    for (const [name, body, sentence] of [
      ['notes.json', '{ not json', /^notes\.json cannot be opened: .*not JSON/i],
      ['run.json', JSON.stringify({ parameters: { epochs: 5 }, query: 'epochs=5', runs: [] }), /^run\.json cannot be opened: /],
    ]) {
      await open(page, name, Buffer.from(body));
      assert.equal(await state(page), 'error');
      assert.match(await text(page, '#status'), sentence);
      assert.deepEqual(await tableRows(page), before, 'the table is as it was');
      assert.equal(await isDisabled(page, '#train'), false);
    }
    assert.deepEqual(page.problems, []);
  });
});
