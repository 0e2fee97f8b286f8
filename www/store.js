// What the page keeps of its runs and sweeps between visits, in IndexedDB (database "ayla"):
// a record per run or sweep, { id, created, updated, head, summary }, and its entries,
// { session, seq, text }, one per finished epoch and per finished run. `head`, `summary` and
// each `text` are JSON texts Rust wrote (src/session/stored.rs) and reads back; this module
// only moves them. New entries and the summary they change are written in one transaction,
// so a record is never half-written: a write the quota refuses leaves the earlier ones as
// they were.
//
// Each run or sweep has its own id (a random UUID), so two tabs never write the same
// record, and the tab training one holds a Web Lock named for it while it does: other tabs
// see it is live, and a record still marked running that nobody holds was interrupted.

import { openDB } from './vendor/idb.js';

const NAME = 'ayla';
const lockName = (id) => `ayla-session-${id}`;
// Other tabs hear of every change, to refresh their History.
const channel = 'BroadcastChannel' in globalThis ? new BroadcastChannel('ayla-store') : null;
const listeners = new Set();

// The open database, or a promise of it; null once it failed (see `problem`).
let database = null;
// Why the page cannot keep anything, or null.
export let problem = null;

function db() {
  database ??= openDB(NAME, 1, {
    upgrade(db) {
      db.createObjectStore('sessions', { keyPath: 'id' });
      db.createObjectStore('entries', { keyPath: ['session', 'seq'] });
    },
  }).catch((error) => {
    problem = `This browser does not let the page keep runs (${error?.message ?? error}); they are shown but not kept.`;
    throw error;
  });
  return database;
}

// Calls `listener()` after every change to the store, in this tab or another.
export function onChange(listener) {
  listeners.add(listener);
}

channel?.addEventListener('message', () => changed(false));

function changed(tell = true) {
  for (const listener of listeners) listener();
  if (tell) channel?.postMessage('changed');
}

// Starts keeping a new run or sweep (`head`, `summary`: texts). Resolves to a writer
// (see `writer`), or null if nothing can be kept (`problem` says why).
export async function begin(head, summary) {
  const record = { id: crypto.randomUUID(), created: Date.now(), updated: Date.now(), head, summary };
  const release = await hold(record.id);
  try {
    await (await db()).put('sessions', record);
  } catch (error) {
    release?.();
    problem ??= storageProblem(error);
    return null;
  }
  changed();
  return writer(record, 0, release);
}

// Takes over a stored run or sweep to go on with it (a sweep's Resume). Resolves to a
// writer, or null if another tab holds it (or it was deleted).
export async function resume(id) {
  const release = await hold(id);
  if (!release) return null;
  const base = await db();
  const record = await base.get('sessions', id);
  if (!record) {
    release();
    return null;
  }
  const keys = await base.getAllKeys('entries', range(id));
  const last = keys.length ? keys[keys.length - 1][1] : -1;
  return writer(record, last + 1, release);
}

// Writes what an update says to keep, each call in one transaction, in call order:
// `write({entries, summary})` resolves once written, or rejects with a sentence (nothing
// of that call is written). `end()`, once the writes are done, lets other tabs take the
// record over.
function writer(record, firstSeq, release) {
  let seq = firstSeq;
  let last = Promise.resolve();
  return {
    id: record.id,
    write(saved) {
      last = write(saved);
      return last;
    },
    end() {
      last.catch(() => {}).finally(() => release?.());
    },
  };

  async function write({ entries, summary }) {
    const base = await db();
    const tx = base.transaction(['sessions', 'entries'], 'readwrite');
    const puts = entries.map((text) => tx.objectStore('entries').put({ session: record.id, seq: seq++, text }));
    record.summary = summary;
    record.updated = Date.now();
    puts.push(tx.objectStore('sessions').put(record));
    // A refused write aborts the transaction; its error (a full quota) says why.
    await Promise.allSettled(puts);
    try {
      await tx.done;
    } catch (error) {
      throw new Error(storageProblem(tx.error ?? error));
    }
    changed();
  }
}

function storageProblem(error) {
  return error?.name === 'QuotaExceededError'
    ? 'The browser’s storage for this page is full: this run goes on, but what it measures from now on is not kept (what was kept before is safe). Delete old runs in History to make room.'
    : `The run could not be kept in this browser (${error?.message ?? error}); it goes on without being kept.`;
}

// Every stored run and sweep, newest first: [{ id, created, updated, head, summary, live }]
// (`live`: a page trains it now). Records not in this shape are left out and counted in
// `unreadable`. Resolves to { records, unreadable }, empty if nothing can be kept.
export async function list() {
  let all;
  try {
    all = await (await db()).getAll('sessions');
  } catch {
    return { records: [], unreadable: 0 };
  }
  const live = await liveIds();
  const wellFormed = (r) => typeof r?.id === 'string' && typeof r.head === 'string' && typeof r.summary === 'string' && Number.isFinite(r.created);
  const records = all
    .filter(wellFormed)
    .map((r) => ({ ...r, live: live.has(lockName(r.id)) }))
    .sort((a, b) => b.updated - a.updated);
  return { records, unreadable: all.length - records.length };
}

// One record's entries, in the order they were written (texts; anything else as '', which
// Rust refuses by name).
export async function entries(id) {
  const rows = await (await db()).getAll('entries', range(id));
  return rows.map((row) => (typeof row.text === 'string' ? row.text : ''));
}

// Deletes records (and their entries) by id, in one transaction.
export async function remove(ids) {
  const tx = (await db()).transaction(['sessions', 'entries'], 'readwrite');
  const deletes = ids.flatMap((id) => [tx.objectStore('sessions').delete(id), tx.objectStore('entries').delete(range(id))]);
  await Promise.allSettled(deletes);
  await tx.done;
  changed();
}

// Deletes every record no page is training now, unreadable ones included.
export async function removeAll() {
  const live = await liveIds();
  const ids = await (await db()).getAllKeys('sessions');
  await remove(ids.filter((id) => !live.has(lockName(id))));
}

// What this page's storage holds and may hold (bytes), and whether the browser keeps it
// until the user deletes it: { usage, quota, persisted }, or null where it cannot tell.
export async function usage() {
  if (!navigator.storage?.estimate) return null;
  const { usage: used, quota } = await navigator.storage.estimate();
  const persisted = (await navigator.storage.persisted?.()) ?? false;
  return { usage: used, quota, persisted };
}

// Asks the browser to keep this page's storage until the user deletes it (once, when the
// first sweep starts: a sweep is what one would hate to lose).
export async function askToPersist() {
  try {
    if (!(await navigator.storage?.persisted?.())) await navigator.storage?.persist?.();
  } catch {
    // Not granted: the browser may clear it under pressure, as before.
  }
}

const range = (id) => IDBKeyRange.bound([id, 0], [id, Infinity]);

// Takes the record's lock; resolves to a function that releases it, or null if another
// tab holds it. Without Web Locks every record counts as not live.
function hold(id) {
  if (!navigator.locks) return Promise.resolve(() => {});
  return new Promise((resolve) => {
    navigator.locks.request(lockName(id), { ifAvailable: true }, (lock) => {
      if (!lock) return resolve(null);
      return new Promise((release) => resolve(release));
    });
  });
}

async function liveIds() {
  if (!navigator.locks) return new Set();
  const { held } = await navigator.locks.query();
  return new Set(held.map((lock) => lock.name));
}
