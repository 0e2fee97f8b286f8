// End-to-end: sweep mode on the real page in headless Chromium. A small grid runs through
// the worker pool; the table, heat map, comparison figure and exports are checked, and a
// diverging setting must not stop the others. Needs the built page (make build).

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { ARTIFACTS, launchChromium, openPage, save as saveDownload, serveWww, waitForState } from './harness.mjs';

let server;
let browser;
let page;
let problems;

before(async () => {
  server = await serveWww();
  browser = await launchChromium();
  ({ page, problems } = await openPage(browser, { width: 1400, height: 1000 }));
});

after(async () => {
  await browser?.close();
  server?.close();
});

// 2 × 2 grid, one seed, one epoch on 3,000 images. N1 = 4 diverges within a few steps (the
// loss starts above 1, where N1 applies); N1 = 0.9 does not.
const SMALL = 'mode=sweep&epochs=1&n1=0.9,4&n2=1,4&seeds=1&train=3000&seed=5';

const tableRows = () =>
  page.$$eval('#sweep-table tbody tr', (rows) => rows.map((r) => [...r.cells].map((c) => c.textContent)));
const header = () => page.$$eval('#sweep-table thead th', (cells) => cells.map((c) => c.textContent));
const pixels = (id) => page.evaluate((i) => document.getElementById(i).toDataURL(), id);

const save = (button) => saveDownload(page, button);

test('a sweep link fills the inputs and shows the grid size and time before starting', async () => {
  await page.goto(`${server.base}/?${SMALL}`);
  await waitForState(page, 'idle');
  assert.equal(await page.isChecked('input[name="mode"][value="sweep"]'), true);
  assert.equal(await page.inputValue('#n1'), '0.9,4');
  assert.equal(await page.isVisible('#seeds'), true);
  assert.equal(await page.textContent('#train'), 'Run sweep');
  const plan = await page.textContent('#sweep-plan');
  assert.match(plan, /^2 × 2 settings × 1 seed, plus Normal: 5 runs on \d workers?, about \d+:\d\d \(speed measured by the bench\)\.$/);
  // The plan follows what is typed.
  await page.fill('#seeds', '3');
  assert.match(await page.textContent('#sweep-plan'), /^2 × 2 settings × 3 seeds, plus Normal: 15 runs/);
  await page.fill('#seeds', '1');
  // Single-run mode hides the sweep's inputs.
  await page.check('input[name="mode"][value="single"]');
  assert.equal(await page.isVisible('#seeds'), false);
  assert.equal(await page.isVisible('#sweep-plan'), false);
  await page.check('input[name="mode"][value="sweep"]');
});

test('an over-large grid or a bad range is refused with a clear message', async () => {
  await page.fill('#n1', '0.1:1.2:0.1');
  await page.fill('#n2', '0.1:1.2:0.1');
  await page.fill('#seeds', '3');
  await page.click('#train');
  assert.equal(await page.getAttribute('#n1', 'aria-invalid'), 'true');
  assert.match(await page.textContent('#n1-error'), /would be 435 runs .* the limit is 300/);
  assert.equal(await page.getAttribute('#status', 'data-state'), 'idle');
  await page.fill('#n2', '1:0.5:0.1');
  await page.click('#train');
  assert.equal(await page.textContent('#n2-error'), 'In “1:0.5:0.1” the stop is below the start.');
  await page.screenshot({ path: `${ARTIFACTS}sweep-invalid.png`, fullPage: true });
});

test('a 2 × 2 sweep runs through the pool; the diverging setting does not stop the others', async () => {
  await page.goto(`${server.base}/?${SMALL}`);
  await waitForState(page, 'idle');
  const blankHeat = await pixels('heatmap');
  await page.click('#train');
  await waitForState(page, 'done', 180_000);
  assert.deepEqual(problems, []);
  assert.match(page.url(), /\?mode=sweep&epochs=1&n1=0\.9,4&n2=1,4&batch=128&lr=0\.01&hidden=128&seed=5&train=3000&seeds=1$/);
  assert.match(await page.textContent('#status'), /^Sweep done in \d+:\d\d: 5 runs\. Best: N1 [\d.]+, N2 [\d.]+ .*2 settings diverged\.$/);

  assert.equal((await header()).length, 10);
  const rows = await tableRows();
  assert.equal(rows.length, 5, JSON.stringify(rows));
  assert.equal(rows[0][0], 'Normal');
  const settings = rows.slice(1).map((r) => `${r[0]},${r[1]}`).sort();
  assert.deepEqual(settings, ['0.9,1', '0.9,4', '4,1', '4,4']);
  for (const row of rows) assert.equal(row[8], '1/1', `every run finished: ${row}`);
  for (const row of rows.slice(1)) {
    assert.equal(row[9], row[0] === '4' ? '1' : '', `only N1 = 4 diverged: ${row}`);
  }
  const diverged = rows.find((r) => r[0] === '4' && r[1] === '4');
  assert.equal(diverged[2], '–', 'a diverged run has no final accuracy');
  const unit = rows.find((r) => r[0] === '0.9' && r[1] === '1');
  assert.match(unit[2], /^0\.\d{4}$/);
  assert.match(unit[6], /^[+−]\d+\.\d\d$/);

  // Each run's log line carries its setting; the diverged one says so.
  const log = await page.textContent('#log');
  assert.equal(log.trim().split('\n').length, 5, log);
  assert.match(log, /^\[N1 4, N2 4, seed 5\] AYLA {3}- Epoch 1: diverged at batch [1-5] /m);
  assert.match(log, /^\[Normal, seed 5\] Normal - Epoch 1: Loss=/m);

  assert.notEqual(await pixels('heatmap'), blankHeat, 'the heat map was drawn');
  await page.screenshot({ path: `${ARTIFACTS}sweep-done.png`, fullPage: true });

  // Sorting by final val acc, descending then ascending; Normal stays on top.
  const finalAcc = async () => (await tableRows()).slice(1).map((r) => r[2]).filter((v) => v !== '–');
  await page.click('#sweep-table th[data-key="final_val_accuracy"] button');
  const descending = await finalAcc();
  assert.deepEqual(descending, [...descending].sort().reverse());
  assert.equal(await page.getAttribute('#sweep-table th[data-key="final_val_accuracy"]', 'aria-sort'), 'descending');
  await page.click('#sweep-table th[data-key="final_val_accuracy"] button');
  assert.deepEqual(await finalAcc(), [...descending].reverse());
  assert.equal((await tableRows())[0][0], 'Normal');
});

