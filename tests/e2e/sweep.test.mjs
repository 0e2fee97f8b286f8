// End-to-end: sweep mode on the real page, in every engine under test. A small grid runs
// through the worker pool; the table, heat map, comparison figure and exports are checked
// (the gains recomputed from the exported runs), a diverging setting must not stop the
// others, and Stop must leave no worker and nothing moving. Needs the built page (make build).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  PNG_SIGNATURE,
  attribute,
  changesWithin,
  eachEngine,
  isChecked,
  isDisabled,
  isVisible,
  pixels,
  pngFacts,
  save,
  screenshot,
  startForGroup,
  state,
  text,
  value,
  waitForState,
  waitForWorkers,
} from './harness.mjs';

// 2 × 2 grid, two seeds, one epoch on 3,000 images. N1 = 4 diverges within a few steps (the
// loss starts above 1, where N1 applies); N1 = 0.9 does not.
const SMALL = 'mode=sweep&epochs=1&n1=0.9,4&n2=1,4&seeds=2&train=3000&seed=5';

const tableRows = (page) =>
  page.evaluate(() => [...document.querySelectorAll('#sweep-table tbody tr')].map((r) => [...r.cells].map((c) => c.textContent)));
const header = (page) => page.evaluate(() => [...document.querySelectorAll('#sweep-table thead th')].map((c) => c.textContent));
// The table's gain cell ("+1.23 ± 0.45", "−0.10") as a number of points.
const points = (cell) => Number(cell.split(' ± ')[0].replace('−', '-'));

