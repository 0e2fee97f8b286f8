// `make bench`: every speed figure in one run on this machine, printed as
// `bench: <name> <value> <unit>` and written to target/bench.json.
//  1. native: `cargo bench --features bench --bench native` (kernels, library vs
//     replacement, steps, epochs, the per-phase profile of a step, hidden-size scaling),
//     and the `ayla` command line's epoch on one core;
//  2. wasm in headless Chromium: the same figures from make bench's own build of the module
//     (the `bench` feature, target/bench-pkg/), and the memory of an instance that does what
//     a worker does; and AYLA over Normal on one thread, the smallest of a few repeats, in
//     wall and CPU time (what the load of a shared machine leaves alone);
//  3. the real page: a full epoch of both methods in its two workers (60,000 + 10,000
//     images), twice (the second with the data already loaded), the workers' memory, wasm
//     size and start-up time;
//  4. TensorFlow.js (wasm backend, SIMD, one thread) training the same MLP in the same
//     browser, and our speed-up over it;
//  5. a sweep on the real page (3 × 3 settings × 3 seeds, 3 epochs, 60,000 images): the
//     time the page predicts from the speed it just measured, and the time it took.
// Needs `make build` and make bench's own wasm first (the Makefile's bench target does it).
// Figures only: nothing here fails on a time.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { launch } from '../tests/e2e/drivers/chromium.mjs';
import { rendererMemory, workerMemory } from '../tests/e2e/chromium-tools.mjs';
import { serveWww } from '../tests/e2e/harness.mjs';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const BENCH_PKG = join(ROOT, process.env.BENCH_PKG_DIR ?? 'target/bench-pkg/');
const TFJS = join(ROOT, 'benches/tfjs/');
const MiB = 2 ** 20;

const figures = [];
const record = (where, name, value, unit) => {
  const figure = { where, name, value, unit };
  figures.push(figure);
  console.log(`${where} bench: ${name} ${Number(value).toFixed(4)} ${unit}`);
  return value;
};
const value = (where, name) => figures.find((f) => f.where === where && f.name === name)?.value;

// The bench drives playwright's own Page (routes, downloads): the harness's waitForState
// expects the drivers' page, so this is its playwright form.
const waitForState = (page, wanted, timeout = 90_000) =>
  page.waitForFunction((w) => document.getElementById('status')?.dataset.state === w, wanted, { timeout, polling: 50 });

