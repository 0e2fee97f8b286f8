// End-to-end: serves www/ on a loopback port, drives the real page in headless Chromium
// (playwright-core with the Debian Chromium), and checks what a researcher would see.
// Needs the built page (make build: www/pkg/ and www/data/). Screenshots and the exported
// files go to tests/e2e/artifacts/ (gitignored).

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { ARTIFACTS, launchChromium, openPage, save as saveDownload, serveWww, waitForState as waitFor } from './harness.mjs';

const LINE = (method) =>
  new RegExp(
    `^${method.padEnd(6)} - Epoch 1: Loss=\\d+\\.\\d{4}, Val Loss=\\d+\\.\\d{4}, Val Acc=[01]\\.\\d{4}, Grad Norm=\\d+\\.\\d{4}$`,
    'm',
  );

let server;
let browser;
let page;
let base;
let problems;

before(async () => {
  server = await serveWww();
  base = server.base;
  browser = await launchChromium();
  // These tests swap the server's files with page.route, which a service worker answering
  // from the build it keeps would bypass; persistence.test.mjs tests it.
  ({ page, problems } = await openPage(browser, undefined, { serviceWorkers: 'block' }));
});

after(async () => {
  await browser?.close();
  server?.close();
});

const state = () => page.getAttribute('#status', 'data-state');
const waitForState = (wanted) => waitFor(page, wanted);
const chartPixels = () => page.evaluate(() => document.getElementById('chart').toDataURL());

test('a link fills the inputs, and the rest keep their defaults', async () => {
  await page.goto(`${base}/?epochs=1&train=6000&seed=7`);
  await waitForState('idle');
  assert.equal(await page.inputValue('#epochs'), '1');
  assert.equal(await page.inputValue('#train-size'), '6000');
  assert.equal(await page.inputValue('#seed'), '7');
  assert.equal(await page.inputValue('#n1'), '0.95');
  assert.equal(await page.inputValue('#batch'), '128');
  await page.screenshot({ path: `${ARTIFACTS}before.png`, fullPage: true });
});

