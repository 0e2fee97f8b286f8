// End-to-end: the base optimizer chosen in a link, in every engine under test. A run under
// Adam trains both methods and says so under the status, and its export records it; Adam
// broken by its own overflow (AYLA with exponents of 10) is marked diverged while Normal
// trains on. Needs the built page (make build).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { eachEngine, save, startForGroup, state, text, value, waitForState } from './harness.mjs';

eachEngine((engine) => {
  let server;
  let page;
  startForGroup(engine, {}, (started) => ({ server, page } = started));

  test('a run under Adam trains both methods, names its optimizer, and exports it', async () => {
    await page.goto(`${server.base}/?epochs=1&train=3000&optimizer=adam&lr=0.001`);
    await waitForState(page, 'idle');
    assert.equal(await value(page, '#optimizer'), 'adam', 'the select shows Adam');
    await page.click('#train');
    await waitForState(page, 'done');
    const log = await text(page, '#log');
    for (const method of ['Normal', 'AYLA']) {
      const [, accuracy] = log.match(new RegExp(`^${method} *- Epoch 1: .*Val Acc=([01]\\.\\d{4})`, 'm')) ?? [];
      // 24 steps of Adam at lr 0.001 already classify most test images (0.82 here).
      assert.ok(Number(accuracy) > 0.7, `${method}: ${log}`);
    }
    assert.match(await text(page, '#run-info'), / · lr 0\.001 · Adam · 128 hidden units · /);
    assert.match(await page.url(), /&optimizer=adam&/);
    const json = await save(page, '#export-json');
    assert.equal(JSON.parse(json.bytes.toString()).parameters.optimizer, 'adam');
  });

  test('an Adam run that its own arithmetic breaks is marked diverged, and Normal finishes', async () => {
    await page.goto(`${server.base}/?epochs=1&train=3000&optimizer=adam&lr=0.001&n1=10&n2=10`);
    await waitForState(page, 'idle');
    await page.click('#train');
    await waitForState(page, 'done');
    assert.equal(await state(page), 'done');
    const log = await text(page, '#log');
    assert.match(log, /^AYLA {3}- Epoch 1: diverged at batch \d+ \(the loss is no longer finite\)$/m);
    assert.match(log, /^Normal - Epoch 1: Loss=\d+\.\d{4}, /m);
    assert.match(await text(page, '#status'), /Final val acc: Normal 0\.\d{4}\. AYLA diverged\.$/);
  });

  test('the page logged no errors', () => {
    assert.deepEqual(page.problems, []);
  });
});
