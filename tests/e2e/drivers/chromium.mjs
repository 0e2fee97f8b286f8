// The end-to-end tests' page in Debian's headless Chromium, driven by playwright-core: the
// interface every driver gives (see harness.mjs, "A page"). `raw` is playwright's Page, for
// the Chromium-only checks (DevTools protocol, request interception).

import { readFile } from 'node:fs/promises';
import { chromium } from 'playwright-core';

export async function launch() {
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    // The flags this machine needs: root, no network.
    args: [
      '--no-sandbox',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-dev-shm-usage',
    ],
  });
  return {
    engine: 'chromium',
    raw: browser,
    // `options`: playwright's context options beyond the viewport (colorScheme, bypassCSP…).
    async open({ viewport = { width: 1280, height: 900 }, ...options } = {}) {
      const context = await browser.newContext({ acceptDownloads: true, viewport, ...options });
      return new ChromiumPage(context, await context.newPage());
    },
    close: () => browser.close(),
  };
}

export class ChromiumPage {
  engine = 'chromium';
  // The page's errors and console errors, which a test expects to stay empty.
  problems = [];

  constructor(context, page) {
    this.context = context;
    this.raw = page;
    page.on('pageerror', (error) => this.problems.push(`page error: ${error.message}`));
    page.on('console', (message) => {
      if (message.type() === 'error') this.problems.push(`console error: ${message.text()}`);
    });
  }

  goto(url) {
    return this.raw.goto(url);
  }

  url() {
    return this.raw.url();
  }

  evaluate(fn, arg) {
    return this.raw.evaluate(fn, arg);
  }

  async waitFor(fn, arg, { timeout = 90_000, what = fn.toString() } = {}) {
    try {
      await this.raw.waitForFunction(fn, arg, { timeout, polling: 50 });
    } catch (error) {
      throw new Error(`waited ${timeout} ms for ${what}: ${error.message.split('\n')[0]}`);
    }
  }

  click(selector) {
    return this.raw.click(selector);
  }

  fill(selector, text) {
    return this.raw.fill(selector, text);
  }

  press(selector, key) {
    return this.raw.press(selector, key);
  }

  async #point(selector, fx, fy) {
    const element = this.raw.locator(selector);
    await element.scrollIntoViewIfNeeded();
    const box = await element.boundingBox();
    return [box.x + box.width * fx, box.y + box.height * fy];
  }

  async hover(selector, fx, fy) {
    await this.raw.mouse.move(...(await this.#point(selector, fx, fy)));
  }

  async clickAt(selector, fx, fy) {
    await this.raw.mouse.click(...(await this.#point(selector, fx, fy)));
  }

  moveAway() {
    return this.raw.mouse.move(0, 0);
  }

  async download(selector) {
    const [download] = await Promise.all([this.raw.waitForEvent('download'), this.raw.click(selector)]);
    return { name: download.suggestedFilename(), bytes: await readFile(await download.path()) };
  }

  setFiles(selector, files) {
    return this.raw.setInputFiles(selector, files);
  }

  screenshot(path) {
    return this.raw.screenshot({ path, fullPage: true });
  }

  // Live dedicated workers (a terminated worker leaves the list once it has closed).
  async workers() {
    return this.raw.workers().length;
  }

  addInitScript(fn) {
    return this.raw.addInitScript(fn);
  }

  close() {
    return this.context.close();
  }
}
