// The History section: every run and sweep this browser keeps (store.js), newest first,
// with when it started, its parameters, its final figures and its state. Each can be opened
// into the figure (and the sweep's table and heat map), exported as JSON, or deleted; Delete
// all empties the store. It also says how much the page stores and may store, and names
// the records it could not read. Rust reads the records (src/session/restore.rs); this
// module puts its answers on the page.

import { stored_listing } from './pkg/ayla.js';
import * as store from './store.js';
import { plural } from './format.js';

const $ = (id) => document.getElementById(id);

// From the controller: open(record), exportRecord(record), and busy(): whether this page
// is training now (then nothing is opened over it).
let actions = null;
let queued = null;
// The records listed (those Rust could read), newest first; the id of the one the page
// shows (a live run, or one opened), marked in the list.
let listed = [];
let shown = null;

export async function setUpHistory(handlers) {
  actions = handlers;
  store.onChange(refreshSoon);
  $('delete-all').addEventListener('click', deleteAll);
  await refreshHistory();
}

// Stored records change after every epoch; redraw the list at most a few times a second.
function refreshSoon() {
  queued ??= setTimeout(() => {
    queued = null;
    refreshHistory();
  }, 150);
}

export async function refreshHistory() {
  const { records, unreadable } = await store.list();
  const rows = [];
  const skipped = [];
  listed = [];
  for (const record of records) {
    try {
      rows.push(row(record, stored_listing(record.head, record.summary, record.live)));
      listed.push(record);
    } catch (error) {
      skipped.push(error.message);
    }
  }
  $('history-table').tBodies[0].replaceChildren(...rows);
  $('history-table').hidden = rows.length === 0;
  $('history-empty').hidden = rows.length > 0;
  $('delete-all').disabled = records.length + unreadable === 0;
  showSkipped(skipped, unreadable);
  await showUsage();
}

// The newest record listed, or null: the page shows it when it opens.
export const latest = () => listed[0] ?? null;

// Marks the record the page shows now (null: none).
export function markShown(id) {
  shown = id;
  for (const tr of $('history-table').tBodies[0].rows) {
    if (tr.dataset.id === id) tr.setAttribute('aria-current', 'true');
    else tr.removeAttribute('aria-current');
  }
}

function row(record, { kind, parameters, progress, figures, state }) {
  const tr = document.createElement('tr');
  tr.dataset.id = record.id;
  tr.dataset.state = state;
  if (record.id === shown) tr.setAttribute('aria-current', 'true');
  const started = new Date(record.created);
  const when = document.createElement('time');
  when.dateTime = started.toISOString();
  when.textContent = started.toLocaleString();
  const what = cell(kind === 'sweep' ? 'Sweep' : 'Single run');
  const detail = document.createElement('span');
  detail.className = 'parameters';
  detail.textContent = parameters;
  what.append(detail);
  const name = `the ${kind === 'sweep' ? 'sweep' : 'run'} of ${started.toLocaleString()}`;
  const buttons = cell('');
  buttons.append(
    button('Open', `Open ${name}`, () => actions.open(record), actions.busy()),
    button('Export', `Export ${name} as JSON`, () => actions.exportRecord(record)),
    button('Delete', `Delete ${name}`, () => store.remove([record.id]), record.live),
  );
  const date = cell('');
  date.append(when);
  tr.append(date, what, cell([figures, progress].filter(Boolean).join(' ')), cell(state), buttons);
  return tr;
}

function cell(text) {
  const td = document.createElement('td');
  td.textContent = text;
  return td;
}

function button(text, label, onClick, disabled = false) {
  const b = document.createElement('button');
  b.type = 'button';
  b.textContent = text;
  b.setAttribute('aria-label', label);
  b.disabled = disabled;
  b.addEventListener('click', onClick);
  return b;
}

// Records Rust could not read, or not in the store's shape: left out of the list, named.
function showSkipped(reasons, unreadable) {
  const count = reasons.length + unreadable;
  const note = $('history-note');
  note.hidden = count === 0;
  if (!count) return;
  const why = reasons[0] ?? 'It is not in the shape this page writes.';
  note.textContent =
    `${plural(count, 'stored record')} could not be read and ${count === 1 ? 'is' : 'are'} not listed. ${why} ` +
    `Delete all removes ${count === 1 ? 'it' : 'them'} with the rest.`;
}

async function showUsage() {
  const text = $('storage-use');
  if (store.problem) {
    text.textContent = store.problem;
    return;
  }
  const use = await store.usage();
  if (!use) {
    text.textContent = 'Runs are kept in this browser (IndexedDB); it cannot tell how much room they take.';
    return;
  }
  const size = (bytes) => (bytes >= 1e9 ? `${(bytes / 1e9).toFixed(1)} GB` : `${(bytes / 1e6).toFixed(1)} MB`);
  const kept = use.persisted ? 'kept until you delete it' : 'the browser may clear it if space runs low';
  text.textContent = `Kept in this browser (IndexedDB, and MNIST in Cache Storage): ${size(use.usage)} used of about ${size(use.quota)} available; ${kept}.`;
}

async function deleteAll() {
  if (!confirm('Delete every stored run and sweep (those training now stay)? This cannot be undone.')) return;
  await store.removeAll();
}