test('a short run trains both methods, draws the chart and exports', async () => {
  const blank = await chartPixels();
  await page.click('#train');
  await waitForState('done');
  const log = await page.textContent('#log');
  assert.match(log, LINE('Normal'));
  assert.match(log, LINE('AYLA'));
  assert.equal(log.trim().split('\n').length, 2, log);
  assert.notEqual(await chartPixels(), blank, 'the chart changed');
  assert.equal(await page.isVisible('#download'), false, 'the download bar is gone once loaded');
  assert.match(page.url(), /\?epochs=1&n1=0\.95&n2=1&batch=128&lr=0\.01&hidden=128&seed=7&train=6000$/);
  assert.match(await page.textContent('#run-info'), /Seed 7/);
  await page.screenshot({ path: `${ARTIFACTS}after.png`, fullPage: true });

  // Hovering the middle of the first panel reads out epoch 1 of every series.
  const box = await page.locator('#chart').boundingBox();
  await page.mouse.move(box.x + box.width / 6, box.y + box.height / 2);
  assert.equal(await page.isVisible('#readout'), true);
  assert.match(await page.textContent('#readout'), /AYLA/);
  await page.screenshot({ path: `${ARTIFACTS}readout.png` });
  await page.mouse.move(0, 0);

  const png = await save('#export-png');
  assert.equal(png.name, 'mnist_comparison.png');
  assert.deepEqual([...png.bytes.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  assert.ok(png.bytes.length > 10_000, `PNG of ${png.bytes.length} bytes`);

  const json = await save('#export-json');
  assert.equal(json.name, 'mnist_comparison.json');
  const record = JSON.parse(json.bytes.toString());
  assert.equal(record.parameters.train_size, 6000);
  assert.deepEqual(record.runs.map((r) => [r.method, r.metrics.length]), [['Normal', 1], ['AYLA', 1]]);

  const csv = await save('#export-csv');
  assert.equal(csv.name, 'mnist_comparison.csv');
  assert.equal(csv.bytes.toString().trim().split('\n').length, 3);
});

const save = (button) => saveDownload(page, button);

test('an invalid N1 is refused beside the field and nothing starts', async () => {
  const logBefore = await page.textContent('#log');
  for (const typed of ['', 'abc', '-1', '0', 'NaN', 'Infinity', '1e3', '1e309']) {
    await page.fill('#n1', typed);
    await page.click('#train');
    assert.equal(await page.getAttribute('#n1', 'aria-invalid'), 'true', `N1 = ${typed}`);
    assert.notEqual((await page.textContent('#n1-error')).trim(), '', `message for ${typed}`);
    assert.ok(!['loading', 'training'].includes(await state()), `no run for ${typed}`);
    assert.equal(await page.isDisabled('#stop'), true);
  }
  await page.screenshot({ path: `${ARTIFACTS}invalid.png`, fullPage: true });
  assert.equal(await page.textContent('#log'), logBefore);
  await page.fill('#n1', '0.95');
  await page.press('#n1', 'Tab');
  assert.equal(await page.getAttribute('#n1', 'aria-invalid'), null);
});

test('Stop ends a run at once, and a new run completes', async () => {
  await page.fill('#epochs', '3');
  await page.fill('#train-size', '60000');
  await page.click('#train');
  await page.waitForFunction(() => /Epoch 1:/.test(document.getElementById('log').textContent), null, {
    timeout: 90_000,
  });
  await page.waitForFunction(() => document.querySelector('.run-progress progress').value > 1);
  await page.screenshot({ path: `${ARTIFACTS}during.png`, fullPage: true });
  await page.click('#stop');
  assert.equal(await state(), 'stopped');
  const logAtStop = await page.textContent('#log');
  await page.waitForTimeout(1500);
  assert.equal(await page.textContent('#log'), logAtStop, 'nothing arrives after Stop');
  assert.equal(await state(), 'stopped');
  await page.screenshot({ path: `${ARTIFACTS}stopped.png`, fullPage: true });

  await page.fill('#epochs', '1');
  await page.fill('#train-size', '3000');
  await page.click('#train');
  await waitForState('done');
  const log = await page.textContent('#log');
  assert.match(log, LINE('Normal'));
  assert.match(log, LINE('AYLA'));
});

test('data problems are explained and the controls come back', async () => {
  const problemsBefore = problems.length;
  const cases = [
    [(route) => route.fulfill({ status: 404, body: 'not found' }), /server answered 404/],
    [(route) => route.abort('internetdisconnected'), /network request failed/],
    [(route) => route.fulfill({ status: 200, body: 'hello' }), /does not match MNIST’s SHA-256 checksum/],
    [(route) => route.fulfill({ status: 200, body: gzipSync('hello').subarray(0, 12) }), /looks gzipped but could not be decompressed/],
    [(route) => route.fulfill({ status: 200, body: gzipSync('hello') }), /does not match MNIST’s SHA-256 checksum/],
  ];
  for (const [answer, message] of cases) {
    await page.route('**/data/train-labels-idx1-ubyte.gz', answer);
    await page.goto(`${base}/?epochs=1&train=1000`);
    await waitForState('idle');
    // The earlier runs' MNIST is kept in this browser; this is a first download.
    await page.evaluate(() => caches.delete('ayla-data'));
    await page.click('#train');
    await waitForState('error');
    assert.match(await page.textContent('#status'), message);
    assert.equal(await page.isEnabled('#train'), true);
    assert.equal(await page.isDisabled('#stop'), true);
    await page.unroute('**/data/train-labels-idx1-ubyte.gz');
  }
  await page.screenshot({ path: `${ARTIFACTS}data-error.png` });
  // The failed fetches are expected here, not problems of the page.
  problems.splice(problemsBefore);
});

test('a crashing worker is reported and the controls come back', async () => {
  const problemsBefore = problems.length;
  await page.route('**/worker.js', (route) =>
    route.fulfill({ contentType: 'text/javascript', body: "throw new Error('worker exploded');" }),
  );
  await page.goto(`${base}/?epochs=1&train=1000`);
  await waitForState('idle');
  await page.click('#train');
  await waitForState('error');
  assert.match(await page.textContent('#status'), /worker failed: .*worker exploded/);
  assert.equal(await page.isEnabled('#train'), true);
  assert.equal(await page.isDisabled('#stop'), true);
  await page.unroute('**/worker.js');
  problems.splice(problemsBefore); // the crash was the point

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
  await page.goto(`${base}/?epochs=1`);
  await waitForState('idle');
  await page.setInputFiles('#files', [...idxFiles('train', 300, true), ...idxFiles('t10k', 100, false)]);
  await page.waitForFunction(() => document.getElementById('data-source').textContent.includes('your files'));
  assert.equal(await state(), 'idle');
  assert.match(await page.textContent('#data-source'), /your files .*300 training and 100 test images/);
  await page.click('#train');
  await waitForState('done');
  assert.match(await page.textContent('#log'), LINE('AYLA'));
  assert.match(await page.textContent('#run-info'), /300 of 300 training images/);

  await page.setInputFiles('#files', idxFiles('train', 10, false));
  await waitForState('error');
  assert.match(await page.textContent('#status'), /Pick the four IDX files.*Missing: t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte/);
});

test('the page logged no errors', () => {
  assert.deepEqual(problems, []);
});
