// Shared by the end-to-end tests and scripts: a static server for www/ (like any plain
// host: no special headers) whose answers a test can replace, the browser engines under
// test, and checks written against the page's DOM (ids, text, attributes, downloads,
// workers), so one test body runs in every engine.
//
// A page, as both drivers give it (drivers/chromium.mjs with playwright-core,
// drivers/firefox.mjs with selenium-webdriver):
//   engine                              'chromium' or 'firefox'
//   goto(url), url()
//   evaluate(fn, arg)                   fn(arg) run in the page; its (awaited) result
//   waitFor(fn, arg, { timeout, what }) until fn(arg) is truthy in the page
//   click(sel), fill(sel, text), press(sel, key)   as a user would (playwright's key names)
//   hover(sel, fx, fy), clickAt(sel, fx, fy), moveAway()   the pointer, at fractions of a box
//   download(sel)                       clicks, resolves to the saved file { name, bytes }
//   setFiles(sel, [{ name, buffer }])   picks files in a file input
//   screenshot(path), addInitScript(fn), workers() (how many dedicated workers live)
//   problems                            the page's errors and console errors so far
//   close()

import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import http from 'node:http';
import { extname } from 'node:path';
import { after, before, describe } from 'node:test';
import { fileURLToPath } from 'node:url';

const WWW = fileURLToPath(new URL('../../www/', import.meta.url));
export const ARTIFACTS = fileURLToPath(new URL('./artifacts/', import.meta.url));

// ---------------------------------------------------------------------------------------
// Engines

const KNOWN = ['chromium', 'firefox'];

// The engines to test: BROWSERS ("chromium firefox" by default, as scripts/test.sh reads it).
export const ENGINES = (process.env.BROWSERS ?? KNOWN.join(' ')).split(/[\s,]+/).filter(Boolean);
for (const engine of ENGINES) {
  if (!KNOWN.includes(engine)) throw new Error(`BROWSERS: unknown engine '${engine}' (${KNOWN.join(', ')} are tested)`);
}

// Starts an engine: { engine, open({ viewport }) → page, close() }.
export async function launch(engine) {
  const driver = await import(`./drivers/${engine}.mjs`);
  return driver.launch();
}

// Registers `body(engine)`'s tests once per engine under test, each group named for its engine.
export function eachEngine(body) {
  for (const engine of ENGINES) describe(engine, () => body(engine));
}

// ---------------------------------------------------------------------------------------
// The server

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.wasm': 'application/wasm',
};

