// The page's controller: wires the inputs, the data, the run (or sweep) and the chart
// together, and keeps the status line, the progress rows and the log up to date.

import init, { export_csv, export_json, new_seed } from './pkg/ayla.js';
import { buildInputs, checkInputs, fillFromQuery, peekInputs, recheckField, recheckMarked, setMode } from './inputs.js';
import { DataError, dataset, loadedSizes, useFiles, useMnist } from './data.js';
import { METHODS, startRun } from './run.js';
import { addEpoch, epochsDrawn, exportPng, historyJson, setUpChart, startHistory } from './chart-view.js';
import { hideSweep, planText, setUpSweep, startSweep } from './sweep.js';
import { noteProgress } from './speed.js';
import { download } from './download.js';
import { duration, plural } from './format.js';

const $ = (id) => document.getElementById(id);

// The run in progress, or null: { config, stop(), started, trainSize, last: {method: metrics}, finished }.
// A sweep in progress is { sweep: true, stop(), started }.
let run = null;
// The config behind the history on the chart, for the exports.
let chartConfig = null;

export async function boot() {
  await init();
  buildInputs($('fields'));
  addSeedButton();
  const mode = fillFromQuery(location.search);
  document.querySelector(`input[name="mode"][value="${mode}"]`).checked = true;
  applyMode(mode);
  setUpChart();
  setUpSweep((config) => {
    chartConfig = config;
    updateExports();
  });
  // An empty figure titled with the link's N1 and N2; a bad value in the link is marked now.
  const checked = checkInputs();
  if (checked) startHistory(checked.config ?? checked.sweep.base);
  $('params').addEventListener('submit', train);
  $('params').addEventListener('change', (event) => {
    if (event.target.name === 'mode') {
      applyMode(event.target.value);
      recheckMarked();
    } else {
      recheckField(event.target.id);
    }
    showPlan();
  });
  $('params').addEventListener('input', showPlan);
  $('stop').addEventListener('click', stop);
  $('files').addEventListener('change', pickFiles);
  $('use-mnist').addEventListener('click', backToMnist);
  $('export-png').addEventListener('click', savePng);
  $('export-json').addEventListener('click', () => saveMetrics(export_json, 'json', 'application/json'));
  $('export-csv').addEventListener('click', () => saveMetrics(export_csv, 'csv', 'text/csv'));
  addEventListener('keydown', (event) => {
    if (event.key === 'Escape' && run && !event.defaultPrevented) stop();
  });
  $('train').disabled = false;
  setStatus('idle', 'Ready. Set the parameters and press Train.');
}

const currentMode = () => document.querySelector('input[name="mode"]:checked').value;

// Single run or sweep: the inputs, the button's label and the plan line follow.
function applyMode(mode) {
  setMode(mode);
  $('train').textContent = mode === 'sweep' ? 'Run sweep' : 'Train';
  $('sweep-plan').hidden = mode !== 'sweep';
  showPlan();
}

// In sweep mode, the grid's size and estimated time, updated as the user types.
function showPlan() {
  if (currentMode() !== 'sweep') return;
  const plan = peekInputs();
  $('sweep-plan').textContent = plan
    ? planText(plan, loadedSizes() ?? { train: 60_000, test: 10_000 })
    : 'Fix the marked fields to see the sweep’s size.';
}

function setStatus(state, text) {
  const status = $('status');
  status.dataset.state = state;
  status.textContent = text;
}

function setRunning(running) {
  $('train').disabled = running;
  $('stop').disabled = !running;
  $('files').disabled = running;
  $('use-mnist').disabled = running;
}

function addSeedButton() {
  const seed = $('seed');
  const button = document.createElement('button');
  button.type = 'button';
  button.id = 'new-seed';
  button.textContent = 'New seed';
  button.title = "Draw a seed from the browser's secure random source";
  button.addEventListener('click', () => {
    seed.value = String(new_seed());
    recheckField('seed');
  });
  const wrap = document.createElement('div');
  wrap.className = 'with-button';
  seed.replaceWith(wrap);
  wrap.append(seed, button);
}

