// End-to-end: serves www/ on a loopback port, drives the real page in every engine under
// test (harness.mjs), and checks what a researcher would see. Needs the built page (make
// build: www/pkg/ and www/data/). Screenshots and the exported files go to
// tests/e2e/artifacts/ (gitignored), named for their engine.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import {
  PNG_SIGNATURE,
  attribute,
  changesWithin,
  eachEngine,
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

// The original's console line, its four figures captured.
const LINE = (method, epoch = 1) =>
  new RegExp(
    `^${method.padEnd(6)} - Epoch ${epoch}: Loss=(\\d+\\.\\d{4}), Val Loss=(\\d+\\.\\d{4}), Val Acc=([01]\\.\\d{4}), Grad Norm=(\\d+\\.\\d{4})$`,
    'm',
  );

// A held-out run's line after its last epoch: the test set's loss and accuracy.
const TEST_LINE = (method) =>
  new RegExp(`^${method.padEnd(6)} - Test set, scored once after the last epoch: Test Loss=(\\d+\\.\\d{4}), Test Acc=([01]\\.\\d{4})$`, 'm');

// One CSV text as objects keyed by its header.
function csvRecords(csv) {
  const [header, ...lines] = csv.trim().split('\n').map((line) => line.split(','));
  return lines.map((fields) => Object.fromEntries(header.map((key, i) => [key, fields[i]])));
}

