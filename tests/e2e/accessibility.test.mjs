// Accessibility: axe-core finds no violation on the page in the light and the dark scheme
// and at a phone's width, before and after a run, and the figure's title fits a phone.
// Chromium only: the dark scheme is emulated and axe's script added past the page's
// Content-Security-Policy through playwright (drivers/chromium.mjs).

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { ENGINES, screenshot, startForGroup, waitForState } from './harness.mjs';

const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

describe('chromium', { skip: !ENGINES.includes('chromium') && 'BROWSERS leaves Chromium out' }, () => {
  let server;
  let browser;
  startForGroup('chromium', null, (started) => ({ server, browser } = started));

  // The page in a context of its own; the policy is bypassed only so axe's script can be added.
  async function open({ viewport = { width: 1280, height: 900 }, colorScheme = 'light' } = {}) {
    const page = await browser.open({ viewport, colorScheme, bypassCSP: true });
    await page.goto(`${server.base}/?epochs=1&train=1000&seed=3`);
    await waitForState(page, 'idle');
    return page;
  }

  async function violations(page) {
    await page.raw.addScriptTag({ path: AXE });
    const result = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
    return result.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.length} nodes: ${v.nodes.map((n) => n.target.join(' ')).join(', ')})`);
  }

  for (const [name, options] of [
    ['light', {}],
    ['dark', { colorScheme: 'dark' }],
    ['phone', { viewport: { width: 390, height: 844 } }],
  ]) {
    test(`no accessibility violation (${name}), before and after a run`, async () => {
      const page = await open(options);
      assert.deepEqual(await violations(page), []);
      await page.click('#train');
      await waitForState(page, 'done');
      assert.deepEqual(await violations(page), []);
      await screenshot(page, `axe-${name}`);
      await page.close();
    });
  }

  test('on a phone the figure is tall enough for its stacked panels', async () => {
    const page = await open({ viewport: { width: 390, height: 844 } });
    const box = await page.raw.locator('#chart').boundingBox();
    // Three stacked panels, each at least as tall as it is wide in half.
    assert.ok(box.height >= 2 * box.width, `${box.width}×${box.height}`);
    await page.close();
  });
});
