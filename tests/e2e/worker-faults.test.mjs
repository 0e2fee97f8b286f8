// End-to-end: a training worker that fails, in a single run and in a sweep, in every engine
// under test. The server hands out worker.js with a fault put in front of it (the page
// itself is untouched): the worker throws while loading, or posts a protocol Error, or a
// message the page cannot read, while the other workers train on. Each time the page must
// show the error and what it says, leave no worker running, and take the next run.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  eachEngine,
  isDisabled,
  screenshot,
  startForGroup,
  state,
  text,
  waitForState,
  waitForWorkers,
} from './harness.mjs';

const BROKEN = 'The test broke this run on purpose.';

// worker.js with a fault in front: when the page starts a run that `matches(start)` picks
// (`start` is the Start message, src/protocol.rs), the worker posts `reply(start)` instead
// of training; the real code never sees that Start, and every other run trains as usual.
const faulty = (matches, reply) => (file) => ({
  body: `self.addEventListener('message', (event) => {
  // The compiled module arrives first, in a message of its own; runs come with \`start\`.
  if (!event.data.start) return;
  const start = JSON.parse(event.data.start);
  if (!(${matches})(start)) return;
  event.stopImmediatePropagation();
  self.postMessage((${reply})(start));
});
${file}`,
});

// What a failing worker posts: a protocol Error, or text that is no protocol message.
const REPLIES = {
  'a protocol Error': (start) => JSON.stringify({ type: 'Error', method: start.method, message: 'The test broke this run on purpose.' }),
  'a garbled message': () => '{"type":"Epoch","method":',
};

eachEngine((engine) => {
  let server;
  let page;
    // The faults are the server's: a service worker would serve the build it keeps.
  startForGroup(engine, { serviceWorkers: 'block' }, (started) => ({ server, page } = started));

  // The page after a worker failed: in the error state, saying `message`, no worker alive
  // (the healthy ones were training for many seconds more), the controls back; and once the
  // fault is gone, a new run (`query`, made short) completes.
  async function assertRecovers(message, name) {
    await waitForState(page, 'error');
    assert.match(await text(page, '#status'), message);
    await waitForWorkers(page, 0, 8_000);
    assert.equal(await isDisabled(page, '#train'), false, 'Train is usable again');
    assert.equal(await isDisabled(page, '#stop'), true, 'Stop is disabled');
    await screenshot(page, `worker-fault-${name}`);
    server.restore();
    await page.fill('#epochs', '1');
    await page.fill('#train-size', '1000');
    await page.click('#train');
    await waitForState(page, 'done');
    assert.equal(await state(page), 'done');
  }

  test('a worker that throws while loading is reported and the controls come back', async () => {
    server.replace('/worker.js', () => ({ body: "throw new Error('worker exploded');" }));
    await page.goto(`${server.base}/?epochs=1&train=1000`);
    await waitForState(page, 'idle');
    await page.click('#train');
    await assertRecovers(/worker failed: .*worker exploded/, 'load');
  });

  for (const [what, reply] of Object.entries(REPLIES)) {
    test(`a single run's AYLA worker sending ${what} ends the run and leaves no worker`, async () => {
      // Normal trains for many seconds: only Stop-like cleanup ends its worker in time.
      server.replace('/worker.js', faulty((start) => start.method === 'AYLA', reply));
      await page.goto(`${server.base}/?epochs=20&train=60000`);
      await waitForState(page, 'idle');
      await page.click('#train');
      const message = what === 'a protocol Error' ? new RegExp(`^AYLA: ${BROKEN}$`) : /^The AYLA worker sent something unreadable: ./;
      await assertRecovers(message, `single-${what.split(' ').at(-1)}`);
    });

    test(`a sweep worker sending ${what} ends the sweep and leaves no worker`, async () => {
      // The first AYLA run fails while the other workers train theirs for many seconds.
      server.replace('/worker.js', faulty((start) => start.method === 'AYLA' && start.config.n1 === 0.9, reply));
      await page.goto(`${server.base}/?mode=sweep&epochs=20&n1=0.9,1.1&n2=1&seeds=1&train=60000`);
      await waitForState(page, 'idle');
      await page.click('#train');
      const message = what === 'a protocol Error' ? new RegExp(`^N1 0\\.9, N2 1, seed 42: ${BROKEN}$`) : /^Sweep worker \d sent something unreadable: ./;
      await assertRecovers(message, `sweep-${what.split(' ').at(-1)}`);
    });
  }

  test('the page logged nothing but the failures it was given', () => {
    const expected = /worker exploded|Failed to load resource/;
    assert.deepEqual(page.problems.filter((p) => !expected.test(p)), []);
  });
});
