// The page's controller: wires the inputs, the data, the session (a single run or a sweep)
// and the views together. What a run measured, its texts and its order live in Rust (a
// Comparison or a SweepSession); this module applies the updates they answer with, has
// them kept (store.js), and shows a kept one again: the last one when the page opens, or
// one opened from the History (an interrupted sweep can then be resumed).

import init, { Comparison, SweepSession, check_data, new_seed, restore_stored } from './pkg/ayla.js';
import { buildInputs, checkInputs, fillFromQuery, markRefused, peekInputs, recheckField, recheckMarked, setMode } from './inputs.js';
import { DataError, dataset, loadedSizes, useFiles, useMnist } from './data.js';
import { poolSize } from './pool.js';
import { startSession } from './session.js';
import { buildRows, setRow } from './progress.js';
import { epochsShown, redraw, setUpChart, show, shownComparison as figure } from './chart-view.js';
import { hideSweep, planText, refresh, setUpSweep, showOverall, showSweep } from './sweep.js';
import { noteRate } from './speed.js';
import { download } from './download.js';
import { plural } from './format.js';
import * as store from './store.js';
import { latest, markShown, setUpHistory } from './history.js';

const $ = (id) => document.getElementById(id);

// The session in progress ({ stop() }), or null; and what its updates redraw.
let session = null;
let view = null;
// The kept sweep shown, while it can be resumed: { record, sweep, data, query }.
let resumable = null;

export async function boot() {
  await init();
  buildInputs($('fields'));
  addSeedButton();
  useLink(location.search);
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
  $('open-results').addEventListener('change', openResults);
  $('export-png').addEventListener('click', savePng);
  $('export-json').addEventListener('click', () => saveFigure('json', 'application/json'));
  $('export-csv').addEventListener('click', () => saveFigure('csv', 'text/csv'));
  addEventListener('keydown', (event) => {
    if (event.key === 'Escape' && session && !event.defaultPrevented) stop();
  });
  $('resume').addEventListener('click', resume);
  await setUpHistory({ open: openKept, exportRecord, busy: () => session !== null });
  // The last run or sweep, as far as it got; a visit without a link takes its parameters.
  const last = latest();
  const shown = last && (await openKept(last));
  if (shown && !location.search) useLink(shown.query);
  $('train').disabled = false;
  const resumeToo = resumable ? 'Press Resume to finish the sweep below, or set' : 'Set';
  setStatus({ state: 'idle', text: `Ready. ${resumeToo} the parameters and press Train.` });
}

// Fills the inputs from a page link's query (`epochs=5&…`, with `mode=sweep` for a sweep).
function useLink(query) {
  const mode = fillFromQuery(query);
  document.querySelector(`input[name="mode"][value="${mode}"]`).checked = true;
  applyMode(mode);
  if (query && !location.search) history.replaceState(null, '', `?${query.replace(/^\?/, '')}`);
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
  $('resume').disabled = running;
  $('stop').disabled = !running;
  $('files').disabled = running;
  $('use-mnist').disabled = running;
  $('open-results').disabled = running;
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
  const loading = await loadData();
  if (!loading) return;
  const { data, claim } = loading;
  // The data may hold fewer training images than asked for: K must still leave some.
  const refused = check_data(checked.config ?? checked.sweep.base, data.sizes.train);
  if (refused) {
    fail(`Not started: ${refused.message}`);
    markRefused(refused);
    return;
  }
  hideRestored();
  const start = checked.config ? startSingle(checked.config, data) : startSweep(checked, data);
  const keep = await store.begin(start.model.head(data.identity, data.sizes.train), start.model.start().saved.summary);
  if (!claim()) return keep?.end(); // stopped meanwhile
  if (!keep) keepFailed(store.problem);
  markShown(keep?.id ?? null);
  session = start.run(keep);
}

