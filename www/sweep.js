// Sweep mode's results: the pool's progress, the sortable results table, the heat map of
// each setting's gain over Normal, the comparison figure of the chosen setting, and the
// sweep's exports. What the runs measured is kept in the shape Rust reads
// (src/sweep.rs, SweepRecord); the table, heat map and exports are computed from it there.

import * as wasm from './pkg/ayla.js';
import { poolSize, startPool } from './pool.js';
import { showRuns } from './chart-view.js';
import { noteProgress, speed } from './speed.js';
import { download } from './download.js';
import { duration, plural } from './format.js';

const $ = (id) => document.getElementById(id);
const darkScheme = matchMedia('(prefers-color-scheme: dark)');

// { sweep, results: [{ job, metrics, done }] } of the sweep shown, or null.
let record = null;
// The plan's runs, by id: { id, method, config }.
let jobs = [];
// Each run's progress in batches, by job id, and the batches in one epoch: the overall bar.
let batchesDone = [];
let batchesPerEpoch = 1;
// The heat map cell {i, j} shown in the comparison figure, and the heat map's layout.
let selected = null;
let heatLayout = null;
let sortBy = { key: 'gain', descending: true };
// Told when the chosen setting changes: onSelect(config of its AYLA run) (for exports).
let onSelect = () => {};

// The table's columns: key, header, and how a row shows and sorts.
const COLUMNS = [
  { key: 'n1', label: 'N1', value: (r) => r.n1, show: (r) => r.n1 ?? 'Normal' },
  { key: 'n2', label: 'N2', value: (r) => r.n2, show: (r) => r.n2 ?? '' },
  stat('final_val_accuracy', 'Final val acc'),
  stat('best_val_accuracy', 'Best val acc'),
  stat('final_val_loss', 'Final val loss'),
  stat('best_val_loss', 'Best val loss'),
  { key: 'gain', label: 'Δ val acc (points)', value: (r) => r.gain?.mean, show: (r) => gainText(r) },
  { key: 'first_beat', label: 'First beat Normal (epoch)', value: firstBeatValue, show: firstBeatText },
  { key: 'runs', label: 'Runs', value: (r) => r.runs_done, show: (r) => `${r.runs_done}/${r.runs_total}` },
  { key: 'diverged', label: 'Diverged', value: (r) => r.diverged, show: (r) => (r.diverged ? `${r.diverged}` : '') },
];

function stat(key, label) {
  return { key, label, value: (r) => r[key]?.mean, show: (r) => statText(r[key], 4) };
}

function statText(s, digits) {
  if (!s) return '–';
  return s.std === null ? s.mean.toFixed(digits) : `${s.mean.toFixed(digits)} ± ${s.std.toFixed(digits)}`;
}

function gainText(row) {
  if (row.method === 'Normal' || !row.gain) return '–';
  const points = (v) => (v * 100).toFixed(2);
  const mean = `${row.gain.mean >= 0 ? '+' : '−'}${points(Math.abs(row.gain.mean))}`;
  return row.gain.std === null ? mean : `${mean} ± ${points(row.gain.std)}`;
}

// Seeds that never beat Normal count as after the last epoch when sorting.
function firstBeatValue(row) {
  if (!row.first_beat.length) return undefined;
  const epochs = row.first_beat.map((e) => e ?? Infinity);
  return epochs.reduce((a, b) => a + b, 0) / epochs.length;
}

function firstBeatText(row) {
  if (row.method === 'Normal') return '';
  if (!row.first_beat.length) return '–';
  return row.first_beat.map((e) => e ?? 'never').join(', ');
}

export function setUpSweep(selectHandler) {
  onSelect = selectHandler;
  const header = $('sweep-table').tHead.rows[0];
  for (const column of COLUMNS) {
    const th = document.createElement('th');
    th.scope = 'col';
    th.dataset.key = column.key;
    const button = document.createElement('button');
    button.type = 'button';
    button.textContent = column.label;
    button.addEventListener('click', () => sortTable(column.key));
    th.append(button);
    header.append(th);
  }
  const canvas = $('heatmap');
  canvas.addEventListener('click', (event) => pickCell(event.offsetX, event.offsetY));
  canvas.addEventListener('keydown', moveSelection);
  new ResizeObserver(() => requestAnimationFrame(drawHeatMap)).observe(canvas);
  darkScheme.addEventListener('change', drawHeatMap);
  $('export-sweep-csv').addEventListener('click', () => saveTable(wasm.export_sweep_csv, 'csv', 'text/csv'));
  $('export-sweep-json').addEventListener('click', () => saveTable(wasm.export_sweep_json, 'json', 'application/json'));
  $('export-heatmap').addEventListener('click', saveHeatMap);
}

