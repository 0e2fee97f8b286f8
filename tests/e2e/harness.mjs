// Shared by the end-to-end tests and the full-run script: a static server for www/ on a
// free loopback port (like any plain host: no special headers) and headless Chromium.

import { createReadStream } from 'node:fs';
import { mkdir, readFile, stat } from 'node:fs/promises';
import http from 'node:http';
import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const WWW = fileURLToPath(new URL('../../www/', import.meta.url));
export const ARTIFACTS = fileURLToPath(new URL('./artifacts/', import.meta.url));

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.wasm': 'application/wasm',
};

// Serves www/; resolves to { base, close }. `replace(path)` may answer a path with other
// text (e.g. another build's build.js), or null to serve the file.
export async function serveWww({ replace = () => null } = {}) {
  const server = http.createServer(async (request, response) => {
    const path = decodeURIComponent(new URL(request.url, 'http://x').pathname);
    if (path.includes('..')) return response.writeHead(400).end();
    const replaced = await replace(path);
    if (replaced !== null) {
      return response.writeHead(200, { 'Content-Type': TYPES[extname(path)] ?? 'application/octet-stream' }).end(replaced);
    }
    const file = WWW + (path.endsWith('/') ? `${path}index.html` : path).replace(/^\/+/, '');
    try {
      const { size } = await stat(file);
      response.writeHead(200, {
        'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream',
        'Content-Length': size,
      });
      createReadStream(file).pipe(response);
    } catch {
      response.writeHead(404).end('not found');
    }
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  await mkdir(ARTIFACTS, { recursive: true });
  return { base: `http://127.0.0.1:${server.address().port}`, close: () => server.close() };
}

// The Debian Chromium, headless, with the flags this machine needs (root, no network).
export function launchChromium() {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: [
      '--no-sandbox',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-dev-shm-usage',
    ],
  });
}

