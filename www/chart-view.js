// The comparison figure on the page. What it shows is a Rust Comparison (a single run, or a
// sweep's chosen setting against its Normal): this module draws it on the canvas after
// every change, on resize and when the colour scheme changes, and turns hover, taps and the
// arrow keys into Rust's readout. The checkboxes hide and show series.

const canvas = () => document.getElementById('chart');
const readoutBox = () => document.getElementById('readout');
const darkScheme = matchMedia('(prefers-color-scheme: dark)');

// Series are named "<method> <metric>".
const METHODS = ['Normal', 'AYLA'];
const METRICS = [
  ['accuracy', 'Accuracy'],
  ['val_accuracy', 'Val accuracy'],
  ['loss', 'Loss'],
  ['val_loss', 'Val loss'],
  ['grad_norm', 'Grad norm'],
];
const hidden = new Set();

// The Comparison drawn, or null before the first run; the epoch the readout shows.
let shown = null;
let readoutEpoch = null;

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

// Shows `comparison` (the figure keeps the series toggled off) and draws it. The previous
// one is freed unless `keep` says someone else still holds it.
export function show(comparison) {
  if (shown && shown !== comparison) shown.free();
  shown = comparison;
  for (const series of hidden) shown.set_visible(series, false);
  redraw();
}

// Draws the figure again (after an epoch, a resize or a new theme).
export function redraw() {
  if (!shown) return;
  const note = document.getElementById('chart-note');
  try {
    shown.draw(canvas(), darkScheme.matches ? 'dark' : 'light');
    note.hidden = true;
  } catch (error) {
    note.textContent = `The chart could not be drawn: ${error.message ?? error}`;
    note.hidden = false;
  }
  if (readoutEpoch !== null) showReadout(shown.readout_at_epoch(readoutEpoch));
}

export const epochsShown = () => shown?.epochs_measured() ?? 0;

// The Comparison on the figure, for its exports.
export const shownComparison = () => shown;

function buildToggles(fieldset) {
  for (const method of METHODS) {
    const group = document.createElement('div');
    group.className = `series-group ${method.toLowerCase()}`;
    const title = document.createElement('span');
    title.className = 'series-method';
    title.textContent = method;
    group.append(title);
    for (const [metric, label] of METRICS) group.append(toggle(`${method} ${metric}`, label));
    fieldset.append(group);
  }
}

function toggle(series, label) {
  const wrap = document.createElement('label');
  const box = document.createElement('input');
  box.type = 'checkbox';
  box.checked = true;
  box.addEventListener('change', () => {
    if (box.checked) hidden.delete(series);
    else hidden.add(series);
    shown?.set_visible(series, box.checked);
    redraw();
  });
  wrap.append(box, ` ${label}`);
  return wrap;
}

function showReadoutAt(x, y) {
  const readout = shown?.readout_at(x, y);
  if (readout) showReadout(readout);
  else hideReadout();
}

// Shows Rust's readout ({epoch, text, x}) beside the epoch it describes.
function showReadout(readout) {
  if (!readout) return hideReadout();
  const box = readoutBox();
  readoutEpoch = readout.epoch;
  box.textContent = readout.text;
  box.hidden = false;
  // Keep the box inside the canvas: left of the point on the right half.
  box.classList.toggle('flip', readout.x > canvas().clientWidth / 2);
  box.style.setProperty('--x', `${readout.x}px`);
}

function hideReadout() {
  readoutEpoch = null;
  readoutBox().hidden = true;
}

function stepReadout(event) {
  const last = epochsShown();
  if (last === 0) return;
  const moves = { ArrowLeft: -1, ArrowRight: 1, Home: -Infinity, End: Infinity };
  if (event.key === 'Escape' && readoutEpoch !== null) {
    // Handled: the page's Escape (Stop) should not also fire.
    event.preventDefault();
    return hideReadout();
  }
  if (!(event.key in moves)) return;
  event.preventDefault();
  const from = readoutEpoch ?? (moves[event.key] > 0 ? 0 : last + 1);
  showReadout(shown.readout_at_epoch(Math.min(Math.max(from + moves[event.key], 1), last)));
}