async function train(event) {
  event.preventDefault();
  if (run) return;
  const checked = checkInputs();
  if (!checked) {
    setStatus('idle', 'Not started: a parameter needs fixing (marked above).');
    return;
  }
  const { config, query } = checked;
  history.replaceState(null, '', `?${query}`);
  const aborter = new AbortController();
  const current = {
    config,
    sweep: !config,
    stop: () => aborter.abort(),
    started: performance.now(),
    last: {},
    finished: new Set(),
  };
  run = current;
  setRunning(true);
  setStatus('loading', 'Loading the data…');
  let data;
  try {
    data = await dataset(showDownload, aborter.signal);
  } catch (error) {
    if (run === current) fail(error instanceof DataError ? error.message : `Loading the data failed: ${error.message}`);
    return;
  } finally {
    $('download').hidden = true;
  }
  if (run !== current) return; // stopped while loading
  showData(data);
  if (current.sweep) beginSweep(current, checked, data);
  else begin(current, data);
}

function beginSweep(current, plan, data) {
  const { sweep } = plan;
  startHistory(sweep.base);
  $('log').textContent = '';
  $('methods').hidden = true;
  $('run-info').textContent = [
    `Sweep: N1 ${sweep.n1.join(', ')}`,
    `N2 ${sweep.n2.join(', ')}`,
    plural(sweep.seeds, 'seed'),
    `from seed ${sweep.base.seed}`,
    plural(sweep.base.epochs, 'epoch'),
    `${Math.min(sweep.base.train_size, data.sizes.train).toLocaleString('en')} training images`,
  ].join(' · ');
  chartConfig = null;
  updateExports();
  const ours = (handler) => (value) => run === current && handler(value);
  current.stop = startSweep(plan, data, {
    onDone: ours(finishSweep),
    onFailure: ours(fail),
    log: (line) => {
      $('log').textContent += `${line}\n`;
      console.log(line);
    },
  });
  setStatus('training', `Sweep: ${plural(plan.jobs.length, 'run')} of ${plural(sweep.base.epochs, 'epoch')}…`);
}

function finishSweep(summary) {
  run = null;
  setRunning(false);
  setStatus('done', summary);
}

function begin(current, data) {
  const { config } = current;
  hideSweep();
  $('methods').hidden = false;
  current.trainSize = Math.min(config.train_size, data.sizes.train);
  chartConfig = config;
  startHistory(config);
  $('log').textContent = '';
  showRunInfo(config, current.trainSize, data);
  for (const method of METHODS) setProgress(method, 0, 1, 'Starting…');
  updateExports();
  const ours = (handler) => (value) => run === current && handler(value);
  current.stop = startRun(config, data.buffers, { onMessage: ours(onMessage), onFailure: ours(fail) });
  setStatus('training', `Training ${plural(config.epochs, 'epoch')} on ${current.trainSize.toLocaleString('en')} images…`);
}

function onMessage(message) {
  switch (message.type) {
    case 'Progress':
      return showProgress(message);
    case 'Epoch':
      return showEpoch(message);
    case 'Done':
      return methodDone(message.method);
    case 'Error':
      return fail(message.method ? `${message.method}: ${message.message}` : message.message);
  }
}

function showProgress(message) {
  noteProgress(message);
  const { method, epoch, batch, batches, samples_per_sec: rate, loss } = message;
  const { config, trainSize } = run;
  const left = (batches - batch) * config.batch_size + (config.epochs - epoch) * trainSize;
  const parts = [
    `Epoch ${epoch}/${config.epochs}`,
    `batch ${batch}/${batches}`,
    `${Math.round(rate).toLocaleString('en')} img/s`,
    `loss ${loss === null ? 'not finite' : loss.toFixed(4)}`,
    rate > 0 ? `ETA ${duration(left / rate)}` : 'ETA …',
  ];
  setProgress(method, batch, batches, parts.join(' · '));
}

function showEpoch({ method, metrics, log_line: line }) {
  addEpoch(method, metrics);
  $('log').textContent += `${line}\n`;
  console.log(line);
  run.last[method] = metrics;
  updateExports();
  const epochs = METHODS.map((m) => `${m} ${run.last[m]?.epoch ?? 0}/${run.config.epochs}`);
  setStatus('training', `Training: ${epochs.join(', ')} epochs done.`);
}