// Loads the data of the next run, with Stop cancelling the download. Resolves to
// { data, claim }, or null if it failed (said so) or was stopped; `claim()` is false if
// Stop was pressed since.
async function loadData() {
  const aborter = new AbortController();
  // Until a session starts, Stop only cancels the download.
  const loading = { stop: () => aborter.abort() };
  session = loading;
  setRunning(true);
  setStatus({ state: 'loading', text: 'Loading the data…' });
  $('store-note').hidden = true;
  let data;
  try {
    data = await dataset(showDownload, aborter.signal);
  } catch (error) {
    if (session === loading) fail(error instanceof DataError ? error.message : `Loading the data failed: ${error.message}`);
    return null;
  } finally {
    $('download').hidden = true;
  }
  if (session !== loading) return null; // stopped while loading
  showData(data);
  return { data, claim: () => session === loading };
}

// Each start returns the Rust model and `run(keep)`, which starts its workers with the
// store's writer (or null: not kept) and returns the session.
function startSingle(config, data) {
  hideSweep();
  $('methods').hidden = false;
  const comparison = new Comparison(config, Math.min(config.train_size, data.sizes.train));
  $('run-info').textContent = comparison.describe(data.sizes.train);
  show(comparison);
  view = { rows: $('methods'), redraw };
  $('log').textContent = '';
  const name = (slot, job) => (job ? `the ${job.method} worker` : 'a training worker');
  return { model: comparison, run: (keep) => startSession(comparison, data.buffers, 2, { apply, name, keep, keepFailed }) };
}

function startSweep(plan, data) {
  return runSweep(new SweepSession(plan.sweep, data.sizes.train, poolSize(plan.jobs.length)), data);
}

// Shows `sweep` (new, or a kept one resumed) and runs its runs not finished.
function runSweep(sweep, data) {
  $('methods').hidden = true;
  const workers = poolSize(sweep.jobs().length);
  $('run-info').textContent = sweep.describe();
  buildRows($('pool'), Array.from({ length: workers }, (_, i) => `Worker ${i + 1}`), 'slot');
  // An empty figure until a setting is chosen.
  show(sweep.blank_figure());
  showSweep(sweep);
  view = { rows: $('pool'), redraw: refresh };
  $('log').textContent = '';
  // A sweep is what one would hate to lose: ask the browser to keep the page's storage.
  store.askToPersist();
  const name = (slot) => `sweep worker ${slot + 1}`;
  return { model: sweep, run: (keep) => startSession(sweep, data.buffers, workers, { apply, name, keep, keepFailed }) };
}

