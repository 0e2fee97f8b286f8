// A training worker: trains one method at a time and posts the protocol's messages as
// text. The messages and the Start envelope are documented in src/protocol.rs; this file
// only moves them between postMessage and the wasm entry points (src/web/worker.rs).
//
// Errors are deliberately not caught here: anything thrown (a Rust panic surfaces as a
// RuntimeError) reaches the page as the Worker's `error` event, which the page shows.

import init, { WorkerData, WorkerRun, ready_message } from './pkg/ayla.js';

const post = (text) => self.postMessage(text);

// The four IDX files, parsed once and kept for every later run (a sweep's pool sends
// them only with a worker's first run).
let data = null;

// Promise rejections do not reach the page on their own; rethrowing makes them an error
// event like any other.
self.addEventListener('unhandledrejection', (event) => {
  throw event.reason;
});

// The first message is { module: the page's compiled WebAssembly.Module }; then envelopes
// { start: <Start message text>, data?: [4 Blobs, in DATA_FILES order] }, handled one at a
// time in order.
let queue = Promise.resolve();
self.onmessage = ({ data: message }) => {
  queue = queue.then(() => handle(message));
};

async function handle({ module, start, data: files }) {
  if (module) {
    await init({ module_or_path: module });
    post(ready_message());
    return;
  }
  if (files) {
    data?.free();
    const buffers = await Promise.all(files.map((file) => file.arrayBuffer()));
    // Nothing (having posted an Error message) if the files are bad.
    data = WorkerData.load(start, ...buffers.map((b) => new Uint8Array(b)), post);
    // Only the index is kept (in wasm memory): let the file copies go at once rather than
    // whenever the collector runs, which a worker busy in wasm gives it no chance to.
    buffers.forEach((buffer) => buffer.transfer?.(0));
  }
  if (!data) return;
  // Nothing (having posted an Error message) if the message is bad.
  const run = WorkerRun.start(start, data, post);
  if (!run) return;
  // A few milliseconds of training per call (see train_slice in src/web/worker.rs: the
  // engine's optimised code takes over between calls); Stop terminates this worker.
  while (run.train_slice());
  run.free();
}
