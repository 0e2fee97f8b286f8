// Accessibility: axe-core finds no violation on the page in the light and the dark scheme
// and at a phone's width, before and after a run, and the figure's title fits a phone.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { ARTIFACTS, launchChromium, serveWww, waitForState } from './harness.mjs';

const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

let server;
let browser;

before(async () => {
  server = await serveWww();
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  server?.close();
});

// The page in a context of its own; the policy is bypassed only so axe's script can be added.
async function open({ viewport = { width: 1280, height: 900 }, colorScheme = 'light' } = {}) {
  const context = await browser.newContext({ viewport, colorScheme, bypassCSP: true });
  const page = await context.newPage();
  await page.goto(`${server.base}/?epochs=1&train=1000&seed=3`);
  await waitForState(page, 'idle');
  return page;
}

async function violations(page) {
  await page.addScriptTag({ path: AXE });
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
    await page.screenshot({ path: `${ARTIFACTS}axe-${name}.png`, fullPage: true });
    await page.context().close();
  });
}

test('on a phone the figure is tall enough for its stacked panels', async () => {
  const page = await open({ viewport: { width: 390, height: 844 } });
  const box = await page.locator('#chart').boundingBox();
  // Three stacked panels, each at least as tall as it is wide in half.
  assert.ok(box.height >= 2 * box.width, `${box.width}×${box.height}`);
  await page.context().close();
});