// Serves www/; resolves to { base, close, replace, restore }. `replace(path, answer)` makes
// later requests for `path` (e.g. '/worker.js') get `answer(file)` instead, where `file` is
// the real file's text and the answer is { status, type, body } (defaults: 200, the file's
// type, the file) or { drop: true } (the connection closes unanswered: a network failure).
// `restore()` undoes every replacement.
export async function serveWww() {
  const replaced = new Map();
  const server = http.createServer(async (request, response) => {
    const path = decodeURIComponent(new URL(request.url, 'http://x').pathname);
    if (path.includes('..')) return response.writeHead(400).end();
    const file = WWW + (path.endsWith('/') ? `${path}index.html` : path).replace(/^\/+/, '');
    const type = TYPES[extname(file)] ?? 'application/octet-stream';
    if (replaced.has(path)) {
      const answer = replaced.get(path)(await readFile(file, 'utf8').catch(() => ''));
      if (answer.drop) return request.socket.destroy();
      return response.writeHead(answer.status ?? 200, { 'Content-Type': answer.type ?? type }).end(answer.body);
    }
    try {
      const { size } = await stat(file);
      response.writeHead(200, { 'Content-Type': type, 'Content-Length': size });
      createReadStream(file).pipe(response);
    } catch {
      response.writeHead(404).end('not found');
    }
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  await mkdir(ARTIFACTS, { recursive: true });
  return {
    base: `http://127.0.0.1:${server.address().port}`,
    close: () => server.close(),
    replace: (path, answer) => replaced.set(path, answer),
    restore: () => replaced.clear(),
  };
}

// Hooks for the enclosing group of tests: before them, serves www/, starts `engine` and,
// unless `pageOptions` is null, opens one page with those options (see the drivers' open),
// handing { server, browser, page } to `started`; after them, closes the engine and server.
export function startForGroup(engine, pageOptions, started) {
  let server;
  let browser;
  before(async () => {
    server = await serveWww();
    browser = await launch(engine);
    const page = pageOptions === null ? undefined : await browser.open(pageOptions);
    started({ server, browser, page });
  });
  after(async () => {
    await browser?.close();
    server?.close();
  });
}

// ---------------------------------------------------------------------------------------
// Reading the page

export const text = (page, selector) => page.evaluate((s) => document.querySelector(s).textContent, selector);
export const value = (page, selector) => page.evaluate((s) => document.querySelector(s).value, selector);
export const attribute = (page, selector, name) =>
  page.evaluate(([s, n]) => document.querySelector(s).getAttribute(n), [selector, name]);
export const isDisabled = (page, selector) => page.evaluate((s) => document.querySelector(s).disabled, selector);
export const isChecked = (page, selector) => page.evaluate((s) => document.querySelector(s).checked, selector);
// Rendered and not hidden (no box, `hidden`, display or visibility).
export const isVisible = (page, selector) =>
  page.evaluate((s) => document.querySelector(s)?.checkVisibility({ visibilityProperty: true }) ?? false, selector);
export const state = (page) => attribute(page, '#status', 'data-state');
// A digest of a canvas's pixels, to tell whether it changed.
export const pixels = async (page, id) =>
  createHash('sha256')
    .update(await page.evaluate((i) => document.getElementById(i).toDataURL(), id))
    .digest('hex');

// Resolves when #status has the given data-state.
export function waitForState(page, wanted, timeout = 90_000) {
  return page.waitFor((w) => document.getElementById('status').dataset.state === w, wanted, {
    timeout,
    what: `the status "${wanted}"`,
  });
}

// Clicks an export button and keeps the downloaded file in artifacts/ (named
// ENGINE-PREFIXNAME); resolves to { name, path, bytes }.
export async function save(page, button, prefix = '') {
  const { name, bytes } = await page.download(button);
  const path = `${ARTIFACTS}${page.engine}-${prefix}${name}`;
  await writeFile(path, bytes);
  return { name, path, bytes };
}

export const screenshot = (page, name) => page.screenshot(`${ARTIFACTS}${page.engine}-${name}.png`);

// Resolves once the page has at most `count` live workers (a terminated worker closes
// asynchronously: Chromium ends one busy in wasm up to 2 s later); rejects after `timeout`
// ms with how many are left.
export async function waitForWorkers(page, count, timeout = 10_000) {
  const until = Date.now() + timeout;
  let live;
  while ((live = await page.workers()) > count) {
    if (Date.now() > until) throw new Error(`${live} workers still alive, expected ${count}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

// Everything that changes in the page's progress, log and status during the next `ms`
// milliseconds (a live worker posts progress ten times a second): a list of
// "selector: what" entries, empty if nothing moved.
export function changesWithin(page, ms) {
  return page.evaluate(async (wait) => {
    const watched = ['#status', '#methods', '#sweep-bar', '#sweep-text', '#pool', '#sweep-table', '#log'];
    const seen = [];
    const observer = new MutationObserver((records) => {
      for (const record of records) {
        const where = watched.find((s) => document.querySelector(s)?.contains(record.target)) ?? record.target.nodeName;
        seen.push(`${where}: ${record.type}${record.attributeName ? ` ${record.attributeName}` : ''}`);
      }
    });
    for (const selector of watched) {
      observer.observe(document.querySelector(selector), { subtree: true, childList: true, characterData: true, attributes: true });
    }
    await new Promise((resolve) => setTimeout(resolve, wait));
    observer.disconnect();
    return seen;
  }, ms);
}

// A PNG's facts as the browser decodes it: { width, height, inked, colours }, where inked
// is the share of pixels unlike the top-left one (the background) and colours counts the
// distinct colours (up to 1,000).
export function pngFacts(page, bytes) {
  return page.evaluate(async (base64) => {
    const data = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
    const bitmap = await createImageBitmap(new Blob([data], { type: 'image/png' }));
    const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
    const context = canvas.getContext('2d');
    context.drawImage(bitmap, 0, 0);
    const rgba = new Uint32Array(context.getImageData(0, 0, bitmap.width, bitmap.height).data.buffer);
    const colours = new Set();
    let inked = 0;
    for (const pixel of rgba) {
      if (pixel !== rgba[0]) inked += 1;
      if (colours.size < 1000) colours.add(pixel);
    }
    return { width: bitmap.width, height: bitmap.height, inked: inked / rgba.length, colours: colours.size };
  }, Buffer.from(bytes).toString('base64'));
}

// The start of every PNG file.
export const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
