// How fast this browser trains, for the sweep's time estimate: each method's training
// images per second over a whole epoch, as the workers reported them while all of them
// were busy. Kept in localStorage so the next visit estimates from this machine too;
// until then the estimate uses the bench's figures (src/sweep.rs, Speed::BENCH).

import { bench_speed } from './pkg/ayla.js';

const KEY = 'ayla-speed';
const measured = { ...read() };

function read() {
  try {
    const saved = JSON.parse(localStorage.getItem(KEY));
    return saved && saved.normal > 0 && saved.ayla > 0 ? saved : {};
  } catch {
    return {}; // storage off or unreadable: estimate from the bench
  }
}

// Notes a method's rate over a whole epoch ({method, samples_per_sec}, from Rust).
export function noteRate({ method, samples_per_sec: rate }) {
  if (!(rate > 0)) return;
  measured[method === 'Normal' ? 'normal' : 'ayla'] = rate;
  if (measured.normal && measured.ayla) {
    try {
      localStorage.setItem(KEY, JSON.stringify({ normal: measured.normal, ayla: measured.ayla }));
    } catch {
      // Not kept for the next visit; this one still uses it.
    }
  }
}

// `{ speed: {normal, ayla, start_up}, source }`: this browser's, once both methods were
// measured, else the bench's.
export function speed() {
  const bench = bench_speed();
  if (measured.normal && measured.ayla) {
    return { speed: { ...bench, normal: measured.normal, ayla: measured.ayla }, source: 'this browser' };
  }
  return { speed: bench, source: 'the bench' };
}