// "3 × 3 settings × 2 seeds, plus Normal: 20 runs on 2 workers, about 1:05 (…)".
export function planText({ sweep, jobs: planned }, sizes) {
  const workers = poolSize(planned.length);
  const { speed: rate, source } = speed();
  const seconds = wasm.sweep_estimate(sweep, sizes.train, sizes.test, rate, workers);
  const grid = `${sweep.n1.length} × ${sweep.n2.length} ${sweep.n1.length * sweep.n2.length === 1 ? 'setting' : 'settings'}`;
  return (
    `${grid} × ${plural(sweep.seeds, 'seed')}, plus Normal: ${plural(planned.length, 'run')} ` +
    `on ${plural(workers, 'worker')}, about ${duration(seconds)} (speed measured by ${source}).`
  );
}

// Starts a sweep of `plan` (from check_sweep) on `data`. `onDone(summary)` when every run
// finished, `onFailure(text)` if the pool cannot go on, `log(line)` for each epoch's line.
// Returns a function that stops it; finished results stay.
export function startSweep(plan, data, { onDone, onFailure, log }) {
  record = { sweep: plan.sweep, results: [] };
  jobs = plan.jobs;
  batchesDone = jobs.map(() => 0);
  const { train_size: wanted, batch_size: batch } = plan.sweep.base;
  batchesPerEpoch = Math.ceil(Math.min(wanted, data.sizes.train) / batch);
  selected = null;
  $('sweep').hidden = false;
  const size = poolSize(jobs.length);
  buildPoolRows(size);
  const started = performance.now();
  let idle = 0;
  showResults();
  showOverall(started);
  const stopPool = startPool(jobs, data.buffers, size, {
    onJob: (job, slot) => {
      record.results.push({ job: job.id, metrics: [], done: false });
      setPoolRow(slot, job, 'Starting…');
    },
    onMessage: (job, message, slot) => {
      switch (message.type) {
        case 'Progress':
          noteProgress(message);
          batchesDone[job.id] = (message.epoch - 1) * message.batches + message.batch;
          setPoolRow(slot, job, progressText(job, message), message.batch / message.batches);
          return showOverall(started);
        case 'Epoch':
          resultOf(job).metrics.push(message.metrics);
          log(`[${settingText(job)}] ${message.log_line}`);
          if (showsJob(job)) showSelection();
          return;
        case 'Done':
          return runDone(job, started);
        case 'Error':
          return onFailure(`${settingText(job)}: ${message.message}`);
      }
    },
    onIdle: (slot) => {
      setPoolRow(slot, null, 'Idle: no runs left', 1, 'done');
      idle += 1;
      if (idle === size) onDone(summary(started));
    },
    onFailure,
  });
  // The page's Stop marks the rows of workers that were still busy.
  return () => {
    stopPool();
    // Unfinished runs are dropped: the table and exports hold finished runs only.
    record.results = record.results.filter((r) => r.done);
    showResults();
  };
}

// Hides the sweep's results (single-run mode).
export function hideSweep() {
  $('sweep').hidden = true;
}

const resultOf = (job) => record.results.find((r) => r.job === job.id);
// The table's rows, computed in Rust from everything measured so far.
const rows = () => wasm.sweep_rows(JSON.stringify(record));

function settingText(job) {
  const { n1, n2, seed } = job.config;
  return job.method === 'Normal' ? `Normal, seed ${seed}` : `N1 ${n1}, N2 ${n2}, seed ${seed}`;
}

function progressText(job, { epoch, batch, batches, samples_per_sec: rate }) {
  return [
    settingText(job),
    `epoch ${epoch}/${job.config.epochs}`,
    `batch ${batch}/${batches}`,
    `${Math.round(rate).toLocaleString('en')} img/s`,
  ].join(' · ');
}

function runDone(job, started) {
  resultOf(job).done = true;
  // A diverged run is over too: all of its batches count as done for the overall bar.
  batchesDone[job.id] = job.config.epochs * batchesPerEpoch;
  if (!selected && job.method === 'AYLA') selected = cellOf(job);
  showResults();
  showOverall(started);
}

