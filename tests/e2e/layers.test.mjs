// End-to-end: a network with two hidden layers, typed as a list, trains on the page, and
// its layers travel in the link, the parameters line and the exports; a list the field
// refuses is explained beside it. Needs the built page (make build).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  attribute,
  eachEngine,
  save,
  screenshot,
  startForGroup,
  state,
  text,
  value,
  waitForState,
} from './harness.mjs';

eachEngine((engine) => {
  let server;
  let page;
  startForGroup(engine, {}, (started) => ({ server, page } = started));

  test('two hidden layers typed as a list train both methods and are kept in the link and exports', async () => {
    await page.goto(`${server.base}/?epochs=1&train=3000&seed=3&lr=0.1`);
    await waitForState(page, 'idle');
    assert.equal(await value(page, '#hidden'), '128');
    assert.equal(await attribute(page, '#hidden', 'inputmode'), 'text', 'a keyboard with a comma');
    await page.fill('#hidden', '64, 32');
    await page.click('#train');
    await waitForState(page, 'done');
    const log = await text(page, '#log');
    for (const method of ['AYLA  ', 'Normal']) {
      assert.match(log, new RegExp(`^${method} - Epoch 1: Loss=\\d+\\.\\d{4}, Val Loss=`, 'm'), log);
    }
    // Trained, not left at the start (chance: accuracy 0.1, loss ln 10 ≈ 2.30). The native
    // command line, whose arithmetic is the page's, gives 0.67 and 0.66, 1.29 and 1.38.
    const figures = [...log.matchAll(/Val Loss=(\d+\.\d{4}), Val Acc=([01]\.\d{4})/g)];
    assert.equal(figures.length, 2, log);
    for (const [, loss, accuracy] of figures) {
      assert.ok(Number(loss) < 2 && Number(accuracy) > 0.5, `validation ${loss}, ${accuracy}`);
    }
    assert.match(await page.url(), /&hidden=64,32&/);
    assert.match(await text(page, '#run-info'), /64, 32 hidden units/);
    await screenshot(page, 'two-layers');

    const json = JSON.parse((await save(page, '#export-json', 'layers-')).bytes.toString());
    assert.deepEqual(json.parameters.hidden, [64, 32]);
    assert.match(json.query, /&hidden=64,32&/);
    const csv = (await save(page, '#export-csv', 'layers-')).bytes.toString();
    const [header, first] = csv.split('\n');
    const column = header.split(',').indexOf('hidden');
    assert.ok(column > 0, header);
    assert.ok(first.includes(',"64,32",'), `the list quoted in ${first}`);
  });

  test('a list of too many layers, or not of numbers, is refused beside the field', async () => {
    for (const [typed, message] of [
      ['256,128,64,32', 'Hidden units: at most 3 layers.'],
      ['256,abc', '“abc” is not a number.'],
    ]) {
      await page.fill('#hidden', typed);
      await page.click('#train');
      assert.equal(await attribute(page, '#hidden', 'aria-invalid'), 'true', typed);
      assert.equal(await text(page, '#hidden-error'), message);
      assert.ok(!['loading', 'training'].includes(await state(page)), `no run for ${typed}`);
    }
    assert.deepEqual(page.problems, [], 'nothing crashed');
  });
});
