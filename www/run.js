// One training run: a worker per method, both started with the same config (so the same
// initial weights and batch order). It is a pool (pool.js) of two workers with one run
// each, so single runs and sweeps share one way of starting, feeding and stopping workers.

import { startPool } from './pool.js';

export const METHODS = ['Normal', 'AYLA'];

// Starts both workers. `onMessage(message)` gets every decoded message but Ready;
// `onFailure(text)` gets anything that went wrong outside the protocol. Returns a
// function that stops the run.
export function startRun(config, buffers, { onMessage, onFailure }) {
  const jobs = METHODS.map((method, id) => ({ id, method, config }));
  return startPool(jobs, buffers, jobs.length, {
    name: (slot, job) => (job ? `the ${job.method} worker` : 'a training worker'),
    onMessage: (job, message) => onMessage(message),
    onFailure,
  });
}
