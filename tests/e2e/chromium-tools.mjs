// Checks that need Chromium's own powers (the DevTools protocol, request interception),
// for the Chromium-only hardening tests and the memory script. Each takes a page from
// drivers/chromium.mjs and works on its playwright Page (`page.raw`).

import { readFile } from 'node:fs/promises';

// Records from now on what the page's Content-Security-Policy blocked (its
// `securitypolicyviolation` events and console messages about the policy) and every
// request that left `origin` (blob: and data: URLs stay in the browser). Call before the
// first navigation. Returns { violations: [], foreign: [] }, filled as things happen.
export async function watchPolicy(page, origin) {
  const seen = { violations: [], foreign: [] };
  const { raw } = page;
  await raw.exposeFunction('__reportCspViolation', (violation) => seen.violations.push(violation));
  await raw.addInitScript(() => {
    document.addEventListener(
      'securitypolicyviolation',
      (event) => window.__reportCspViolation(`${event.violatedDirective} blocked ${event.blockedURI || 'inline'} ${event.sample}`.trim()),
      true,
    );
  });
  raw.on('console', (message) => {
    if (/Content[- ]Security[- ]Policy/i.test(message.text())) seen.violations.push(`console: ${message.text()}`);
  });
  raw.context().on('request', (request) => {
    const url = new URL(request.url());
    if (!['blob:', 'data:'].includes(url.protocol) && url.origin !== origin) seen.foreign.push(request.url());
  });
  return seen;
}

// The page's JavaScript heap after a full garbage collection, in bytes: `heap` (objects)
// and `buffers` (ArrayBuffer backing stores: the kept data set, typed arrays).
export async function pageMemory(page) {
  const session = await page.raw.context().newCDPSession(page.raw);
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
export async function workerMemory({ raw }) {
  const pageSession = await raw.context().newCDPSession(raw);
  const { targetInfo: pageTarget } = await pageSession.send('Target.getTargetInfo');
  await pageSession.detach();
  const session = await raw.context().browser().newBrowserCDPSession();
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
// Takes the browser (drivers/chromium.mjs's launch()).
// Wasm memory lives outside every JavaScript heap, so this is where a worker's shows.
export async function rendererMemory({ raw }) {
  const session = await raw.newBrowserCDPSession();
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

export const MiB = (bytes) => `${(bytes / 2 ** 20).toFixed(2)} MiB`;
