// The page's controller: wires the inputs, the data, the session (a single run or a sweep)
// and the views together. What a run measured, its texts and its order live in Rust (a
// Comparison or a SweepSession); this module applies the updates they answer with.

import init, { Comparison, SweepSession, new_seed } from './pkg/ayla.js';
import { buildInputs, checkInputs, fillFromQuery, peekInputs, recheckField, recheckMarked, setMode } from './inputs.js';
import { DataError, dataset, loadedSizes, useFiles, useMnist } from './data.js';
import { poolSize } from './pool.js';
import { startSession } from './session.js';
import { buildRows, setRow } from './progress.js';
import { epochsShown, redraw, setUpChart, show, shownComparison as figure } from './chart-view.js';
import { hideSweep, planText, refresh, setUpSweep, showOverall, showSweep } from './sweep.js';
import { noteRate } from './speed.js';
import { download } from './download.js';
import { plural } from './format.js';

const $ = (id) => document.getElementById(id);

// The session in progress ({ stop() }), or null; and what its updates redraw.
let session = null;
let view = null;

export async function boot() {
  await init();
  buildInputs($('fields'));
  addSeedButton();
  const mode = fillFromQuery(location.search);
  document.querySelector(`input[name="mode"][value="${mode}"]`).checked = true;
  applyMode(mode);
  setUpChart();
  setUpSweep();
  buildRows($('methods'), ['Normal', 'AYLA'], 'method');
  // An empty figure titled with the link's N1 and N2; a bad value in the link is marked now.
  const checked = checkInputs();
  if (checked) {
    const config = checked.config ?? checked.sweep.base;
    show(new Comparison(config, config.train_size));
  }
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
  $('export-json').addEventListener('click', () => saveFigure('json', 'application/json'));
  $('export-csv').addEventListener('click', () => saveFigure('csv', 'text/csv'));
  addEventListener('keydown', (event) => {
    if (event.key === 'Escape' && session && !event.defaultPrevented) stop();
  });
  $('train').disabled = false;
  setStatus({ state: 'idle', text: 'Ready. Set the parameters and press Train.' });
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

function setStatus({ state, text }) {
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
  if (session) return;
  const checked = checkInputs();
  if (!checked) {
    setStatus({ state: 'idle', text: 'Not started: a parameter needs fixing (marked above).' });
    return;
  }
  history.replaceState(null, '', `?${checked.query}`);
  const aborter = new AbortController();
  // Until the data is in, Stop only cancels the download.
  const loading = { stop: () => aborter.abort() };
  session = loading;
  setRunning(true);
  setStatus({ state: 'loading', text: 'Loading the data…' });
  let data;
  try {
    data = await dataset(showDownload, aborter.signal);
  } catch (error) {
    if (session === loading) fail(error instanceof DataError ? error.message : `Loading the data failed: ${error.message}`);
    return;
  } finally {
    $('download').hidden = true;
  }
  if (session !== loading) return; // stopped while loading
  showData(data);
  $('log').textContent = '';
  session = checked.config ? startSingle(checked.config, data) : startSweep(checked, data);
}

function startSingle(config, data) {
  hideSweep();
  $('methods').hidden = false;
  const comparison = new Comparison(config, Math.min(config.train_size, data.sizes.train));
  $('run-info').textContent = comparison.describe(data.sizes.train);
  show(comparison);
  view = { rows: $('methods'), redraw };
  const name = (slot, job) => (job ? `the ${job.method} worker` : 'a training worker');
  return startSession(comparison, data.buffers, 2, { apply, name });
}

function startSweep(plan, data) {
  $('methods').hidden = true;
  const workers = poolSize(plan.jobs.length);
  const sweep = new SweepSession(plan.sweep, data.sizes.train, workers);
  $('run-info').textContent = sweep.describe();
  buildRows($('pool'), Array.from({ length: workers }, (_, i) => `Worker ${i + 1}`), 'slot');
  // An empty figure until a setting is chosen.
  show(new Comparison(plan.sweep.base, plan.sweep.base.train_size));
  showSweep(sweep);
  view = { rows: $('pool'), redraw: refresh };
  const name = (slot) => `sweep worker ${slot + 1}`;
  return startSession(sweep, data.buffers, workers, { apply, name });
}

// Puts one of Rust's updates on the page.
function apply({ rows, log, status, redraw: changed, epoch_rate: rate, overall, finished }) {
  for (const row of rows) setRow(view.rows, row);
  if (log.length) {
    $('log').textContent += log.map((line) => `${line}\n`).join('');
    for (const line of log) console.log(line);
  }
  if (rate) noteRate(rate);
  if (overall) showOverall(overall);
  if (changed) view.redraw();
  if (status) setStatus(status);
  if (finished) {
    session = null;
    setRunning(false);
  }
  updateExports();
}

function stop() {
  if (!session) return;
  const current = session;
  session = null;
  current.stop();
  setRunning(false);
  if ($('status').dataset.state === 'loading') setStatus({ state: 'stopped', text: 'Stopped. Press Train to start again.' });
}

// Ends the session, if any, and shows what went wrong; the controls come back.
export function fail(text) {
  const current = session;
  session = null;
  current?.stop();
  setRunning(false);
  setStatus({ state: 'error', text });
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

async function pickFiles() {
  const files = $('files').files;
  if (!files.length) return;
  setStatus({ state: 'loading', text: `Reading ${plural(files.length, 'file')}…` });
  try {
    const data = await useFiles(files);
    showData(data);
    $('use-mnist').hidden = false;
    setStatus({ state: 'idle', text: 'Your files are loaded. Press Train.' });
  } catch (error) {
    setStatus({ state: 'error', text: error instanceof DataError ? error.message : `Reading the files failed: ${error.message}` });
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
  const none = epochsShown() === 0;
  for (const id of ['export-png', 'export-json', 'export-csv']) $(id).disabled = none;
}

async function savePng() {
  download(await figure().export_png(), 'mnist_comparison.png');
}

function saveFigure(extension, type) {
  const text = extension === 'json' ? figure().export_json() : figure().export_csv();
  download(new Blob([text], { type }), `mnist_comparison.${extension}`);
}
