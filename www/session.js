// A single run or a sweep on the worker pool, one shape for both. `model` is a Rust
// Comparison or SweepSession: it is given every worker event and answers with the page's
// changes (an Update, see src/session/update.rs), which `apply` puts on the page.

import { startPool } from './pool.js';

// Starts `model`'s runs on `size` workers with the data's `buffers`. `name(slot, job)` names
// a worker in failure messages. Returns { stop() }; the session ends itself when an update
// says it is finished.
export function startSession(model, buffers, size, { apply, name }) {
  const started = performance.now();
  const elapsed = () => (performance.now() - started) / 1000;
  let over = false;
  let stopPool = () => {};
  const take = (update) => {
    if (over) return;
    if (update.finished) {
      over = true;
      stopPool();
    }
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
      apply(model.stop(elapsed()));
    },
  };
}
