// A single run or a sweep on the worker pool, one shape for both. `model` is a Rust
// Comparison or SweepSession: it is given every worker event and answers with the page's
// changes (an Update, see src/session/update.rs), which `apply` puts on the page; what an
// update says to keep goes to the store's `keep` writer (store.js), if there is one.

import { startPool } from './pool.js';

// Starts `model`'s runs on `size` workers with the data's `buffers`. `name(slot, job)` names
// a worker in failure messages; `keepFailed(text)` hears why something could not be kept.
// Returns { stop() }; the session ends itself when an update says it is finished.
export function startSession(model, buffers, size, { apply, name, keep = null, keepFailed }) {
  const started = performance.now();
  const elapsed = () => (performance.now() - started) / 1000;
  let over = false;
  let stopPool = () => {};
  // Writes what the update says to keep; the record is let go once it is over.
  const save = (update) => {
    if (update.saved) keep?.write(update.saved).catch((error) => keepFailed(error.message));
    if (update.finished) keep?.end();
  };
  const take = (update) => {
    if (over) return;
    if (update.finished) {
      over = true;
      stopPool();
    }
    save(update);
    apply(update);
  };
  take(model.start());
  stopPool = startPool(model.jobs(), buffers, size, {
    name,
    onJob: (job, slot) => take(model.job_started(job.id, slot)),
    onMessage: (job, text, slot) => take(model.receive(job.id, slot, text, elapsed())),
    onIdle: (slot) => take(model.idle(slot, elapsed())),
    onFailure: (text) => take(model.fail(text)),
  });
  return {
    stop() {
      if (over) return;
      over = true;
      stopPool();
      const update = model.stop(elapsed());
      save(update);
      apply(update);
    },
  };
}
