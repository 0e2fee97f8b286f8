// The end-to-end tests' page in Debian's headless Firefox ESR, driven by selenium-webdriver
// through geckodriver (playwright cannot drive Debian's Firefox): the interface every
// driver gives (see harness.mjs, "A page"). WebDriver BiDi gives what classic WebDriver
// lacks: the console and errors, scripts run before the page's own, the live workers.

import { existsSync } from 'node:fs';
import { mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { Builder, By, Key, Origin } from 'selenium-webdriver';
import firefox from 'selenium-webdriver/firefox.js';

// geckodriver: $GECKODRIVER, else on the PATH, else where `cargo install` put it.
function geckodriver() {
  if (process.env.GECKODRIVER) return process.env.GECKODRIVER;
  const cargoBin = join(process.env.CARGO_INSTALL_ROOT ?? process.env.CARGO_HOME ?? join(homedir(), '.cargo'), 'bin');
  const dirs = [...(process.env.PATH ?? '').split(delimiter), cargoBin];
  const found = dirs.map((dir) => join(dir, 'geckodriver')).find((path) => existsSync(path));
  if (!found) throw new Error('geckodriver not found: run `scripts/setup.sh browser` (it installs it with cargo)');
  return found;
}

export async function launch() {
  const pages = new Set();
  return {
    engine: 'firefox',
    // `serviceWorkers: 'block'` (as playwright's option): a profile without service workers.
    async open({ viewport = { width: 1280, height: 900 }, serviceWorkers = 'allow' } = {}) {
      const page = await FirefoxPage.start(viewport, serviceWorkers);
      pages.add(page);
      page.onClose = () => pages.delete(page);
      return page;
    },
    close: () => Promise.all([...pages].map((page) => page.close())),
  };
}

// Playwright's key names, as WebDriver sends them.
const KEYS = {
  ArrowLeft: Key.ARROW_LEFT,
  ArrowRight: Key.ARROW_RIGHT,
  ArrowUp: Key.ARROW_UP,
  ArrowDown: Key.ARROW_DOWN,
  Home: Key.HOME,
  End: Key.END,
  Tab: Key.TAB,
  Enter: Key.ENTER,
  Escape: Key.ESCAPE,
};

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

class FirefoxPage {
  engine = 'firefox';
  problems = [];
  onClose = () => {};
  // Folders of files picked in file inputs, removed on close.
  picked = [];

  static async start({ width, height }, serviceWorkers) {
    const downloads = await mkdtemp(join(tmpdir(), 'ayla-e2e-firefox-'));
    const options = new firefox.Options()
      .setBinary('/usr/bin/firefox-esr')
      .addArguments('-headless', `--width=${width}`, `--height=${height}`)
      // Downloads go straight to a folder of this page's, without asking.
      .setPreference('browser.download.folderList', 2)
      .setPreference('browser.download.dir', downloads)
      .setPreference('browser.download.useDownloadDir', true)
      .setPreference('browser.download.always_ask_before_handling_new_types', false)
      .setPreference('browser.download.alwaysOpenPanel', false)
      .setPreference('browser.helperApps.neverAsk.saveToDisk', 'image/png,application/json,text/csv')
      .setPreference('dom.serviceWorkers.enabled', serviceWorkers !== 'block')
      .enableBidi();
    const driver = await new Builder()
      .forBrowser('firefox')
      .setFirefoxOptions(options)
      .setFirefoxService(new firefox.ServiceBuilder(geckodriver()))
      .build();
    await driver.manage().setTimeouts({ script: 120_000 });
    const page = new FirefoxPage(driver, downloads);
    await page.#listen();
    return page;
  }

  constructor(driver, downloads) {
    this.driver = driver;
    this.downloads = downloads;
  }

  async #listen() {
    this.bidi = await this.driver.getBidi();
    this.bidi.socket.on('message', (raw) => {
      const { method, params } = JSON.parse(raw);
      if (method === 'log.entryAdded' && params.level === 'error') {
        this.problems.push(`${params.type === 'console' ? 'console' : 'page'} error: ${params.text}`);
      }
    });
    await this.bidi.subscribe('log.entryAdded');
  }

  #find(selector) {
    return this.driver.findElement(By.css(selector));
  }

  goto(url) {
    return this.driver.get(url);
  }

  url() {
    return this.driver.getCurrentUrl();
  }

  // Runs `fn(arg)` in the page and resolves to its (awaited) result, as playwright does.
  evaluate(fn, arg = null) {
    return this.driver.executeScript(`return (${fn}).call(null, arguments[0]);`, arg);
  }

  async waitFor(fn, arg, { timeout = 90_000, what = fn.toString() } = {}) {
    const until = Date.now() + timeout;
    while (!(await this.evaluate(fn, arg))) {
      if (Date.now() > until) throw new Error(`waited ${timeout} ms for ${what}`);
      await sleep(50);
    }
  }

  async click(selector) {
    await (await this.#find(selector)).click();
  }

  // Replaces the field's text as typing would (select all, delete, type).
  async fill(selector, text) {
    const field = await this.#find(selector);
    await field.sendKeys(Key.chord(Key.CONTROL, 'a'), Key.BACK_SPACE);
    if (text) await field.sendKeys(text);
  }

  async press(selector, key) {
    await this.driver.executeScript('arguments[0].focus()', await this.#find(selector));
    await this.driver.actions().sendKeys(KEYS[key] ?? key).perform();
  }

  // Moves the pointer to the fractions (fx, fy) of the element's box.
  async #point(selector, fx, fy) {
    const element = await this.#find(selector);
    await this.driver.executeScript("arguments[0].scrollIntoView({ block: 'center' })", element);
    const { width, height } = await element.getRect();
    // WebDriver measures from the element's centre, in whole CSS pixels.
    return this.driver.actions().move({ origin: element, x: Math.round(width * (fx - 0.5)), y: Math.round(height * (fy - 0.5)) });
  }

  async hover(selector, fx, fy) {
    await (await this.#point(selector, fx, fy)).perform();
  }

  async clickAt(selector, fx, fy) {
    await (await this.#point(selector, fx, fy)).click().perform();
  }

  moveAway() {
    return this.driver.actions().move({ origin: Origin.VIEWPORT, x: 0, y: 0 }).perform();
  }

  // Clicks an export button and resolves to the file Firefox saved: { name, bytes }.
  async download(selector) {
    for (const name of await readdir(this.downloads)) await rm(join(this.downloads, name), { force: true });
    await this.click(selector);
    const until = Date.now() + 30_000;
    for (;;) {
      // Firefox writes NAME.part and moves it onto NAME when the download is complete.
      const names = await readdir(this.downloads);
      if (names.length === 1 && !names[0].endsWith('.part')) {
        const path = join(this.downloads, names[0]);
        if ((await stat(path)).size > 0) return { name: names[0], bytes: await readFile(path) };
      }
      if (Date.now() > until) throw new Error(`no download from ${selector} (seen: ${names.join(', ') || 'nothing'})`);
      await sleep(50);
    }
  }

  // Picks files ({ name, buffer }) in a file input, as a user choosing them from disk would.
  async setFiles(selector, files) {
    const folder = await mkdtemp(join(tmpdir(), 'ayla-e2e-pick-'));
    this.picked.push(folder);
    const paths = [];
    for (const { name, buffer } of files) {
      paths.push(join(folder, name));
      await writeFile(paths.at(-1), buffer);
    }
    await (await this.#find(selector)).sendKeys(paths.join('\n'));
  }

  async screenshot(path) {
    await writeFile(path, await this.driver.takeFullPageScreenshot(), 'base64');
  }

  // Live dedicated workers: the page's worker realms.
  async workers() {
    const answer = await this.bidi.send({ method: 'script.getRealms', params: { type: 'dedicated-worker' } });
    return answer.result.realms.length;
  }

  async addInitScript(fn) {
    await this.bidi.send({ method: 'script.addPreloadScript', params: { functionDeclaration: fn.toString() } });
  }

  async close() {
    this.onClose();
    await this.driver.quit();
    for (const folder of [this.downloads, ...this.picked]) await rm(folder, { recursive: true, force: true });
  }
}