// What the page could not keep (a full quota, storage refused): said under the status; the
// run goes on.
function keepFailed(text) {
  const note = $('store-note');
  note.textContent = text;
  note.hidden = false;
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
  const where = data.downloaded ? `downloaded (${(data.downloaded / 1e6).toFixed(1)} MB)` : 'from this browser';
  const kept = data.note ?? 'kept in this browser for the next visit.';
  $('data-source').textContent = data.label === 'MNIST'
    ? `MNIST, ${where}, checked against its SHA-256 sums: ${count}; ${kept}`
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

// Opens a sweep's exported JSON into the table, heat map and figure; a file that is not one
// gets a sentence and nothing else changes.
async function openResults() {
  const file = $('open-results').files[0];
  $('open-results').value = '';
  if (!file || session) return;
  let opened;
  try {
    opened = SweepSession.open(await file.text());
  } catch (error) {
    setStatus({ state: 'error', text: `${file.name} cannot be opened: ${error.message ?? error}` });
    return;
  }
  // The inputs and the link become the sweep's, so Run sweep would repeat it.
  const query = opened.query();
  history.replaceState(null, '', `?${query}`);
  fillFromQuery(`?${query}`);
  document.querySelector('input[name="mode"][value="sweep"]').checked = true;
  applyMode('sweep');
  recheckMarked();
  $('methods').hidden = true;
  $('pool').replaceChildren();
  $('run-info').textContent = opened.describe();
  hideRestored();
  markShown(null);
  showSweep(opened);
  showOverall({ fraction: 1, text: `Opened from ${file.name}.` });
  setStatus(opened.opened_status(file.name));
  updateExports();
}

function backToMnist() {
  useMnist();
  $('use-mnist').hidden = true;
  $('data-source').textContent = 'MNIST, from this browser or this site on the next run.';
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

// Shows a kept run or sweep (a History record) as it was left; a sweep with runs left can
// be resumed. Entries that could not be read are skipped and counted. Resolves to what Rust
// said of it (see `restore_stored`), or null if it could not be opened.
async function openKept(record) {
  if (session) return null;
  let opened;
  try {
    opened = restore_stored(record.head, record.summary, await store.entries(record.id), record.live);
  } catch (error) {
    showRestored({ caption: `This kept run could not be opened: ${error.message ?? error}`, skipped: [] });
    return null;
  }
  const { comparison, sweep, restored } = opened;
  $('log').textContent = '';
  if (comparison) {
    hideSweep();
    $('methods').hidden = false;
    buildRows($('methods'), ['Normal', 'AYLA'], 'method');
    show(comparison);
    view = { rows: $('methods'), redraw };
  } else {
    $('methods').hidden = true;
    $('pool').replaceChildren();
    show(sweep.blank_figure());
    showSweep(sweep);
    view = { rows: $('pool'), redraw: refresh };
  }
  $('run-info').textContent = restored.parameters;
  apply(restored.update);
  const started = new Date(record.created).toLocaleString();
  showRestored({ ...restored, caption: `${comparison ? 'Run' : 'Sweep'} of ${started}: ${restored.caption}` });
  resumable = restored.resumable ? { record, sweep, data: restored.data, query: restored.query } : null;
  markShown(record.id);
  return restored;
}

function showRestored({ caption, skipped, query, resumable: canResume = false }) {
  $('restored').hidden = false;
  $('restored-text').textContent = caption;
  const note = $('restored-skipped');
  note.hidden = skipped.length === 0;
  const count = skipped.length === 1 ? '1 kept entry' : `${skipped.length} kept entries`;
  note.textContent = skipped.length ? `${count} could not be read and ${skipped.length === 1 ? 'was' : 'were'} skipped. ${skipped[0]}` : '';
  $('resume').hidden = !canResume;
  $('restored-link').hidden = !query;
  if (query) $('restored-link').href = `?${query}`;
}

function hideRestored() {
  $('restored').hidden = true;
  resumable = null;
}

// Goes on with the kept sweep shown: its runs not finished, on the same data, written
// into the same record.
async function resume() {
  if (session || !resumable) return;
  const { record, sweep, data: ran, query } = resumable;
  const loading = await loadData();
  if (!loading) return;
  const { data, claim } = loading;
  if (data.identity.sha256.join() !== ran.sha256.join()) {
    fail(`This sweep ran on ${ran.name}, not on the data loaded now (${data.label}): load the same data to resume it.`);
    return;
  }
  const keep = await store.resume(record.id);
  if (!keep) {
    fail('This sweep is being resumed in another tab (or was deleted); it is left to it.');
    return;
  }
  if (!claim()) return keep.end();
  hideRestored();
  markShown(keep.id);
  history.replaceState(null, '', `?${query}`);
  const start = runSweep(sweep.resume(poolSize(sweep.jobs().length)), data);
  session = start.run(keep);
}

// Saves a kept run or sweep as JSON, as its export button would.
async function exportRecord(record) {
  try {
    const { comparison, sweep } = restore_stored(record.head, record.summary, await store.entries(record.id), record.live);
    const [model, name] = comparison ? [comparison, 'mnist_comparison.json'] : [sweep, 'mnist_sweep.json'];
    download(new Blob([model.export_json()], { type: 'application/json' }), name);
    model.free();
  } catch (error) {
    $('history-note').textContent = `It could not be exported: ${error.message ?? error}`;
    $('history-note').hidden = false;
  }
}
