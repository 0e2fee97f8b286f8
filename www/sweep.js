// Sweep mode's results: the verdict (each method at its best learning rate), the sortable
// table, the heat map of each setting's gain over Normal (at one learning rate, or tuned),
// the comparison figure of the chosen setting, and the sweep's exports. What the runs
// measured lives in a Rust SweepSession; this module puts its verdict, table and heat map on
// the page and passes clicks, keys, views and sorting back to it.

import { SweepSession, sweep_estimate } from './pkg/ayla.js';
import { poolSize } from './pool.js';
import { show } from './chart-view.js';
import { speed } from './speed.js';
import { download } from './download.js';
import { duration, plural } from './format.js';

const $ = (id) => document.getElementById(id);
const darkScheme = matchMedia('(prefers-color-scheme: dark)');

// The sweep shown, or null.
let session = null;

export function setUpSweep() {
  const header = $('sweep-table').tHead.rows[0];
  for (const { key, label } of SweepSession.columns()) {
    const th = document.createElement('th');
    th.scope = 'col';
    th.dataset.key = key;
    const button = document.createElement('button');
    button.type = 'button';
    button.textContent = label;
    button.addEventListener('click', () => {
      session?.sort_by(key);
      fillTable();
    });
    th.append(button);
    header.append(th);
  }
  const canvas = $('heatmap');
  canvas.addEventListener('click', (event) => {
    if (session?.pick(event.offsetX, event.offsetY)) refresh();
  });
  canvas.addEventListener('keydown', moveSelection);
  new ResizeObserver(() => requestAnimationFrame(drawHeatMap)).observe(canvas);
  darkScheme.addEventListener('change', drawHeatMap);
  $('heatmap-view').addEventListener('change', (event) => {
    if (session?.set_heat_view(event.target.value)) refresh();
  });
  $('export-sweep-csv').addEventListener('click', () => saveText(session.export_csv(), 'csv', 'text/csv'));
  $('export-sweep-json').addEventListener('click', () => saveText(session.export_json(), 'json', 'application/json'));
  $('export-heatmap').addEventListener('click', async () => download(await session.export_heatmap_png(), 'mnist_sweep_heatmap.png'));
}

// "3 × 3 settings × 2 seeds, plus Normal: 20 runs on 2 workers, about 1:05 (…)".
export function planText({ sweep, jobs: planned, grid }, sizes) {
  const workers = poolSize(planned.length);
  const { speed: rate, source } = speed();
  const seconds = sweep_estimate(sweep, sizes.train, sizes.test, rate, workers);
  return (
    `${grid}: ${plural(planned.length, 'run')} ` +
    `on ${plural(workers, 'worker')}, about ${duration(seconds)} (speed measured by ${source}).`
  );
}

// Shows the sweep's section for `next` (a new SweepSession), freeing the one before.
export function showSweep(next) {
  session?.free();
  session = next;
  $('sweep').hidden = false;
  refresh();
}

// Hides the sweep's results (single-run mode).
export function hideSweep() {
  $('sweep').hidden = true;
}

// Redraws the verdict, the table, the heat map and the chosen setting's figure.
export function refresh() {
  fillVerdict();
  fillTable();
  fillHeatViews();
  drawHeatMap();
  showChoice();
  for (const id of ['export-sweep-csv', 'export-sweep-json', 'export-heatmap']) $(id).disabled = !session.has_results();
}

// The overall bar: { fraction, text }.
export function showOverall({ fraction, text }) {
  $('sweep-bar').value = fraction;
  $('sweep-text').textContent = text;
}

// The verdict's note and sentences, as Rust words them.
function fillVerdict() {
  if (!session) return;
  const { note, items } = session.verdict();
  $('verdict-note').textContent = note ?? '';
  $('verdict-note').hidden = !note;
  $('verdict-list').replaceChildren(
    ...items.map((text) => {
      const li = document.createElement('li');
      li.textContent = text;
      return li;
    }),
  );
  $('verdict-list').hidden = items.length === 0;
}

// The heat map's views (one per learning rate, and tuned when the sweep can be tuned).
function fillHeatViews() {
  const { views, shown } = session.heat_views();
  const select = $('heatmap-view');
  select.replaceChildren(...views.map(([key, label]) => new Option(label, key)));
  select.value = shown;
  select.closest('.heat-view').hidden = views.length < 2;
}

function fillTable() {
  if (!session) return;
  const body = $('sweep-table').tBodies[0];
  body.replaceChildren(...session.table().map(tableRow));
  const [key, descending] = session.sorted_by();
  for (const th of $('sweep-table').tHead.rows[0].cells) {
    if (th.dataset.key === key) th.setAttribute('aria-sort', descending ? 'descending' : 'ascending');
    else th.removeAttribute('aria-sort');
  }
}

function tableRow({ cells, cell, rate, baseline, diverged, selected }) {
  const tr = document.createElement('tr');
  if (baseline) tr.className = 'baseline';
  if (diverged) tr.classList.add('diverged');
  if (selected) tr.setAttribute('aria-selected', 'true');
  for (const text of cells) {
    const td = document.createElement('td');
    td.textContent = text;
    tr.append(td);
  }
  if (cell) {
    const choose = () => {
      if (session.select(...cell, rate)) refresh();
    };
    tr.tabIndex = 0;
    tr.addEventListener('click', choose);
    tr.addEventListener('keydown', (event) => {
      if (event.key === 'Enter' || event.key === ' ') {
        event.preventDefault();
        choose();
      }
    });
  }
  return tr;
}

function drawHeatMap() {
  if (!session || $('sweep').hidden) return;
  const note = $('heatmap-note');
  try {
    session.draw_heatmap($('heatmap'), darkScheme.matches ? 'dark' : 'light');
    note.hidden = true;
  } catch (error) {
    note.textContent = `The heat map could not be drawn: ${error.message ?? error}`;
    note.hidden = false;
  }
}

// Arrow keys move the chosen cell (up is a higher N2, as drawn).
function moveSelection(event) {
  const moves = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, 1], ArrowDown: [0, -1] };
  if (!session || !(event.key in moves)) return;
  event.preventDefault();
  session.move_selection(...moves[event.key]);
  refresh();
}

// The chosen setting against Normal in the figure, and the sentence that says so.
function showChoice() {
  if (!session) return;
  $('sweep-selection').textContent = session.selection_caption();
  const comparison = session.selected_comparison();
  if (comparison) show(comparison);
}

function saveText(text, extension, type) {
  download(new Blob([text], { type }), `mnist_sweep.${extension}`);
}
