// Many runs without a reload, as the memory checks drive them (hardening.test.mjs and
// memory.mjs): every fifth run trains 1 epoch on 3,000 images to its end; the others, 20
// epochs on 12,000 images, are stopped once the Normal worker has done 250 of their 1,880
// batches. After each run, no worker is left alive.

import assert from 'node:assert/strict';
import { state, waitForState, waitForWorkers } from './harness.mjs';

// Runs `count` runs on `page` (opened at ?epochs=20&train=12000). `during(run)` is awaited
// while a stopped run's two workers train, `after(run, finished)` after each run.
export async function runsInARow(page, count, { during = async () => {}, after = async () => {} }) {
  for (let run = 1; run <= count; run += 1) {
    const finishes = run % 5 === 0;
    await page.fill('#epochs', finishes ? '1' : '20');
    await page.fill('#train-size', finishes ? '3000' : '12000');
    await page.click('#train');
    if (finishes) {
      await waitForState(page, 'done');
    } else {
      // 250 batches of 128 (94 per epoch) done by the Normal worker, of 1,880.
      await page.waitFor(
        () => {
          const detail = document.querySelector('.run-progress[data-method="Normal"] .detail').textContent;
          const [, epoch, batch, batches] = detail.match(/^Epoch (\d+)\/\d+ · batch (\d+)\/(\d+)/) ?? [];
          return epoch && (epoch - 1) * batches + Number(batch) >= 250;
        },
        null,
        { timeout: 60_000, what: `250 batches of run ${run}` },
      );
      await during(run);
      await page.click('#stop');
      assert.equal(await state(page), 'stopped');
    }
    // Chromium ends a worker that is busy in wasm up to 2 s after terminate().
    await waitForWorkers(page, 0);
    await after(run, finishes);
  }
}