test('clicking a heat map cell shows that setting against Normal in the figure', async () => {
  const box = await page.locator('#heatmap').boundingBox();
  // The figure starts on the table's top row. With 24 steps the loss may never fall below
  // 1, so N2 = 1 and N2 = 4 can train identically and tie for the top: start from another
  // setting, so the click below has something to change.
  if (/N1 0\.9, N2 4 against/.test(await page.textContent('#sweep-selection'))) {
    await page.focus('#heatmap');
    await page.keyboard.press('ArrowDown');
  }
  const chartBefore = await pixels('chart');
  // Click across the canvas until the caption names N1 0.9, N2 4 (left column, top row):
  // the test does not assume where the cells are drawn.
  let found = false;
  search: for (let fy = 0.05; fy < 1; fy += 0.1) {
    for (let fx = 0.05; fx < 1; fx += 0.1) {
      await page.mouse.click(box.x + box.width * fx, box.y + box.height * fy);
      if (/N1 0\.9, N2 4 against Normal, seed 5/.test(await page.textContent('#sweep-selection'))) {
        found = true;
        break search;
      }
    }
  }
  assert.ok(found, await page.textContent('#sweep-selection'));
  assert.notEqual(await pixels('chart'), chartBefore, 'the comparison figure changed');
  const selected = await page.$$eval('#sweep-table tr[aria-selected="true"]', (rows) => rows.map((r) => r.cells[0].textContent + ',' + r.cells[1].textContent));
  assert.deepEqual(selected, ['0.9,4']);
  // The arrow keys move the choice: right is N1 = 4.
  await page.focus('#heatmap');
  await page.keyboard.press('ArrowRight');
  assert.match(await page.textContent('#sweep-selection'), /N1 4, N2 4 against Normal, seed 5/);
});

test('the table exports as CSV and JSON, and the heat map as PNG', async () => {
  const csv = await save('#export-sweep-csv');
  assert.equal(csv.name, 'mnist_sweep.csv');
  const lines = csv.bytes.toString().trim().split('\n');
  assert.equal(lines.length, 6);
  assert.match(lines[0], /^epochs,batch,lr,hidden,seed,train,seeds,method,n1,n2,runs_done,/);
  assert.match(lines[1], /^1,128,0\.01,128,5,3000,1,Normal,,,1,1,0,0\.\d+,/);
  assert.ok(lines.some((l) => l.startsWith('1,128,0.01,128,5,3000,1,AYLA,4,4,1,1,1,')), lines.join('\n'));

  const json = JSON.parse((await save('#export-sweep-json')).bytes.toString());
  assert.deepEqual(json.parameters.n1, [0.9, 4]);
  assert.equal(json.parameters.base.train_size, 3000);
  assert.equal(json.runs.length, 5);
  assert.equal(json.rows.length, 5);
  assert.match(json.query, /^mode=sweep&/);

  const png = await save('#export-heatmap');
  assert.equal(png.name, 'mnist_sweep_heatmap.png');
  assert.deepEqual([...png.bytes.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  // IHDR: width and height, big-endian, at bytes 16..24.
  assert.deepEqual([png.bytes.readUInt32BE(16), png.bytes.readUInt32BE(20)], [1200, 900]);
});

test('Stop cancels the remaining runs and keeps the finished ones', async () => {
  await page.goto(`${server.base}/?mode=sweep&epochs=2&n1=0.8,0.9,1&n2=1&seeds=2&train=12000`);
  await waitForState(page, 'idle');
  await page.click('#train');
  // Wait until at least one run is done, then stop.
  await page.waitForFunction(() => /^[1-9]\d* of 8 runs done/.test(document.getElementById('sweep-text').textContent), null, {
    timeout: 120_000,
  });
  await page.click('#stop');
  assert.equal(await page.getAttribute('#status', 'data-state'), 'stopped');
  const done = Number((await page.textContent('#sweep-text')).split(' ')[0]);
  assert.ok(done >= 1 && done < 8, `${done} runs done`);
  const rows = await tableRows();
  assert.equal(rows.length, 4);
  const finished = rows.reduce((sum, r) => sum + Number(r[8].split('/')[0]), 0);
  assert.equal(finished, done, 'the table holds the finished runs');
  assert.equal(await page.isDisabled('#export-sweep-csv'), false);
  assert.equal(await page.isDisabled('#train'), false);
  const workers = await page.$$eval('#pool .run-progress .detail', (cells) => cells.map((c) => c.textContent));
  assert.ok(workers.length >= 1 && workers.every((t) => t === 'Stopped' || t === 'Idle: no runs left'), workers.join(' | '));
  // No worker keeps running after Stop: the log stops growing.
  const log = await page.textContent('#log');
  await page.waitForTimeout(1500);
  assert.equal(await page.textContent('#log'), log);
  assert.deepEqual(problems, []);
});
