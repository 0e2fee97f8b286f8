// The comparison figure on the page. The run's history is kept here in the shape the
// Rust chart reads (src/web/chart.rs); the chart is redrawn from all of it after every
// epoch, on resize and when the colour scheme changes. Hover, tap or the arrow keys show
// each series' values at an epoch; checkboxes hide and show series.

import * as wasm from './pkg/ayla.js';
import { METHODS } from './run.js';

// Series are named "<method> <metric>".
const METRICS = [
  ['accuracy', 'Accuracy'],
  ['val_accuracy', 'Val accuracy'],
  ['loss', 'Loss'],
  ['val_loss', 'Val loss'],
  ['grad_norm', 'Grad norm'],
];

const canvas = () => document.getElementById('chart');
const readoutBox = () => document.getElementById('readout');
const darkScheme = matchMedia('(prefers-color-scheme: dark)');
const hidden = new Set();

// Null until the first config is known (nothing to title the figure with before that).
let history = null;
let layout = null;
let readoutEpoch = null;

function emptyHistory({ n1, n2, epochs }) {
  return {
    n1,
    n2,
    epochs,
    runs: METHODS.map((method) => ({ method, metrics: [], diverged: false })),
    hidden: [...hidden],
  };
}

// Sets up the series toggles, the readout and the redraw triggers.
export function setUpChart() {
  buildToggles(document.getElementById('series'));
  new ResizeObserver(() => requestAnimationFrame(redraw)).observe(canvas());
  darkScheme.addEventListener('change', redraw);
  const box = canvas();
  box.addEventListener('pointermove', (event) => showReadoutAt(event.offsetX, event.offsetY));
  box.addEventListener('pointerdown', (event) => showReadoutAt(event.offsetX, event.offsetY));
  box.addEventListener('pointerleave', hideReadout);
  box.addEventListener('blur', hideReadout);
  box.addEventListener('keydown', stepReadout);
}

// A fresh history for a run with this config, drawn empty.
export function startHistory(config) {
  history = emptyHistory(config);
  hideReadout();
  redraw();
}

// Adds an epoch's metrics and redraws.
export function addEpoch(method, metrics) {
  const run = history.runs.find((r) => r.method === method);
  run.metrics.push(metrics);
  run.diverged ||= metrics.diverged_at !== null;
  redraw();
  if (readoutEpoch !== null && layout) showReadout(readoutEpoch);
}

// Shows whole runs at once ([{method, metrics, diverged}], e.g. a sweep's chosen setting
// and its Normal), titled with the config's N1 and N2.
export function showRuns(config, runs) {
  history = { ...emptyHistory(config), runs };
  redraw();
  if (readoutEpoch !== null && layout) showReadout(Math.min(readoutEpoch, Math.max(epochsDrawn(), 1)));
}

export const historyJson = () => JSON.stringify(history);

export const epochsDrawn = () => Math.max(0, ...(history?.runs.map((r) => r.metrics.length) ?? []));

// The figure as a PNG Blob, at the chart's own export size.
export const exportPng = () => wasm.export_png(historyJson());

function redraw() {
  if (!history) return;
  const note = document.getElementById('chart-note');
  try {
    layout = wasm.draw_chart(canvas(), historyJson(), darkScheme.matches ? 'dark' : 'light');
    note.hidden = true;
  } catch (error) {
    layout = null;
    note.textContent = `The chart could not be drawn: ${error.message ?? error}`;
    note.hidden = false;
  }
}

function buildToggles(fieldset) {
  for (const method of METHODS) {
    const group = document.createElement('div');
    group.className = `series-group ${method.toLowerCase()}`;
    const title = document.createElement('span');
    title.className = 'series-method';
    title.textContent = method;
    group.append(title);
    for (const [metric, label] of METRICS) {
      group.append(toggle(`${method} ${metric}`, label));
    }
    fieldset.append(group);
  }
}

function toggle(series, label) {
  const wrap = document.createElement('label');
  const box = document.createElement('input');
  box.type = 'checkbox';
  box.checked = !hidden.has(series);
  box.addEventListener('change', () => {
    if (box.checked) hidden.delete(series);
    else hidden.add(series);
    if (history) history.hidden = [...hidden];
    redraw();
  });
  wrap.append(box, ` ${label}`);
  return wrap;
}

// The epoch under a point of the canvas (CSS px), from the panels the chart reported.
function epochAt(x, y) {
  const panel = layout?.panels.find(
    (p) => x >= p.left && x <= p.left + p.width && y >= p.top && y <= p.top + p.height,
  );
  if (!panel || epochsDrawn() === 0) return null;
  const epoch = Math.round(panel.x_min + ((x - panel.left) / panel.width) * (panel.x_max - panel.x_min));
  return Math.min(Math.max(epoch, 1), epochsDrawn());
}

function showReadoutAt(x, y) {
  const epoch = epochAt(x, y);
  if (epoch === null) hideReadout();
  else showReadout(epoch, x);
}

function showReadout(epoch, x) {
  const box = readoutBox();
  readoutEpoch = epoch;
  box.textContent = wasm.readout(historyJson(), epoch);
  box.hidden = false;
  const at = x ?? xOfEpoch(epoch);
  // Keep the box inside the canvas: left of the pointer on the right half.
  box.classList.toggle('flip', at > canvas().clientWidth / 2);
  box.style.setProperty('--x', `${at}px`);
}

// Where an epoch sits on the canvas (CSS px), for the keyboard's readout.
function xOfEpoch(epoch) {
  const panel = layout.panels[0];
  const span = panel.x_max - panel.x_min || 1;
  return panel.left + ((epoch - panel.x_min) / span) * panel.width;
}

function hideReadout() {
  readoutEpoch = null;
  readoutBox().hidden = true;
}

function stepReadout(event) {
  const last = epochsDrawn();
  if (last === 0 || !layout) return;
  const moves = { ArrowLeft: -1, ArrowRight: 1, Home: -Infinity, End: Infinity };
  if (event.key === 'Escape' && readoutEpoch !== null) {
    // Handled: the page's Escape (Stop) should not also fire.
    event.preventDefault();
    return hideReadout();
  }
  if (!(event.key in moves)) return;
  event.preventDefault();
  const from = readoutEpoch ?? (moves[event.key] > 0 ? 0 : last + 1);
  showReadout(Math.min(Math.max(from + moves[event.key], 1), last));
}