function nativeFigures() {
  const run = spawnSync('cargo', ['bench', '--features', 'bench', '--bench', 'native'], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
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

const TYPES = { '.html': 'text/html', '.js': 'text/javascript', '.wasm': 'application/wasm', '.json': 'application/json' };

// Serves `dir` at `prefix` on the page's own origin (so the page's data files are
// same-origin). The documents are cross-origin isolated, which gives performance.now()
// its fine resolution (5 µs rather than 100 µs) for the per-phase profile.
async function serveDir(context, prefix, dir) {
  await context.route(`**${prefix}**`, async (route) => {
    const path = decodeURIComponent(new URL(route.request().url()).pathname).slice(prefix.length);
    if (path.includes('..')) return route.fulfill({ status: 400 });
    const file = join(dir, path || 'index.html');
    try {
      const body = await readFile(file);
      await route.fulfill({
        body,
        contentType: TYPES[extname(file)] ?? 'application/octet-stream',
        headers: { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' },
      });
    } catch {
      await route.fulfill({ status: 404, body: 'not found' });
    }
  });
}

// A blank cross-origin-isolated page on the site's origin, with make bench's wasm at
// /bench-pkg/ and TensorFlow.js at /tfjs/.
async function benchPage(browser, base) {
  const context = await browser.newContext({ serviceWorkers: 'block' });
  await serveDir(context, '/bench-pkg/', BENCH_PKG);
  await serveDir(context, '/tfjs/', TFJS);
  await context.route('**/bench-blank.html', (route) =>
    route.fulfill({
      body: '<!doctype html><title>bench</title>',
      contentType: 'text/html',
      headers: { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' },
    }),
  );
  const page = await context.newPage();
  await page.goto(`${base}/bench-blank.html`);
  return { context, page };
}

async function wasmFigures(page) {
  const isolated = await page.evaluate(() => crossOriginIsolated);
  console.log(`wasm: cross-origin isolated ${isolated} (fine timer resolution for the profile)`);
  const results = await page.evaluate(async () => {
    const names = ['train-images-idx3-ubyte', 'train-labels-idx1-ubyte', 't10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte'];
    const files = await Promise.all(names.map((n) => fetch(`/data/${n}`).then((r) => r.arrayBuffer())));
    const arrays = () => files.map((f) => new Uint8Array(f));
    const bench = await import('/bench-pkg/ayla.js');
    await bench.default();
    const figures = bench.run_benchmarks('', ...arrays());

    // A fresh instance of the page's own module doing what a worker does: take the four
    // files, then train one epoch of each method. Wasm memory never shrinks, so its size
    // afterwards is a worker's peak.
    const glue = await import('/pkg/ayla.js?like-a-worker');
    const wasm = await glue.default();
    const post = () => {};
    const { config } = glue.check_inputs({ epochs: '1' });
    const data = glue.WorkerData.load(glue.start_message(config, 'Normal'), ...arrays(), post);
    for (const method of ['Normal', 'AYLA']) {
      const run = glue.WorkerRun.start(glue.start_message(config, method), data, post);
      while (run.train_slice());
      run.free();
    }
    figures.push({ name: 'wasm_memory_like_a_worker', value: wasm.memory.buffer.byteLength / 2 ** 20, unit: 'MiB' });
    return figures;
  });
  for (const { name, value: v, unit } of results) record('wasm', name, v, unit);
}

// AYLA over Normal without the machine's other load: the page's own module trains one
// epoch of each method (default parameters, a fresh run each time) one after the other
// on the bench page's thread, RATIO_REPEATS times, and the smallest wall and CPU time of
// each method are kept. The CPU time is the renderer main thread's, from /proc (Linux):
// unlike the wall clock it leaves out the time other processes had the core, which on a
// shared machine moves a single epoch's wall time by ±30 %.
const RATIO_REPEATS = 5;

function threadCpuSeconds(pids) {
  let ticks = 0;
  for (const pid of pids) {
    const stat = readFileSync(`/proc/${pid}/task/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    ticks += Number(fields[11]) + Number(fields[12]); // utime, stime
  }
  return ticks / 100; // USER_HZ
}

async function ratioFigures(page, browser) {
  const session = await browser.newBrowserCDPSession();
  const { processInfo } = await session.send('SystemInfo.getProcessInfo');
  await session.detach();
  const pids = processInfo.filter((p) => p.type === 'renderer').map((p) => p.id);
  try {
    threadCpuSeconds(pids);
  } catch {
    console.log('ratio: no /proc here, so no CPU-time ratio');
    return;
  }
  await page.evaluate(async () => {
    const names = ['train-images-idx3-ubyte', 'train-labels-idx1-ubyte', 't10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte'];
    const files = await Promise.all(names.map((n) => fetch(`/data/${n}`).then((r) => r.arrayBuffer())));
    const glue = await import('/pkg/ayla.js?ratio');
    await glue.default();
    const { config } = glue.check_inputs({ epochs: '1' });
    let seconds = 0;
    const post = (text) => {
      const message = JSON.parse(text);
      if (message.type === 'Epoch') seconds = message.metrics.seconds;
    };
    const data = glue.WorkerData.load(glue.start_message(config, 'Normal'), ...files.map((f) => new Uint8Array(f)), post);
    window.ratioEpoch = (method) => {
      const run = glue.WorkerRun.start(glue.start_message(config, method), data, post);
      while (run.train_slice());
      run.free();
      return seconds;
    };
    // Warm-up: the engine's optimised code for both methods' paths.
    window.ratioEpoch('Normal');
    window.ratioEpoch('AYLA');
  });
  const best = { Normal: { wall: Infinity, cpu: Infinity }, AYLA: { wall: Infinity, cpu: Infinity } };
  for (let r = 0; r < RATIO_REPEATS; r += 1) {
    for (const method of ['Normal', 'AYLA']) {
      const before = threadCpuSeconds(pids);
      const wall = await page.evaluate((m) => window.ratioEpoch(m), method);
      const cpu = threadCpuSeconds(pids) - before;
      best[method] = { wall: Math.min(best[method].wall, wall), cpu: Math.min(best[method].cpu, cpu) };
    }
  }
  for (const method of ['Normal', 'AYLA']) {
    const name = method.toLowerCase();
    record('ratio', `epoch_${name}_one_thread_seconds_min_of_${RATIO_REPEATS}`, best[method].wall, 's');
    record('ratio', `epoch_${name}_one_thread_cpu_seconds_min_of_${RATIO_REPEATS}`, best[method].cpu, 's');
  }
  record('ratio', 'epoch_ayla_over_normal_one_thread', best.AYLA.wall / best.Normal.wall, 'ratio');
  record('ratio', 'epoch_ayla_over_normal_one_thread_cpu', best.AYLA.cpu / best.Normal.cpu, 'ratio');
}

// One run of the page's default parameters for one epoch: Train → first batch (timed in
// the page: the click, and the first progress bar moving), the workers' memory in the
// middle of the epoch, and each method's epoch seconds.
async function pageRun(page, browser) {
  await page.evaluate(() => {
    const timing = { pressed: 0, firstBatch: 0 };
    window.benchTiming = timing;
    document.getElementById('train').addEventListener('click', () => (timing.pressed = performance.now()), { capture: true, once: true });
    const bars = [...document.querySelectorAll('.run-progress progress')];
    const observer = new MutationObserver(() => {
      const training = document.getElementById('status').dataset.state === 'training';
      if (timing.pressed && training && bars.some((bar) => bar.value > 0)) {
        timing.firstBatch = performance.now();
        observer.disconnect();
      }
    });
    bars.forEach((bar) => observer.observe(bar, { attributes: true }));
  });
  const pressed = Date.now();
  await page.click('#train');
  await page.waitForFunction(() => window.benchTiming.firstBatch > 0, null, { timeout: 120_000 });
  const firstBatch = await page.evaluate(() => (window.benchTiming.firstBatch - window.benchTiming.pressed) / 1000);
  // A third of the way through the epoch: what each worker holds while it trains.
  await page.waitForFunction(() => [...document.querySelectorAll('.run-progress progress')].every((p) => p.value >= 0.3 * p.max), null, {
    timeout: 120_000,
    polling: 20,
  });
  const workers = await workerMemory({ raw: page });
  const renderers = await rendererMemory({ raw: browser });
  await waitForState(page, 'done', 20 * 60_000);
  const took = (Date.now() - pressed) / 1000;
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#export-json')]);
  const saved = JSON.parse(await readFile(await download.path(), 'utf8'));
  return { firstBatch, took, workers, renderers, saved };
}

async function pageFigures(page, browser, base, flops) {
  const wasm = await readFile(join(ROOT, 'www/pkg/ayla_bg.wasm'));
  record('page', 'wasm_size', wasm.length / 1024, 'KiB');
  record('page', 'wasm_size_gzip', gzipSync(wasm, { level: 9 }).length / 1024, 'KiB');

  // Load → ready, timed in the page: from the navigation's start to the status turning idle.
  await page.addInitScript(() => {
    new MutationObserver((_, observer) => {
      if (document.getElementById('status')?.dataset.state === 'idle') {
        window.benchReady = performance.now();
        observer.disconnect();
      }
    }).observe(document, { subtree: true, attributes: true, attributeFilter: ['data-state'] });
  });
  await page.goto(`${base}/?epochs=1`);
  await waitForState(page, 'idle');
  record('page', 'load_to_ready', (await page.evaluate(() => window.benchReady)) / 1000, 's');

  // First run: Train also downloads and checks MNIST. Second run: the data is loaded.
  const first = await pageRun(page, browser);
  record('page', 'train_to_first_batch', first.firstBatch, 's');
  record('page', 'train_to_done_one_epoch_both_methods', first.took, 's');
  const idle = await rendererMemory({ raw: browser });
  const second = await pageRun(page, browser);
  record('page', 'train_to_first_batch_data_loaded', second.firstBatch, 's');

  for (const run of [first, second]) {
    const suffix = run === first ? '' : '_second_run';
    for (const r of run.saved.runs) {
      const seconds = r.metrics[0].seconds;
      record('page', `epoch_${r.method.toLowerCase()}_seconds${suffix}`, seconds, 's');
      if (run === first) {
        record('page', `epoch_${r.method.toLowerCase()}_samples_per_second`, run.saved.parameters.train_size / seconds, 'samples/s');
      }
    }
    const slowest = Math.max(...run.saved.runs.map((r) => r.metrics[0].seconds));
    record('page', `epoch_both_methods_parallel_seconds${suffix}`, slowest, 's');
    if (run === first) record('page', 'epoch_both_methods_dense_equivalent', (2 * flops) / slowest / 1e9, 'GFLOP/s');
  }
  const seconds = (run, method) => run.saved.runs.find((r) => r.method === method).metrics[0].seconds;
  record('page', 'epoch_ayla_over_normal', seconds(first, 'AYLA') / seconds(first, 'Normal'), 'ratio');
  record('page', 'epoch_ayla_over_normal_second_run', seconds(second, 'AYLA') / seconds(second, 'Normal'), 'ratio');

  // Memory: each worker's JavaScript heap and ArrayBuffers, and the renderer processes'
  // resident memory during the second run over the same with no run (its excess is what
  // the two workers hold, wasm memory included).
  second.workers.forEach((w, i) => {
    record('page', `worker_${i + 1}_js_heap_and_buffers`, (w.heap + w.buffers) / MiB, 'MiB');
  });
  if (second.renderers !== null && idle !== null) {
    record('page', 'workers_memory_per_worker', (second.renderers - idle) / 2 / MiB, 'MiB');
  }
}

async function tfjsFigures(page, base) {
  await page.goto(`${base}/tfjs/bench.html`);
  const result = await page.evaluate(() => window.runTfjs('/tfjs/node_modules/@tensorflow/tfjs-backend-wasm/dist/'));
  console.log(
    `tfjs: backend ${result.backend}, SIMD ${result.simd}, threads ${result.threads}; validation accuracy ${result.models.map((m) => m.valAccuracy.toFixed(4)).join(', ')}`,
  );
  result.models.forEach((m, i) => {
    record('tfjs', `tfjs_model${i + 1}_epoch_seconds`, m.seconds, 's');
    record('tfjs', `tfjs_model${i + 1}_fit_seconds`, m.fitSeconds, 's');
  });
  const total = record('tfjs', 'tfjs_two_models_epoch_seconds', result.models[0].seconds + result.models[1].seconds, 's');
  const ours = value('page', 'epoch_both_methods_parallel_seconds');
  record('tfjs', 'speedup_vs_tfjs', total / ours, 'x');
  // The page's second run: its workers start on the module's optimised code (see README).
  record('tfjs', 'speedup_vs_tfjs_second_run', total / value('page', 'epoch_both_methods_parallel_seconds_second_run'), 'x');
  // Per model and core: TF.js trains one model on one thread; each of our workers too.
  const oursPerModel = (value('page', 'epoch_normal_seconds') + value('page', 'epoch_ayla_seconds')) / 2;
  record('tfjs', 'speedup_vs_tfjs_per_model_and_core', total / 2 / oursPerModel, 'x');
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
  await csv.saveAs(join(ROOT, 'target/bench-sweep.csv'));
  const [png] = await Promise.all([page.waitForEvent('download'), page.click('#export-heatmap')]);
  await png.saveAs(join(ROOT, 'target/bench-sweep-heatmap.png'));
  console.log("page: the sweep's table and heat map are in target/bench-sweep.csv and target/bench-sweep-heatmap.png");
}

// BENCH_PARTS=page,tfjs runs some parts only (native, cli, wasm, ratio, page, tfjs, sweep; all by
// default); tfjs's speed-ups need page.
const PARTS = (process.env.BENCH_PARTS ?? 'native,cli,wasm,ratio,page,tfjs,sweep').split(',');
const part = (name) => PARTS.includes(name);
if (part('native')) nativeFigures();
if (part('cli')) cliFigures();
const server = await serveWww();
const chromium = await launch();
const browser = chromium.raw;
try {
  const bench = await benchPage(browser, server.base);
  if (part('wasm')) await wasmFigures(bench.page);
  if (part('ratio')) await ratioFigures(bench.page, browser);
  const context = await browser.newContext({ acceptDownloads: true });
  const page = await context.newPage();
  if (part('page')) {
    const flops = await bench.page.evaluate(async () => {
      const module = await import('/bench-pkg/ayla.js');
      await module.default();
      return module.epoch_flops(60_000, 10_000, 128);
    });
    await pageFigures(page, browser, server.base, flops);
  }
  if (part('tfjs')) await tfjsFigures(bench.page, server.base);
  await bench.context.close();
  if (part('sweep')) await sweepFigures(page, server.base);
} finally {
  await browser.close();
  server.close();
}
await mkdir(join(ROOT, 'target/'), { recursive: true });
await writeFile(join(ROOT, 'target/bench.json'), `${JSON.stringify(figures, null, 2)}\n`);
console.log('wrote target/bench.json');