eachEngine((engine) => {
  let server;
  let page;
  startForGroup(engine, { viewport: { width: 1400, height: 1000 } }, (started) => ({ server, page } = started));

  test('a sweep link fills the inputs and shows the grid size and time before starting', async () => {
    await page.goto(`${server.base}/?${SMALL}`);
    await waitForState(page, 'idle');
    assert.equal(await isChecked(page, 'input[name="mode"][value="sweep"]'), true);
    assert.equal(await value(page, '#n1'), '0.9,4');
    assert.equal(await isVisible(page, '#seeds'), true);
    assert.equal(await text(page, '#train'), 'Run sweep');
    const plan = await text(page, '#sweep-plan');
    assert.match(plan, /^2 × 2 settings × 2 seeds, plus Normal: 10 runs on \d workers?, about \d+:\d\d \(speed measured by the bench\)\.$/);
    // The plan follows what is typed.
    await page.fill('#seeds', '3');
    assert.match(await text(page, '#sweep-plan'), /^2 × 2 settings × 3 seeds, plus Normal: 15 runs/);
    await page.fill('#seeds', '2');
    // Single-run mode hides the sweep's inputs.
    await page.click('input[name="mode"][value="single"]');
    assert.equal(await isVisible(page, '#seeds'), false);
    assert.equal(await isVisible(page, '#sweep-plan'), false);
    await page.click('input[name="mode"][value="sweep"]');
  });

  test('an over-large grid or a bad range is refused with a clear message', async () => {
    await page.fill('#n1', '0.1:1.2:0.1');
    await page.fill('#n2', '0.1:1.2:0.1');
    await page.fill('#seeds', '3');
    await page.click('#train');
    assert.equal(await attribute(page, '#n1', 'aria-invalid'), 'true');
    assert.match(await text(page, '#n1-error'), /would be 435 runs .* the limit is 300/);
    assert.equal(await state(page), 'idle');
    await page.fill('#n2', '1:0.5:0.1');
    await page.click('#train');
    assert.equal(await text(page, '#n2-error'), 'In “1:0.5:0.1” the stop is below the start.');
    await screenshot(page, 'sweep-invalid');
  });

  test('a 2 × 2 sweep runs through the pool; the diverging setting does not stop the others', async () => {
    await page.goto(`${server.base}/?${SMALL}`);
    await waitForState(page, 'idle');
    const blankHeat = await pixels(page, 'heatmap');
    await page.click('#train');
    await waitForState(page, 'done', 180_000);
    assert.deepEqual(page.problems, []);
    assert.match(
      await page.url(),
      /\?mode=sweep&epochs=1&n1=0\.9,4&n2=1,4&batch=128&lr=0\.01&optimizer=sgd&hidden=128&seed=5&train=3000&validate=test&holdout=10000&seeds=2$/,
    );
    assert.match(await text(page, '#status'), /^Sweep done in \d+:\d\d: 10 runs\. Best: N1 [\d.]+, N2 [\d.]+ .*2 settings diverged\.$/);

    assert.equal((await header(page)).length, 11);
    assert.equal((await header(page))[2], 'LR');
    const rows = await tableRows(page);
    assert.equal(rows.length, 5, JSON.stringify(rows));
    assert.equal(rows[0][0], 'Normal');
    const settings = rows.slice(1).map((r) => `${r[0]},${r[1]}`).sort();
    assert.deepEqual(settings, ['0.9,1', '0.9,4', '4,1', '4,4']);
    for (const row of rows) assert.equal(row[9], '2/2', `every run finished: ${row}`);
    for (const row of rows.slice(1)) {
      assert.equal(row[10], row[0] === '4' ? '2' : '', `only N1 = 4 diverged, in both seeds: ${row}`);
    }
    const diverged = rows.find((r) => r[0] === '4' && r[1] === '4');
    assert.equal(diverged[3], '–', 'a diverged run has no final accuracy');
    const unit = rows.find((r) => r[0] === '0.9' && r[1] === '1');
    assert.equal(unit[2], '0.01');
    assert.match(unit[3], /^0\.\d{4} ± 0\.\d{4}$/);
    assert.match(unit[7], /^[+−]\d+\.\d\d ± \d+\.\d\d$/);

    // Each run's log line carries its setting; the diverged one says so.
    const log = await text(page, '#log');
    assert.equal(log.trim().split('\n').length, 10, log);
    assert.match(log, /^\[N1 4, N2 4, seed 5\] AYLA {3}- Epoch 1: diverged at batch [1-5] /m);
    assert.match(log, /^\[Normal, seed 6\] Normal - Epoch 1: Loss=/m);

    assert.notEqual(await pixels(page, 'heatmap'), blankHeat, 'the heat map was drawn');
    await screenshot(page, 'sweep-done');

    // Sorting by final val acc, descending then ascending; Normal stays on top.
    const finalAcc = async () => (await tableRows(page)).slice(1).map((r) => r[3]).filter((v) => v !== '–');
    await page.click('#sweep-table th[data-key="final_val_accuracy"] button');
    const descending = await finalAcc();
    assert.deepEqual(descending, [...descending].sort().reverse());
    assert.equal(await attribute(page, '#sweep-table th[data-key="final_val_accuracy"]', 'aria-sort'), 'descending');
    await page.click('#sweep-table th[data-key="final_val_accuracy"] button');
    assert.deepEqual(await finalAcc(), [...descending].reverse());
    assert.equal((await tableRows(page))[0][0], 'Normal');
  });

  test('clicking a heat map cell shows that setting against Normal in the figure', async () => {
    // Start from another setting (a table row chooses too), whichever the sweep showed first.
    await page.click('#sweep-table tbody tr:nth-child(2) td');
    const [n1, n2] = await page.evaluate(() => [...document.querySelectorAll('#sweep-table tbody tr:nth-child(2) td')].slice(0, 2).map((c) => c.textContent));
    if (n1 === '0.9' && n2 === '4') await page.click('#sweep-table tbody tr:nth-child(3) td');
    assert.doesNotMatch(await text(page, '#sweep-selection'), /N1 0\.9, N2 4 against/);
    const chartBefore = await pixels(page, 'chart');
    // Click across the canvas until the caption names N1 0.9, N2 4 (left column, top row):
    // the test does not assume where the cells are drawn.
    let found = false;
    search: for (let fy = 0.05; fy < 1; fy += 0.1) {
      for (let fx = 0.05; fx < 1; fx += 0.1) {
        await page.clickAt('#heatmap', fx, fy);
        if (/N1 0\.9, N2 4 against Normal, seed 5/.test(await text(page, '#sweep-selection'))) {
          found = true;
          break search;
        }
      }
    }
    assert.ok(found, await text(page, '#sweep-selection'));
    assert.notEqual(await pixels(page, 'chart'), chartBefore, 'the comparison figure changed');
    const selected = await page.evaluate(() =>
      [...document.querySelectorAll('#sweep-table tr[aria-selected="true"]')].map((r) => `${r.cells[0].textContent},${r.cells[1].textContent}`),
    );
    assert.deepEqual(selected, ['0.9,4']);
    // The arrow keys move the choice: right is N1 = 4.
    await page.press('#heatmap', 'ArrowRight');
    assert.match(await text(page, '#sweep-selection'), /N1 4, N2 4 against Normal, seed 5/);
  });

  test('the exports hold the runs, and the gains the table and CSV show are theirs', async () => {
    const json = JSON.parse((await save(page, '#export-sweep-json')).bytes.toString());
    assert.deepEqual(json.parameters.n1, [0.9, 4]);
    assert.equal(json.parameters.base.train_size, 3000);
    assert.equal(json.runs.length, 10);
    assert.equal(json.rows.length, 5);
    assert.match(json.query, /^mode=sweep&/);

    // Δ of a setting: the mean over the seeds of its final val acc minus that seed's Normal's.
    const final = (run) => run.metrics.at(-1).val_accuracy;
    const normal = new Map(json.runs.filter((r) => r.method === 'Normal').map((r) => [r.seed, final(r)]));
    const gain = (n1, n2) => {
      const runs = json.runs.filter((r) => r.method === 'AYLA' && r.n1 === n1 && r.n2 === n2);
      assert.equal(runs.length, 2);
      return runs.reduce((sum, r) => sum + final(r) - normal.get(r.seed), 0) / runs.length;
    };

    const csv = await save(page, '#export-sweep-csv');
    assert.equal(csv.name, 'mnist_sweep.csv');
    const lines = csv.bytes.toString().trim().split('\n');
    assert.equal(lines.length, 6);
    assert.match(lines[0], /^epochs,batch,optimizer,hidden,seed,train,validate,holdout,seeds,method,n1,n2,lr,runs_done,/);
    assert.match(lines[1], /^1,128,sgd,128,5,3000,test,10000,2,Normal,,,0\.01,2,2,0,0\.\d+,/);
    assert.ok(lines.some((l) => l.startsWith('1,128,sgd,128,5,3000,test,10000,2,AYLA,4,4,0.01,2,2,2,')), lines.join('\n'));
    const columns = lines[0].split(',');
    const csvRow = (n1, n2) => {
      const fields = lines.map((l) => l.split(',')).find((f) => f[columns.indexOf('n1')] === n1 && f[columns.indexOf('n2')] === n2);
      return Object.fromEntries(columns.map((c, i) => [c, fields[i]]));
    };
    const table = await tableRows(page);
    for (const [n1, n2] of [[0.9, 1], [0.9, 4]]) {
      const expected = gain(n1, n2);
      const cell = table.find((r) => r[0] === String(n1) && r[1] === String(n2))[7];
      assert.ok(Math.abs(points(cell) - 100 * expected) <= 0.005 + 1e-9, `N1 ${n1}, N2 ${n2}: table ${cell}, runs ${100 * expected}`);
      const exported = Number(csvRow(String(n1), String(n2)).gain_mean);
      assert.ok(Math.abs(exported - expected) <= 1e-6, `N1 ${n1}, N2 ${n2}: CSV gain_mean ${exported}, runs ${expected}`);
    }
    // The diverged settings have no gain.
    assert.equal(csvRow('4', '4').gain_mean, '');

    const png = await save(page, '#export-heatmap');
    assert.equal(png.name, 'mnist_sweep_heatmap.png');
    assert.deepEqual([...png.bytes.subarray(0, 8)], PNG_SIGNATURE);
    const facts = await pngFacts(page, png.bytes);
    assert.deepEqual([facts.width, facts.height], [1200, 900]);
    assert.ok(facts.inked > 0.05 && facts.colours > 10, `a blank heat map? ${JSON.stringify(facts)}`);
  });

  test('Stop cancels the remaining runs, keeps the finished ones, and leaves nothing running', async () => {
    // Eight runs of 3 epochs on 30,000 images: seconds of work left once the first is done.
    await page.goto(`${server.base}/?mode=sweep&epochs=3&n1=0.8,0.9,1&n2=1&seeds=2&train=30000`);
    await waitForState(page, 'idle');
    await page.click('#train');
    await page.waitFor(() => /^[1-9]\d* of 8 runs done/.test(document.getElementById('sweep-text').textContent), null, {
      timeout: 120_000,
      what: 'a finished run',
    });
    await page.click('#stop');
    assert.equal(await state(page), 'stopped');
    const moved = changesWithin(page, 1500);
    await waitForWorkers(page, 0, 5_000);
    assert.deepEqual(await moved, [], 'nothing moves after Stop');
    const done = Number((await text(page, '#sweep-text')).split(' ')[0]);
    assert.ok(done >= 1 && done < 8, `${done} runs done`);
    const rows = await tableRows(page);
    assert.equal(rows.length, 4);
    const finished = rows.reduce((sum, r) => sum + Number(r[9].split('/')[0]), 0);
    assert.equal(finished, done, 'the table holds the finished runs');
    assert.equal(await isDisabled(page, '#export-sweep-csv'), false);
    assert.equal(await isDisabled(page, '#train'), false);
    const workers = await page.evaluate(() => [...document.querySelectorAll('#pool .run-progress .detail')].map((c) => c.textContent));
    assert.ok(workers.length >= 1 && workers.every((t) => t === 'Stopped' || t === 'Idle: no runs left'), workers.join(' | '));
    assert.deepEqual(page.problems, []);
  });
});
