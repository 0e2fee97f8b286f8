// End-to-end: a small tuned sweep on the real page, in every engine under test. Two learning
// rates × one AYLA setting × 3 seeds, validated on 1,000 held-out training images: the
// verdict (each method at its best learning rate, test accuracy paired by seed) shows above
// the table, the heat map offers its tuned view, and the CSV and JSON exports carry the
// choices with every run's validation and test figures. Needs the built page (make build).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  eachEngine,
  isVisible,
  pixels,
  save,
  screenshot,
  startForGroup,
  text,
  value,
  waitForState,
} from './harness.mjs';

// 12 runs: (Normal + AYLA (1.2, 0.8)) × lr {0.01, 0.1} × seeds 5, 6, 7; 1 epoch on 3,000.
const TUNED = 'mode=sweep&epochs=1&n1=1.2&n2=0.8&lr=0.01,0.1&seeds=3&seed=5&train=3000&validate=held-out&holdout=1000';

const items = (page) => page.evaluate(() => [...document.querySelectorAll('#verdict-list li')].map((li) => li.textContent));

eachEngine((engine) => {
  let server;
  let page;
  startForGroup(engine, { viewport: { width: 1400, height: 1000 } }, (started) => ({ server, page } = started));

  test('a tuned sweep shows its verdict above the table', async () => {
    await page.goto(`${server.base}/?${TUNED}`);
    await waitForState(page, 'idle');
    assert.equal(await value(page, '#lr'), '0.01,0.1');
    assert.match(await text(page, '#lr-help'), /log-spaced range start:stop:×factor/);
    assert.match(
      await text(page, '#sweep-plan'),
      /^1 × 1 setting × 2 learning rates × 3 seeds, plus Normal at each rate: 12 runs on \d workers?, about /,
    );
    await page.click('#train');
    await waitForState(page, 'done', 120_000);
    assert.deepEqual(page.problems, []);
    await screenshot(page, 'tuned-sweep');

    // Above the table: a heading, then Normal's line and the setting's sentence.
    const order = await page.evaluate(() => {
      const verdict = document.getElementById('verdict');
      const table = document.getElementById('sweep-table');
      return verdict.compareDocumentPosition(table) & Node.DOCUMENT_POSITION_FOLLOWING;
    });
    assert.ok(order, 'the verdict comes before the table');
    assert.equal(await isVisible(page, '#verdict-title'), true);
    assert.equal(await isVisible(page, '#verdict-note'), false, 'a finished tuned sweep needs no note');
    const [normal, setting, ...rest] = await items(page);
    assert.deepEqual(rest, []);
    assert.match(normal, /^Normal: best lr 0\.(01|1)[ ,].*test acc 0\.\d{4} ± 0\.\d{4} over 3 seeds\.$/);
    assert.match(setting, /^AYLA \(1\.2, 0\.8\) at lr 0\.(01|1): /);
    // Two rates: a best one is at an edge of the grid, and the sentence says so, or it
    // gives the paired difference with its interval.
    assert.match(setting, /(widen the grid\.|\(95 % CI [+−]\d+\.\d\d to [+−]\d+\.\d\d, 3 seeds\): .*\.)$/);

    // The heat map opens on the tuned view and can show one rate instead.
    assert.equal(await value(page, '#heatmap-view'), 'tuned');
    const tuned = await pixels(page, 'heatmap');
    await page.evaluate(() => {
      const select = document.getElementById('heatmap-view');
      select.value = 'lr-1';
      select.dispatchEvent(new Event('change'));
    });
    assert.notEqual(await pixels(page, 'heatmap'), tuned, 'the view changed the map');
    const rates = await page.evaluate(() => [...document.querySelectorAll('#sweep-table tbody tr')].map((r) => r.cells[2].textContent));
    assert.deepEqual(rates.slice(0, 2), ['0.01', '0.1']);
  });

  test("the exports carry the choices, the paired statistics and every run's figures", async () => {
    const json = JSON.parse((await save(page, '#export-sweep-json')).bytes.toString());
    assert.deepEqual(json.parameters.lr, [0.01, 0.1]);
    assert.equal(json.parameters.base.validation, 'held-out');
    const { normal, settings } = json.verdict;
    assert.ok([0.01, 0.1].includes(normal.learning_rate), JSON.stringify(normal));
    assert.equal(normal.scores.length, 3);
    assert.equal(settings.length, 1);
    const [ayla] = settings;
    assert.ok([0.01, 0.1].includes(ayla.choice.learning_rate));
    assert.equal(ayla.difference.n, 3);
    assert.equal(ayla.sentence, (await items(page))[1]);
    // Every run has its held-out validation and its test figures.
    assert.equal(json.runs.length, 12);
    for (const run of json.runs) {
      assert.ok(run.metrics[0].val_accuracy > 0 && run.test.accuracy > 0, JSON.stringify(run));
    }
    // The paired difference is the runs' own: AYLA − Normal test accuracy, seed by seed.
    const test = (method, lr, seed) => json.runs.find((r) => r.method === method && r.lr === lr && r.seed === seed).test.accuracy;
    const pairs = [5, 6, 7].map((seed) => test('AYLA', ayla.choice.learning_rate, seed) - test('Normal', normal.learning_rate, seed));
    const mean = pairs.reduce((a, b) => a + b) / pairs.length;
    assert.ok(Math.abs(mean - ayla.difference.mean) < 1e-6, `${mean} vs ${ayla.difference.mean}`);

    const csv = (await save(page, '#export-sweep-csv')).bytes.toString().trim().split('\n');
    const columns = csv[0].split(',');
    const field = (line, name) => line.split(',')[columns.indexOf(name)];
    const chosen = csv.slice(1).filter((line) => field(line, 'chosen') === 'yes');
    assert.deepEqual(
      chosen.map((line) => [field(line, 'method'), Number(field(line, 'lr'))]),
      [
        ['Normal', normal.learning_rate],
        ['AYLA', ayla.choice.learning_rate],
      ],
    );
    assert.ok(Math.abs(Number(field(chosen[1], 'tuned_difference_mean')) - mean) < 1e-6);
    assert.equal(field(chosen[1], 'tuned_seeds'), '3');
  });
});
