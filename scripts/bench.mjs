// `make bench`: every speed figure in one run on this machine, printed as
// `bench: <name> <value> <unit>` and written to target/bench.json.
//  1. native: `cargo bench --bench native` (kernels, library vs replacement, steps, epochs),
//     and the `ayla` command line's epoch on one core;
//  2. wasm in headless Chromium: the same figures from the built page's module;
//  3. the real page: a full epoch of both methods in its two workers (60,000 + 10,000
//     images), plus wasm size and start-up time;
//  4. a sweep on the real page (3 × 3 settings × 3 seeds, 3 epochs, 60,000 images): the
//     time the page predicts from the speed it just measured, and the time it took.
// Needs `make build` first (the Makefile's bench target does it). Figures only: nothing
// here fails on a time.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { launchChromium, serveWww, waitForState } from '../tests/e2e/harness.mjs';

const figures = [];
const record = (where, name, value, unit) => {
  const figure = { where, name, value, unit };
  figures.push(figure);
  console.log(`${where} bench: ${name} ${Number(value).toFixed(4)} ${unit}`);
};

function nativeFigures() {
  const run = spawnSync('cargo', ['bench', '--bench', 'native'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  if (run.status !== 0) throw new Error('cargo bench failed');
  for (const line of run.stdout.split('\n')) {
    const match = /^native bench: (\S+) (\S+) (.+)$/.exec(line);
    if (match) record('native', match[1], Number(match[2]), match[3]);
  }
}

// The `ayla` command line's epoch on one core: a one-setting plan (Normal and AYLA, one
// epoch on 60,000 images) run as two tasks one after the other, pinned to one core.
function cliFigures() {
  const build = spawnSync('cargo', ['build', '--release', '--bin', 'ayla'], { stdio: 'inherit' });
  if (build.status !== 0) throw new Error('cargo build --bin ayla failed');
  const ayla = new URL('../target/release/ayla', import.meta.url).pathname;
  const dir = mkdtempSync(join(tmpdir(), 'ayla-bench-'));
  const env = { ...process.env, MNIST_DIR: new URL('../www/data', import.meta.url).pathname };
  const run = (command, args) => {
    const done = spawnSync(command, args, { cwd: dir, encoding: 'utf8', env });
    if (done.status !== 0) throw new Error(`${command} ${args.join(' ')}: ${done.stderr}`);
  };
  run(ayla, ['sweep', 'plan', '--epochs', '1', '--n1', '0.95', '--n2', '1', '-o', 'plan.json']);
  const started = Date.now();
  run('taskset', ['-c', '0', ayla, 'sweep', 'run', 'plan.json', '--local', '-j', '1']);
  const took = (Date.now() - started) / 1000;
  let epochs = 0;
  for (const task of [0, 1]) {
    const { result } = JSON.parse(readFileSync(join(dir, 'runs', `${task}.json`), 'utf8'));
    const { seconds } = result.metrics[0];
    epochs += seconds;
    record('cli', `epoch_${task === 0 ? 'normal' : 'ayla'}_seconds_one_core`, seconds, 's');
  }
  // Reading and indexing MNIST, writing the result: what a task costs beyond its epochs.
  record('cli', 'task_start_up_seconds', (took - epochs) / 2, 's');
  rmSync(dir, { recursive: true });
}

async function wasmFigures(page, base) {
  await page.goto(`${base}/`);
  await waitForState(page, 'idle');
  const results = await page.evaluate(async () => {
    const module = await import('./pkg/ayla.js');
    const wasm = await module.default();
    const names = ['train-images-idx3-ubyte', 'train-labels-idx1-ubyte', 't10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte'];
    const files = await Promise.all(names.map((n) => fetch(`data/${n}`).then((r) => r.arrayBuffer())));
    const figures = module.run_benchmarks(...files.map((f) => new Uint8Array(f)));
    // This instance did what a worker does (parse the four files, train whole epochs), and
    // wasm memory never shrinks: its size now is a worker's peak.
    figures.push({ name: 'wasm_memory_like_a_worker', value: wasm.memory.buffer.byteLength / 2 ** 20, unit: 'MiB' });
    return figures;
  });
  for (const { name, value, unit } of results) record('wasm', name, value, unit);
}

async function pageFigures(page, base) {
  const wasm = await readFile(new URL('../www/pkg/ayla_bg.wasm', import.meta.url));
  record('page', 'wasm_size', wasm.length / 1024, 'KiB');
  record('page', 'wasm_size_gzip', gzipSync(wasm, { level: 9 }).length / 1024, 'KiB');

  const loading = Date.now();
  await page.goto(`${base}/?epochs=1`);
  await waitForState(page, 'idle');
  record('page', 'load_to_ready', (Date.now() - loading) / 1000, 's');
  const pressed = Date.now();
  await page.click('#train');
  await page.waitForFunction(() => [...document.querySelectorAll('.run-progress progress')].some((p) => p.value > 0), null, {
    timeout: 120_000,
  });
  record('page', 'train_to_first_batch', (Date.now() - pressed) / 1000, 's');
  await waitForState(page, 'done', 20 * 60_000);
  record('page', 'train_to_done_one_epoch_both_methods', (Date.now() - pressed) / 1000, 's');
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#export-json')]);
  const saved = JSON.parse(await readFile(await download.path(), 'utf8'));
  for (const run of saved.runs) {
    const seconds = run.metrics[0].seconds;
    record('page', `epoch_${run.method.toLowerCase()}_seconds`, seconds, 's');
    record('page', `epoch_${run.method.toLowerCase()}_samples_per_second`, saved.parameters.train_size / seconds, 'samples/s');
  }
  const slowest = Math.max(...saved.runs.map((r) => r.metrics[0].seconds));
  record('page', 'epoch_both_methods_parallel_seconds', slowest, 's');
  const { train_size: train, hidden } = saved.parameters;
  const flops = await page.evaluate(
    async ([train, hidden]) => (await import('./pkg/ayla.js')).epoch_flops(train, 10_000, hidden),
    [train, hidden],
  );
  record('page', 'epoch_both_methods_dense_equivalent', (2 * flops) / slowest / 1e9, 'GFLOP/s');
}

// The sweep of issue 6's "done" check. Runs after pageFigures, in the same browser context,
// so the page has measured this machine's speed (speed.js keeps it in localStorage).
const SWEEP = 'mode=sweep&epochs=3&n1=0.8,0.9,1&n2=0.8,0.9,1&seeds=3&train=60000';

async function sweepFigures(page, base) {
  await page.goto(`${base}/?${SWEEP}`);
  await waitForState(page, 'idle');
  const predicted = await page.evaluate(async () => {
    const wasm = await import('./pkg/ayla.js');
    const { speed } = await import('./speed.js');
    const { poolSize } = await import('./pool.js');
    const values = Object.fromEntries(new URLSearchParams(location.search));
    const { sweep, jobs } = wasm.check_sweep(values);
    const workers = poolSize(jobs.length);
    const estimate = (rate) => wasm.sweep_estimate(sweep, 60_000, 10_000, rate, workers);
    const measured = speed();
    return { runs: jobs.length, workers, page: estimate(measured.speed), source: measured.source, bench: estimate(null) };
  });
  console.log(`page: sweep of ${predicted.runs} runs on ${predicted.workers} workers, speed from ${predicted.source}`);
  record('page', 'sweep_3x3x3seeds_3epochs_predicted_from_bench_speed', predicted.bench, 's');
  record('page', 'sweep_3x3x3seeds_3epochs_predicted_from_measured_speed', predicted.page, 's');
  const pressed = Date.now();
  await page.click('#train');
  await waitForState(page, 'done', 60 * 60_000);
  const took = (Date.now() - pressed) / 1000;
  record('page', 'sweep_3x3x3seeds_3epochs_took', took, 's');
  record('page', 'sweep_3x3x3seeds_3epochs_took_over_predicted', took / predicted.page, 'ratio');
  const [csv] = await Promise.all([page.waitForEvent('download'), page.click('#export-sweep-csv')]);
  await csv.saveAs(new URL('../target/bench-sweep.csv', import.meta.url).pathname);
  const [png] = await Promise.all([page.waitForEvent('download'), page.click('#export-heatmap')]);
  await png.saveAs(new URL('../target/bench-sweep-heatmap.png', import.meta.url).pathname);
  console.log('page: the sweep\'s table and heat map are in target/bench-sweep.csv and target/bench-sweep-heatmap.png');
}

nativeFigures();
cliFigures();
const server = await serveWww();
const browser = await launchChromium();
try {
  const context = await browser.newContext({ acceptDownloads: true });
  await wasmFigures(await context.newPage(), server.base);
  const page = await context.newPage();
  await pageFigures(page, server.base);
  await sweepFigures(page, server.base);
} finally {
  await browser.close();
  server.close();
}
await mkdir(new URL('../target/', import.meta.url), { recursive: true });
await writeFile(new URL('../target/bench.json', import.meta.url), `${JSON.stringify(figures, null, 2)}\n`);
console.log('wrote target/bench.json');