function summary(started) {
  const settings = rows().filter((r) => r.method === 'AYLA');
  const diverged = settings.filter((r) => r.diverged > 0).length;
  const ranked = settings.filter((r) => r.gain).sort((a, b) => b.gain.mean - a.gain.mean);
  const best = ranked[0];
  const parts = [`Sweep done in ${duration((performance.now() - started) / 1000)}: ${plural(record.results.length, 'run')}.`];
  if (best) parts.push(`Best: N1 ${best.n1}, N2 ${best.n2} (${gainText(best)} points against Normal).`);
  if (diverged) parts.push(`${plural(diverged, 'setting')} diverged.`);
  return parts.join(' ');
}

function buildPoolRows(size) {
  const pool = $('pool');
  pool.replaceChildren();
  for (let slot = 0; slot < size; slot += 1) {
    const row = document.createElement('div');
    row.className = 'run-progress';
    row.dataset.slot = String(slot);
    const name = document.createElement('span');
    name.className = 'method';
    name.textContent = `Worker ${slot + 1}`;
    const bar = document.createElement('progress');
    bar.max = 1;
    bar.value = 0;
    bar.setAttribute('aria-label', `Worker ${slot + 1}: progress within the epoch`);
    const detail = document.createElement('span');
    detail.className = 'detail';
    detail.textContent = 'Starting…';
    row.append(name, bar, detail);
    pool.append(row);
  }
}

function setPoolRow(slot, job, text, fraction = 0, state) {
  const row = document.querySelector(`#pool .run-progress[data-slot="${slot}"]`);
  row.querySelector('progress').value = fraction;
  row.querySelector('.detail').textContent = text;
  row.querySelector('.method').className = `method ${job?.method === 'AYLA' ? 'ayla' : job ? 'normal' : ''}`;
  if (state) row.dataset.state = state;
}

function showOverall(started) {
  const total = jobs.reduce((sum, job) => sum + job.config.epochs * batchesPerEpoch, 0);
  const fraction = Math.min(batchesDone.reduce((sum, b) => sum + b, 0) / total, 1);
  const finished = record.results.filter((r) => r.done).length;
  const elapsed = (performance.now() - started) / 1000;
  const eta = fraction > 0.02 ? ` · ETA ${duration((elapsed * (1 - fraction)) / fraction)}` : '';
  $('sweep-bar').value = fraction;
  $('sweep-text').textContent =
    `${finished} of ${plural(jobs.length, 'run')} done · ${duration(elapsed)} elapsed${eta}`;
}

// Redraws the table and the heat map and, if it changed, the comparison figure.
function showResults() {
  fillTable(rows());
  drawHeatMap();
  showSelection();
  const any = record.results.some((r) => r.done);
  for (const id of ['export-sweep-csv', 'export-sweep-json', 'export-heatmap']) $(id).disabled = !any;
}

function fillTable(table) {
  const column = COLUMNS.find((c) => c.key === sortBy.key);
  const [normal, ...settings] = table;
  const order = sortBy.descending ? -1 : 1;
  settings.sort((a, b) => {
    const [x, y] = [column.value(a), column.value(b)];
    // Rows without the value go last whatever the direction.
    if (x === undefined || x === null) return y === undefined || y === null ? 0 : 1;
    if (y === undefined || y === null) return -1;
    return (x - y) * order;
  });
  const body = $('sweep-table').tBodies[0];
  body.replaceChildren(...[normal, ...settings].map(tableRow));
  for (const th of $('sweep-table').tHead.rows[0].cells) {
    if (th.dataset.key === sortBy.key) th.setAttribute('aria-sort', sortBy.descending ? 'descending' : 'ascending');
    else th.removeAttribute('aria-sort');
  }
}

function tableRow(row) {
  const tr = document.createElement('tr');
  const cell = row.method === 'AYLA' ? cellAt(row.n1, row.n2) : null;
  tr.className = row.method === 'Normal' ? 'baseline' : '';
  if (row.diverged) tr.classList.add('diverged');
  if (cell && selected && cell.i === selected.i && cell.j === selected.j) tr.setAttribute('aria-selected', 'true');
  for (const column of COLUMNS) {
    const td = document.createElement('td');
    td.textContent = String(column.show(row));
    tr.append(td);
  }
  if (cell) {
    tr.tabIndex = 0;
    tr.addEventListener('click', () => select(cell));
    tr.addEventListener('keydown', (event) => {
      if (event.key === 'Enter' || event.key === ' ') {
        event.preventDefault();
        select(cell);
      }
    });
  }
  return tr;
}