// A new page in a context of its own (downloads allowed), collecting the page's errors and
// console errors in `problems`, which a test expects to stay empty. `options` adds to the
// context's (e.g. `serviceWorkers: 'block'` where a test swaps the server's files with
// page.route: a service worker would answer from the build it keeps).
export async function openPage(browser, viewport = { width: 1280, height: 900 }, options = {}) {
  const context = await browser.newContext({ acceptDownloads: true, viewport, ...options });
  const page = await context.newPage();
  const problems = [];
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console error: ${message.text()}`);
  });
  return { context, page, problems };
}

// Clicks an export button and keeps the downloaded file in artifacts/ (its name prefixed
// with `prefix`); resolves to { name, path, bytes }.
export async function save(page, button, prefix = '') {
  const [download] = await Promise.all([page.waitForEvent('download'), page.click(button)]);
  const name = download.suggestedFilename();
  const path = `${ARTIFACTS}${prefix}${name}`;
  await download.saveAs(path);
  return { name, path, bytes: await readFile(path) };
}

// Resolves when #status has the given data-state.
export function waitForState(page, wanted, timeout = 90_000) {
  return page.waitForFunction((w) => document.getElementById('status').dataset.state === w, wanted, {
    timeout,
  });
}

// ---------------------------------------------------------------------------------------
// Hardening helpers (tests/e2e/hardening.test.mjs, long-run.mjs)

// Records from now on what the page's Content-Security-Policy blocked (its
// `securitypolicyviolation` events and console messages about the policy) and every
// request that left `origin` (blob: and data: URLs stay in the browser). Call before the
// first navigation. Returns { violations: [], foreign: [] }, filled as things happen.
export async function watchPolicy(page, origin) {
  const seen = { violations: [], foreign: [] };
  await page.exposeFunction('__reportCspViolation', (violation) => seen.violations.push(violation));
  await page.addInitScript(() => {
    document.addEventListener(
      'securitypolicyviolation',
      (event) => window.__reportCspViolation(`${event.violatedDirective} blocked ${event.blockedURI || 'inline'} ${event.sample}`.trim()),
      true,
    );
  });
  page.on('console', (message) => {
    if (/Content[- ]Security[- ]Policy/i.test(message.text())) seen.violations.push(`console: ${message.text()}`);
  });
  page.context().on('request', (request) => {
    const url = new URL(request.url());
    if (!['blob:', 'data:'].includes(url.protocol) && url.origin !== origin) seen.foreign.push(request.url());
  });
  return seen;
}

// The page's JavaScript heap after a full garbage collection, in bytes: `heap` (objects)
// and `buffers` (ArrayBuffer backing stores: the kept data set, typed arrays).
export async function pageMemory(page) {
  const session = await page.context().newCDPSession(page);
  try {
    await session.send('HeapProfiler.collectGarbage');
    const usage = await session.send('Runtime.getHeapUsage');
    return { heap: usage.usedSize, buffers: usage.backingStorageSize ?? 0 };
  } finally {
    await session.detach();
  }
}

// Every live dedicated worker of the page's browser context, measured through the DevTools
// protocol (a worker's module scope is out of reach of `worker.evaluate`): its JavaScript
// heap and its ArrayBuffer backing stores, in bytes, as they are (a training worker runs
// one long call into wasm and answers nothing that needs its thread, a GC included).
// [{ url, heap, buffers }]
export async function workerMemory(page) {
  const pageSession = await page.context().newCDPSession(page);
  const { targetInfo: pageTarget } = await pageSession.send('Target.getTargetInfo');
  await pageSession.detach();
  const session = await page.context().browser().newBrowserCDPSession();
  // Non-flat sessions: playwright's CDPSession cannot address a flat child session, so
  // commands go through Target.sendMessageToTarget and answers come back as events.
  let lastId = 0;
  const waiting = new Map();
  session.on('Target.receivedMessageFromTarget', ({ message }) => {
    const answer = JSON.parse(message);
    waiting.get(answer.id)?.(answer);
    waiting.delete(answer.id);
  });
  const call = (sessionId, method, params = {}) =>
    new Promise((resolve, reject) => {
      const id = ++lastId;
      waiting.set(id, (answer) => (answer.error ? reject(new Error(`${method}: ${answer.error.message}`)) : resolve(answer.result)));
      session.send('Target.sendMessageToTarget', { sessionId, message: JSON.stringify({ id, method, params }) }).catch(reject);
    });
  try {
    const { targetInfos } = await session.send('Target.getTargets');
    const ours = (t) => t.type === 'worker' && t.browserContextId === pageTarget.browserContextId;
    const measured = [];
    for (const target of targetInfos.filter(ours)) {
      let sessionId;
      try {
        ({ sessionId } = await session.send('Target.attachToTarget', { targetId: target.targetId, flatten: false }));
        const usage = await call(sessionId, 'Runtime.getHeapUsage');
        measured.push({ url: target.url, heap: usage.usedSize, buffers: usage.backingStorageSize ?? 0 });
      } catch {
        // A worker that ended while being measured has no memory left to count.
      } finally {
        if (sessionId) await session.send('Target.detachFromTarget', { sessionId }).catch(() => {});
      }
    }
    return measured;
  } finally {
    await session.detach();
  }
}

// The resident memory of the browser's renderer processes together (the page, its workers
// and anything else it renders), in bytes, read from /proc; null where there is no /proc.
// Wasm memory lives outside every JavaScript heap, so this is where a worker's shows.
export async function rendererMemory(browser) {
  const session = await browser.newBrowserCDPSession();
  try {
    const { processInfo } = await session.send('SystemInfo.getProcessInfo');
    let total = 0;
    for (const { type, id } of processInfo.filter((p) => p.type === 'renderer')) {
      const status = await readFile(`/proc/${id}/status`, 'utf8').catch(() => null);
      const kib = status?.match(/^VmRSS:\s+(\d+) kB$/m)?.[1];
      if (kib === undefined) return null;
      total += Number(kib) * 1024;
    }
    return total;
  } finally {
    await session.detach();
  }
}

// Resolves once the page has at most `count` live workers (terminated workers close
// asynchronously); rejects after `timeout` ms with how many are left.
export async function waitForWorkers(page, count, timeout = 10_000) {
  const until = Date.now() + timeout;
  while (page.workers().length > count) {
    if (Date.now() > until) throw new Error(`${page.workers().length} workers still alive, expected ${count}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export const MiB = (bytes) => `${(bytes / 2 ** 20).toFixed(2)} MiB`;

// Records the text the page draws on its canvases, with where and how wide (measured in the
// font it is drawn in), for checks on the chart's labels. Call before the first navigation.
// A canvas's record restarts whenever it is filled whole (a redraw starts that way).
export async function recordCanvasText(page) {
  await page.addInitScript(() => {
    const records = new WeakMap();
    window.canvasText = (canvas) => records.get(canvas) ?? [];
    const proto = CanvasRenderingContext2D.prototype;
    const { fillRect, fillText } = proto;
    proto.fillRect = function (x, y, width, height) {
      if (x <= 0 && y <= 0 && width >= this.canvas.width && height >= this.canvas.height) records.set(this.canvas, []);
      return fillRect.call(this, x, y, width, height);
    };
    proto.fillText = function (text, x, y, ...rest) {
      const at = this.getTransform().transformPoint(new DOMPoint(x, y));
      const list = records.get(this.canvas) ?? [];
      list.push({ text: String(text), x: at.x, y: at.y, align: this.textAlign, baseline: this.textBaseline, width: this.measureText(text).width, rotated: this.getTransform().b !== 0 });
      records.set(this.canvas, list);
      return fillText.call(this, text, x, y, ...rest);
    };
  });
}

// The chart's epoch tick labels (centred integers under the plots, one row for all panels
// side by side), left to right, in device pixels: [{ text, left, right }]. Needs
// recordCanvasText.
export function epochLabels(page) {
  return page.evaluate(() => {
    const texts = window.canvasText(document.getElementById('chart'));
    const labels = texts.filter((t) => t.align === 'center' && t.baseline === 'top' && !t.rotated && /^\d+$/.test(t.text));
    const row = Math.max(...labels.map((t) => t.y));
    return labels
      .filter((t) => Math.abs(t.y - row) < 1)
      .map((t) => ({ text: t.text, left: t.x - t.width / 2, right: t.x + t.width / 2 }))
      .sort((a, b) => a.left - b.left);
  });
}

// Whether the last line of the log box is inside the box's visible part.
export function logShowsNewestLine(page) {
  return page.evaluate(() => {
    const log = document.getElementById('log');
    const text = log.firstChild;
    if (!text || !text.textContent.trim()) return false;
    const end = text.textContent.trimEnd().length;
    const range = document.createRange();
    range.setStart(text, text.textContent.lastIndexOf('\n', end - 1) + 1);
    range.setEnd(text, end);
    const line = range.getBoundingClientRect();
    const box = log.getBoundingClientRect();
    return line.height > 0 && line.top >= box.top && line.bottom <= box.bottom;
  });
}