function methodDone(method) {
  const last = run.last[method];
  const text = last?.diverged_at
    ? `Diverged in epoch ${last.epoch} at batch ${last.diverged_at}`
    : `Done: ${plural(last?.epoch ?? 0, 'epoch')}, val acc ${last?.val_accuracy?.toFixed(4)}`;
  setProgress(method, 1, 1, text, last?.diverged_at ? 'diverged' : 'done');
  run.finished.add(method);
  if (run.finished.size === METHODS.length) finish();
}

function finish() {
  const { last, started } = run;
  run = null;
  setRunning(false);
  const diverged = METHODS.filter((m) => last[m]?.diverged_at).map((m) => `${m} diverged.`);
  const accuracy = METHODS.filter((m) => !last[m]?.diverged_at).map((m) => `${m} ${last[m].val_accuracy.toFixed(4)}`);
  const summary = accuracy.length ? ` Final val acc: ${accuracy.join(', ')}.` : '';
  setStatus('done', `Done in ${duration((performance.now() - started) / 1000)}.${summary} ${diverged.join(' ')}`.trim());
}

function stop() {
  if (!run) return;
  const { started } = run;
  run.stop();
  run = null;
  setRunning(false);
  for (const row of document.querySelectorAll('.run-progress:not([data-state])')) {
    row.querySelector('.detail').textContent = 'Stopped';
  }
  setStatus('stopped', `Stopped after ${duration((performance.now() - started) / 1000)}. Press Train to start again.`);
}

// Ends the run, if any, and shows what went wrong; the controls come back.
export function fail(text) {
  if (run) {
    run.stop();
    run = null;
  }
  setRunning(false);
  setStatus('error', text);
}

function setProgress(method, value, max, text, state) {
  const row = document.querySelector(`.run-progress[data-method="${method}"]`);
  const bar = row.querySelector('progress');
  bar.max = max;
  bar.value = value;
  row.querySelector('.detail').textContent = text;
  if (state) row.dataset.state = state;
  else delete row.dataset.state;
}

function showDownload(received, total) {
  $('download').hidden = false;
  const bar = $('download-bar');
  const mb = (bytes) => (bytes / 1e6).toFixed(1);
  if (total > 0) {
    bar.max = total;
    bar.value = received;
    $('download-text').textContent = `Downloading MNIST: ${mb(received)} of ${mb(total)} MB`;
  } else {
    bar.removeAttribute('value');
    $('download-text').textContent = `Downloading MNIST: ${mb(received)} MB`;
  }
}

function showData(data) {
  const { train, test } = data.sizes;
  const count = `${train.toLocaleString('en')} training and ${test.toLocaleString('en')} test images`;
  $('data-source').textContent = data.label === 'MNIST'
    ? `MNIST from this site: ${count}, kept for the next run.`
    : `Using ${data.label}: ${count}.`;
}

function showRunInfo(config, trainSize, data) {
  const parts = [
    `Seed ${config.seed}`,
    `N1 ${config.n1}`,
    `N2 ${config.n2}`,
    plural(config.epochs, 'epoch'),
    `batch ${config.batch_size}`,
    `lr ${config.learning_rate}`,
    `${config.hidden} hidden units`,
    `${trainSize.toLocaleString('en')} of ${data.sizes.train.toLocaleString('en')} training images`,
  ];
  $('run-info').textContent = parts.join(' · ');
}

async function pickFiles() {
  const files = $('files').files;
  if (!files.length) return;
  setStatus('loading', `Reading ${plural(files.length, 'file')}…`);
  try {
    const data = await useFiles(files);
    showData(data);
    $('use-mnist').hidden = false;
    setStatus('idle', 'Your files are loaded. Press Train.');
  } catch (error) {
    setStatus('error', error instanceof DataError ? error.message : `Reading the files failed: ${error.message}`);
  } finally {
    $('files').value = '';
  }
}

function backToMnist() {
  useMnist();
  $('use-mnist').hidden = true;
  $('data-source').textContent = 'MNIST, downloaded from this site on the next run.';
}

function updateExports() {
  const none = epochsDrawn() === 0;
  for (const id of ['export-png', 'export-json', 'export-csv']) $(id).disabled = none;
}

async function savePng() {
  download(await exportPng(), 'mnist_comparison.png');
}

function saveMetrics(format, extension, type) {
  const text = format(chartConfig, historyJson());
  download(new Blob([text], { type }), `mnist_comparison.${extension}`);
}