function sortTable(key) {
  sortBy = sortBy.key === key ? { key, descending: !sortBy.descending } : { key, descending: key !== 'n1' && key !== 'n2' };
  if (record) fillTable(rows());
}

const cellAt = (n1, n2) => ({ i: record.sweep.n1.indexOf(n1), j: record.sweep.n2.indexOf(n2) });
const cellOf = (job) => cellAt(job.config.n1, job.config.n2);

function heatMapJson() {
  return wasm.sweep_heat_map(JSON.stringify(record), selected?.i, selected?.j);
}

function drawHeatMap() {
  if (!record || $('sweep').hidden) return;
  const note = $('heatmap-note');
  try {
    heatLayout = wasm.draw_heatmap($('heatmap'), heatMapJson(), darkScheme.matches ? 'dark' : 'light');
    note.hidden = true;
  } catch (error) {
    heatLayout = null;
    note.textContent = `The heat map could not be drawn: ${error.message ?? error}`;
    note.hidden = false;
  }
}

function pickCell(x, y) {
  const box = heatLayout?.cells.find((c) => x >= c.left && x <= c.left + c.width && y >= c.top && y <= c.top + c.height);
  if (box) select({ i: box.i, j: box.j });
}

// Arrow keys move the chosen cell (up is a higher N2, as drawn).
function moveSelection(event) {
  const moves = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, 1], ArrowDown: [0, -1] };
  if (!record || !(event.key in moves)) return;
  event.preventDefault();
  const [di, dj] = moves[event.key];
  const from = selected ?? { i: 0, j: 0 };
  const clamp = (v, n) => Math.min(Math.max(v, 0), n - 1);
  select({ i: clamp(from.i + di, record.sweep.n1.length), j: clamp(from.j + dj, record.sweep.n2.length) });
}

function select(cell) {
  selected = cell;
  fillTable(rows());
  drawHeatMap();
  showSelection();
}

// Whether the comparison figure shows this run (the chosen setting or its Normal).
function showsJob(job) {
  const seed = shownSeed();
  if (!selected || job.config.seed !== seed) return false;
  if (job.method === 'Normal') return true;
  const cell = cellOf(job);
  return cell.i === selected.i && cell.j === selected.j;
}

// The chosen setting's runs, by seed: the comparison shows the first seed that has both.
function selectedRuns() {
  const [n1, n2] = [record.sweep.n1[selected.i], record.sweep.n2[selected.j]];
  const bySeed = new Map();
  for (const result of record.results) {
    const job = jobs[result.job];
    const ours = job.method === 'Normal' || (job.config.n1 === n1 && job.config.n2 === n2);
    if (!ours) continue;
    const entry = bySeed.get(job.config.seed) ?? {};
    entry[job.method] = { job, result };
    bySeed.set(job.config.seed, entry);
  }
  return [...bySeed.entries()].find(([, e]) => e.Normal && e.AYLA && e.AYLA.result.metrics.length);
}

function shownSeed() {
  return selected && record ? selectedRuns()?.[0] : undefined;
}

function showSelection() {
  const caption = $('sweep-selection');
  if (!record || !selected) {
    caption.textContent = 'Click a heat map cell or a table row to compare that setting with Normal in the figure below.';
    return;
  }
  const found = selectedRuns();
  const [n1, n2] = [record.sweep.n1[selected.i], record.sweep.n2[selected.j]];
  if (!found) {
    caption.textContent = `N1 ${n1}, N2 ${n2}: no epoch finished yet.`;
    return;
  }
  const [seed, { Normal: normal, AYLA: ayla }] = found;
  const run = ({ job, result }) => ({
    method: job.method,
    metrics: result.metrics,
    diverged: result.metrics.some((m) => m.diverged_at !== null),
  });
  const config = ayla.job.config;
  showRuns(config, [run(normal), run(ayla)]);
  onSelect(config);
  const others = record.sweep.seeds > 1 ? ` (of ${plural(record.sweep.seeds, 'seed')}; the table has all)` : '';
  caption.textContent = `Comparison figure below: N1 ${n1}, N2 ${n2} against Normal, seed ${seed}${others}.`;
}

function saveTable(format, extension, type) {
  download(new Blob([format(JSON.stringify(record))], { type }), `mnist_sweep.${extension}`);
}

async function saveHeatMap() {
  download(await wasm.export_heatmap_png(heatMapJson()), 'mnist_sweep_heatmap.png');
}
