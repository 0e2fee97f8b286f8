// A sweep's worker pool: a few workers, each given one run after another until the plan
// is done. A worker gets the data with its first run only and keeps it (src/protocol.rs),
// so a sweep pays the data's transfer and indexing once per worker, not once per run.
// Stopping terminates every worker, which ends them at once and frees their memory.
//
// The page compiles the wasm module once and hands the compiled module to every worker
// (compiling is the slow part of starting one), and the data goes to them as Blobs, which
// cross without a copy: each worker reads its own, off the page's thread.

import { message_type, start_message } from './pkg/ayla.js';

// The compiled module, shared by every worker of the page (compiled at the first run).
let compiled = null;

function compileModule() {
  compiled ??= (async () => {
    const url = new URL('./pkg/ayla_bg.wasm', import.meta.url);
    const response = await fetch(url);
    if (!response.ok) throw new Error(`${response.status} ${response.statusText} for ${url}`);
    return WebAssembly.compileStreaming(response);
  })();
  // A failure is reported to this run, and the next run tries again.
  compiled.catch(() => {
    compiled = null;
  });
  return compiled;
}

// Workers sized to the machine, capped because each holds the data set (~100 MB with its
// index and the wasm memory around it).
export const MAX_WORKERS = 4;

export function poolSize(runs) {
  const cores = navigator.hardwareConcurrency || 2;
  return Math.max(1, Math.min(cores, MAX_WORKERS, runs));
}

// Runs `jobs` ({id, method, config}, as Rust plans them) on `size` workers, in order, with
// `buffers` the four IDX files (Blobs, in data_files() order). Callbacks: `onJob(job, slot)`
// when a worker starts a run, `onMessage(job, text, slot)` for every well-formed message but
// Ready (its text, for Rust to read), `onIdle(slot)` when a worker has
// nothing left (it is then terminated), `onFailure(text)` for anything that went wrong
// outside the protocol. `name(slot, job)` names a worker in those texts (`job` is null
// before its first run). Returns a function that stops the pool.
export function startPool(jobs, buffers, size, callbacks) {
  const { onJob = () => {}, onMessage, onIdle = () => {}, onFailure } = callbacks;
  const { name = (slot) => `sweep worker ${slot + 1}` } = callbacks;
  const says = (slot, job, text) => {
    const who = name(slot, job);
    onFailure(`${who[0].toUpperCase()}${who.slice(1)} ${text}`);
  };
  let next = 0;
  const workers = [];
  const module = compileModule();
  for (let slot = 0; slot < size; slot += 1) {
    const worker = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
    module.then(
      (compiled) => worker.postMessage({ module: compiled }),
      (error) => says(slot, null, `failed: its WebAssembly module could not be loaded (${error.message}).`),
    );
    let job = null;
    let hasData = false;
    const giveNext = () => {
      if (next >= jobs.length) {
        worker.terminate();
        onIdle(slot);
        return;
      }
      job = jobs[next];
      next += 1;
      const envelope = { start: start_message(job.config, job.method) };
      if (!hasData) {
        envelope.data = buffers;
        hasData = true;
      }
      worker.postMessage(envelope);
      onJob(job, slot);
    };
    worker.onmessage = ({ data }) => {
      let type;
      try {
        type = message_type(data);
      } catch (error) {
        says(slot, job, `sent something unreadable: ${error.message}`);
        return;
      }
      if (type === 'Ready') return giveNext();
      onMessage(job, data, slot);
      if (type === 'Done') giveNext();
    };
    worker.onerror = (event) => {
      event.preventDefault();
      const detail = event.message || 'it could not be loaded';
      says(slot, job, `failed: ${detail}. (Details in the browser console.)`);
    };
    worker.onmessageerror = () => says(slot, job, 'sent a message that could not be received.');
    workers.push(worker);
  }
  return () => workers.forEach((worker) => worker.terminate());
}
