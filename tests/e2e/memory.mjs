// Memory over twenty runs in a row in headless Chromium (see runs-in-a-row.mjs), as
// figures: after each run, the page's heap and buffers (after a full garbage collection)
// and the renderer processes' resident memory (RSS, from /proc); during each stopped run,
// the renderers' RSS again (its excess over the idle page is what the two workers hold:
// their wasm memory, the data moved into them) and the workers' heaps and buffers.
// RSS moves by tens of MiB between readings on a busy machine, so these are figures to
// read, not assertions; hardening.test.mjs asserts what is stable (no worker left, the
// page's heap flat). Not part of `make test`: `node tests/e2e/memory.mjs`.

import { MiB, pageMemory, rendererMemory, workerMemory } from './chromium-tools.mjs';
import { launch, serveWww, waitForState } from './harness.mjs';
import { runsInARow } from './runs-in-a-row.mjs';

const RUNS = 20;
const server = await serveWww();
const browser = await launch('chromium');
const rss = async () => (await rendererMemory(browser)) ?? NaN;
try {
  const page = await browser.open();
  await page.goto(`${server.base}/?epochs=20&train=12000`);
  await waitForState(page, 'idle');
  if (Number.isNaN(await rss())) console.log('No /proc here: the RSS figures below are NaN.');
  const during = [];
  const after = [];
  await runsInARow(page, RUNS, {
    during: async (run) => {
      during[run] = { workers: await workerMemory(page), renderers: await rss() };
    },
    after: async (run) => {
      after[run] = { ...(await pageMemory(page)), renderers: await rss() };
      const [a, d] = [after[run], during[run]];
      const workers = d
        ? `during: renderers ${MiB(d.renderers)} (workers' share ${MiB(d.renderers - a.renderers)}), ` +
          `worker heaps ${d.workers.map((w) => MiB(w.heap)).join(' + ')}, worker buffers ${d.workers.map((w) => MiB(w.buffers)).join(' + ')}`
        : 'trained to its end';
      console.log(`run ${String(run).padStart(2)}: after: page heap ${MiB(a.heap)}, page buffers ${MiB(a.buffers)}, renderers ${MiB(a.renderers)}; ${workers}`);
    },
  });
  const change = (label, first, last) => console.log(`${label}: run 2 ${MiB(first)}, run ${RUNS} ${MiB(last)} (${((100 * (last - first)) / first).toFixed(1)} %)`);
  change('page heap', after[2].heap, after[RUNS].heap);
  change('page buffers', after[2].buffers, after[RUNS].buffers);
  change('renderers after a run', after[2].renderers, after[RUNS].renderers);
  const share = (run) => during[run].renderers - after[run].renderers;
  change("workers' share during a run", share(2), share(RUNS - 1));
} finally {
  await browser.close();
  server.close();
}
