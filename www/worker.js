// A training worker: trains one method and posts the protocol's messages as text.
// The messages and the Start envelope are documented in src/protocol.rs; this file only
// moves them between postMessage and the wasm entry point (src/web/worker.rs).
//
// Errors are deliberately not caught here: anything thrown (a Rust panic surfaces as a
// RuntimeError) reaches the page as the Worker's `error` event, which the page shows.

import init, { WorkerRun, ready_message } from './pkg/ayla.js';

const post = (text) => self.postMessage(text);

// Promise rejections do not reach the page on their own; rethrowing makes them an error
// event like any other.
self.addEventListener('unhandledrejection', (event) => {
  throw event.reason;
});

// Envelope: { start: <Start message text>, data: [4 ArrayBuffers, in DATA_FILES order] }.
self.onmessage = ({ data: { start, data } }) => {
  const [trainImages, trainLabels, testImages, testLabels] = data.map((b) => new Uint8Array(b));
  // Returns nothing (having posted an Error message) if the message or the data is bad.
  const run = WorkerRun.start(start, trainImages, trainLabels, testImages, testLabels, post);
  if (!run) return;
  // One epoch per call; Stop terminates this worker between or within them.
  while (run.next_epoch());
  run.free();
};

init().then(() => post(ready_message()));