eachEngine((engine) => {
  let server;
  let browser;
  let page;
  startForGroup(engine, {}, (started) => ({ server, browser, page } = started));

  test('a link fills the inputs, and the rest keep their defaults', async () => {
    await page.goto(`${server.base}/?epochs=1&train=6000&seed=7`);
    await waitForState(page, 'idle');
    assert.equal(await value(page, '#epochs'), '1');
    assert.equal(await value(page, '#train-size'), '6000');
    assert.equal(await value(page, '#seed'), '7');
    assert.equal(await value(page, '#n1'), '0.95');
    assert.equal(await value(page, '#batch'), '128');
    await screenshot(page, 'before');
  });

  test('a short run trains both methods, draws the chart, and its exports hold what the log says', async () => {
    const blank = await pixels(page, 'chart');
    await page.click('#train');
    await waitForState(page, 'done');
    const log = await text(page, '#log');
    assert.equal(log.trim().split('\n').length, 2, log);
    const logged = Object.fromEntries(
      ['Normal', 'AYLA'].map((method) => {
        const figures = log.match(LINE(method));
        assert.ok(figures, `${method}'s line in ${log}`);
        return [method, figures.slice(1).map(Number)];
      }),
    );
    assert.notEqual(await pixels(page, 'chart'), blank, 'the chart changed');
    assert.equal(await isVisible(page, '#download'), false, 'the download bar is gone once loaded');
    assert.match(await page.url(), /\?epochs=1&n1=0\.95&n2=1&batch=128&lr=0\.01&optimizer=sgd&hidden=128&seed=7&train=6000&validate=test&holdout=10000$/);
    assert.match(await text(page, '#run-info'), /Seed 7/);
    await screenshot(page, 'after');

    // Hovering the middle of the first panel reads out epoch 1 of every series.
    await page.hover('#chart', 1 / 6, 1 / 2);
    await page.waitFor(() => !document.getElementById('readout').hidden, null, { what: 'the readout' });
    assert.match(await text(page, '#readout'), /AYLA/);
    await screenshot(page, 'readout');
    await page.moveAway();

    // The figure: 1800 × 700, drawn on (not one flat colour).
    const png = await save(page, '#export-png');
    assert.equal(png.name, 'mnist_comparison.png');
    assert.deepEqual([...png.bytes.subarray(0, 8)], PNG_SIGNATURE);
    const facts = await pngFacts(page, png.bytes);
    assert.deepEqual([facts.width, facts.height], [1800, 700]);
    assert.ok(facts.inked > 0.02 && facts.colours > 20, `a blank figure? ${JSON.stringify(facts)}`);

    // The JSON's metrics are the numbers the log printed (to its four decimals).
    const json = await save(page, '#export-json');
    assert.equal(json.name, 'mnist_comparison.json');
    const record = JSON.parse(json.bytes.toString());
    assert.equal(record.parameters.train_size, 6000);
    assert.deepEqual(record.runs.map((r) => [r.method, r.metrics.length]), [['Normal', 1], ['AYLA', 1]]);
    for (const { method, metrics: [m] } of record.runs) {
      const exported = [m.loss, m.val_loss, m.val_accuracy, m.grad_norm];
      exported.forEach((v, i) => {
        assert.ok(Math.abs(v - logged[method][i]) <= 0.5e-4 + 1e-9, `${method}: exported ${exported}, logged ${logged[method]}`);
      });
    }

    // The CSV holds the JSON's numbers, one row per method and epoch.
    const csv = await save(page, '#export-csv');
    assert.equal(csv.name, 'mnist_comparison.csv');
    const rows = csvRecords(csv.bytes.toString());
    assert.deepEqual(rows.map((r) => [r.method, r.epoch, r.train]), [['Normal', '1', '6000'], ['AYLA', '1', '6000']]);
    for (const [row, { metrics: [m] }] of rows.map((r, i) => [r, record.runs[i]])) {
      for (const key of ['loss', 'accuracy', 'val_loss', 'val_accuracy', 'grad_norm']) {
        assert.equal(Number(row[key]), m[key], `${row.method} ${key}`);
      }
    }
  });

  test('a held-out run validates on the last K training images and scores the test set once, at the end', async () => {
    // K must leave images to train on: refused beside the field, nothing starts.
    await page.goto(`${server.base}/?epochs=1&train=3000&seed=7&validate=held-out&holdout=3000`);
    await waitForState(page, 'idle');
    assert.equal(await value(page, '#validate'), 'held-out');
    assert.equal(await attribute(page, '#holdout', 'aria-invalid'), 'true');
    assert.equal(await text(page, '#holdout-error'), 'Held-out images (K) must be fewer than the training images (3,000).');
    await page.click('#train');
    assert.match(await text(page, '#status'), /^Not started: a parameter needs fixing/);
    await page.fill('#holdout', '1000');
    await page.press('#holdout', 'Tab');
    assert.equal(await attribute(page, '#holdout', 'aria-invalid'), null);

    await page.click('#train');
    await waitForState(page, 'done');
    const log = (await text(page, '#log')).trim().split('\n');
    assert.equal(log.length, 4, log.join('\n'));
    // The epoch lines keep the original's format (their "Val" is the held-out images); each
    // method's test line follows them.
    assert.match(log[0], LINE('AYLA'));
    assert.match(log[1], LINE('Normal'));
    const tested = Object.fromEntries(
      ['AYLA', 'Normal'].map((method, i) => {
        const figures = log[2 + i].match(TEST_LINE(method));
        assert.ok(figures, `${method}'s test line in ${log.join('\n')}`);
        return [method, figures.slice(1).map(Number)];
      }),
    );
    assert.match(await text(page, '#run-info'), /3,000 of 60,000 training images · val = last 1,000 training images \(held out, not trained on\); test scored once at the end$/);
    assert.match(await text(page, '#status'), /Test acc \(once at the end\): Normal [01]\.\d{4}, AYLA [01]\.\d{4}\.$/);
    assert.match(await page.url(), /&validate=held-out&holdout=1000$/);

    // Both exports carry each run's test score, as logged.
    const record = JSON.parse((await save(page, '#export-json')).bytes.toString());
    assert.equal(record.parameters.validation, 'held-out');
    for (const run of record.runs) {
      const [loss, accuracy] = tested[run.method];
      assert.ok(Math.abs(run.test.loss - loss) <= 0.5e-4 + 1e-9, `${run.method}: ${JSON.stringify(run.test)} vs ${loss}`);
      assert.ok(Math.abs(run.test.accuracy - accuracy) <= 0.5e-4 + 1e-9, `${run.method}: ${JSON.stringify(run.test)} vs ${accuracy}`);
    }
    const rows = csvRecords((await save(page, '#export-csv')).bytes.toString());
    assert.deepEqual(
      rows.map((r) => [r.method, r.validate, r.holdout, Number(r.test_loss), Number(r.test_accuracy)]),
      record.runs.map((r) => [r.method, 'held-out', '1000', r.test.loss, r.test.accuracy]),
    );
    await screenshot(page, 'held-out');
  });

  test('an invalid N1 is refused beside the field and nothing starts', async () => {
    const logBefore = await text(page, '#log');
    for (const typed of ['', 'abc', '-1', '0', 'NaN', 'Infinity', '1e3', '1e309']) {
      await page.fill('#n1', typed);
      await page.click('#train');
      assert.equal(await attribute(page, '#n1', 'aria-invalid'), 'true', `N1 = ${typed}`);
      assert.notEqual((await text(page, '#n1-error')).trim(), '', `message for ${typed}`);
      assert.ok(!['loading', 'training'].includes(await state(page)), `no run for ${typed}`);
      assert.equal(await isDisabled(page, '#stop'), true);
    }
    await screenshot(page, 'invalid');
    assert.equal(await text(page, '#log'), logBefore);
    await page.fill('#n1', '0.95');
    await page.press('#n1', 'Tab');
    assert.equal(await attribute(page, '#n1', 'aria-invalid'), null);
  });

  test('a link with bad values marks those fields, says why, and Train refuses', async () => {
    await page.goto(`${server.base}/?n1=abc&epochs=0`);
    await waitForState(page, 'idle');
    assert.equal(await value(page, '#n1'), 'abc');
    assert.equal(await attribute(page, '#n1', 'aria-invalid'), 'true');
    assert.equal(await text(page, '#n1-error'), '“abc” is not a number.');
    assert.equal(await attribute(page, '#epochs', 'aria-invalid'), 'true');
    assert.match(await text(page, '#epochs-error'), /^Epochs must be at least 1 and at most 1,?000\.$/);
    assert.equal(await attribute(page, '#n2', 'aria-invalid'), null, 'the good fields are not marked');
    await page.click('#train');
    assert.equal(await state(page), 'idle');
    assert.match(await text(page, '#status'), /^Not started: a parameter needs fixing/);
    assert.equal(await page.workers(), 0, 'no worker was started');
    assert.equal(await isDisabled(page, '#train'), false);
    await screenshot(page, 'bad-link');
    assert.deepEqual(page.problems, [], 'nothing crashed');
  });

  test('Stop ends a run at once: no worker left, nothing moves, and a new run completes', async () => {
    // Twenty epochs: the workers would train for many seconds more if Stop did not end them.
    await page.goto(`${server.base}/?epochs=20&train=60000`);
    await waitForState(page, 'idle');
    await page.click('#train');
    await page.waitFor(() => /Epoch 1:/.test(document.getElementById('log').textContent), null, { what: 'epoch 1' });
    await page.waitFor(() => document.querySelector('.run-progress progress').value > 1, null, { what: 'progress in epoch 2' });
    await screenshot(page, 'during');
    await page.click('#stop');
    assert.equal(await state(page), 'stopped');
    // Nothing changes from Stop on (the workers post progress ten times a second), and
    // the workers are gone.
    const moved = changesWithin(page, 1500);
    await waitForWorkers(page, 0, 5_000);
    assert.deepEqual(await moved, []);
    assert.equal(await state(page), 'stopped');
    await screenshot(page, 'stopped');

    await page.fill('#epochs', '1');
    await page.fill('#train-size', '3000');
    await page.click('#train');
    await waitForState(page, 'done');
    const log = await text(page, '#log');
    assert.match(log, LINE('Normal'));
    assert.match(log, LINE('AYLA'));
  });

  test('data problems are explained and the controls come back', async () => {
    const problemsBefore = page.problems.length;
    const cases = [
      [{ status: 404, body: 'not found' }, /server answered 404/],
      [{ drop: true }, /network request failed/],
      [{ body: 'hello' }, /does not match MNIST’s SHA-256 checksum/],
      [{ body: gzipSync('hello').subarray(0, 12) }, /looks gzipped but could not be decompressed/],
      [{ body: gzipSync('hello') }, /does not match MNIST’s SHA-256 checksum/],
    ];
    for (const [answer, message] of cases) {
      server.replace('/data/train-labels-idx1-ubyte.gz', () => answer);
      await page.goto(`${server.base}/?epochs=1&train=1000`);
      await waitForState(page, 'idle');
      // The earlier runs' MNIST is kept in this browser: this is a first download.
      await page.evaluate(() => caches.delete('ayla-data'));
      await page.click('#train');
      await waitForState(page, 'error');
      assert.match(await text(page, '#status'), message);
      assert.equal(await isDisabled(page, '#train'), false);
      assert.equal(await isDisabled(page, '#stop'), true);
      server.restore();
    }
    await screenshot(page, 'data-error');
    // The failed fetches are expected here, not problems of the page.
    page.problems.splice(problemsBefore);
  });

  // IDX bytes for `count` random images and labels (`gzip` to compress them as many
  // datasets are shipped).
  function idxFiles(prefix, count, gzip) {
    const images = Buffer.alloc(16 + count * 784);
    images.writeUInt32BE(0x803, 0);
    images.writeUInt32BE(count, 4);
    images.writeUInt32BE(28, 8);
    images.writeUInt32BE(28, 12);
    for (let i = 16; i < images.length; i++) images[i] = (i * 7919) % 256;
    const labels = Buffer.alloc(8 + count);
    labels.writeUInt32BE(0x801, 0);
    labels.writeUInt32BE(count, 4);
    for (let i = 0; i < count; i++) labels[8 + i] = i % 10;
    const file = (name, bytes) =>
      gzip ? { name: `${name}.gz`, mimeType: 'application/gzip', buffer: gzipSync(bytes) } : { name, mimeType: 'application/octet-stream', buffer: bytes };
    return [file(`${prefix}-images-idx3-ubyte`, images), file(`${prefix}-labels-idx1-ubyte`, labels)];
  }

  test('a user can train on their own IDX files, gzipped or not', async () => {
    await page.goto(`${server.base}/?epochs=1`);
    await waitForState(page, 'idle');
    await page.setFiles('#files', [...idxFiles('train', 300, true), ...idxFiles('t10k', 100, false)]);
    await page.waitFor(() => document.getElementById('data-source').textContent.includes('your files'), null, { what: 'the files read' });
    assert.equal(await state(page), 'idle');
    assert.match(await text(page, '#data-source'), /your files .*300 training and 100 test images/);
    await page.click('#train');
    await waitForState(page, 'done');
    assert.match(await text(page, '#log'), LINE('AYLA'));
    assert.match(await text(page, '#run-info'), /300 of 300 training images/);

    await page.setFiles('#files', idxFiles('train', 10, false));
    await waitForState(page, 'error');
    assert.match(await text(page, '#status'), /Pick the four IDX files.*Missing: t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte/);
  });

  test('K is checked against the training images of the data loaded', async () => {
    await page.goto(`${server.base}/?epochs=1&validate=held-out`);
    await waitForState(page, 'idle');
    await page.setFiles('#files', [...idxFiles('train', 300, false), ...idxFiles('t10k', 100, false)]);
    await page.waitFor(() => document.getElementById('data-source').textContent.includes('your files'), null, { what: 'the files read' });
    // The default K (10,000) passes against 60,000 asked for, not against 300 loaded.
    await page.click('#train');
    await waitForState(page, 'error');
    assert.equal(await text(page, '#status'), 'Not started: Held-out images (K) must be fewer than the training images: the data has only 300.');
    assert.equal(await attribute(page, '#holdout', 'aria-invalid'), 'true');
    assert.equal(await page.workers(), 0, 'no worker was started');
    assert.equal(await isDisabled(page, '#train'), false);
    await page.fill('#holdout', '100');
    await page.press('#holdout', 'Tab');
    assert.equal(await attribute(page, '#holdout', 'aria-invalid'), null, 'a fix clears the mark');
    await page.click('#train');
    await waitForState(page, 'done');
    assert.match(await text(page, '#log'), TEST_LINE('Normal'));
    assert.match(await text(page, '#run-info'), /300 of 300 training images · val = last 100 training images/);
  });

  test('the page logged no errors', () => {
    assert.deepEqual(page.problems, []);
  });
});
