// Entry point. Loads the page's code and, should anything go wrong later, shows it on the
// page instead of leaving a silent console error: the controls come back, the run stops.
// Once the page runs, it also makes new runs possible offline (see sw.js).

const status = document.getElementById('status');

function showFailure(text) {
  status.dataset.state = 'error';
  status.textContent = text;
}

// What an open page fetches again for a new run: the files every new training worker loads
// (worker.js and what it imports; runs start fresh workers, since ending them is how Stop
// works and how their memory is freed), and the icon, which the browser fetches again when
// the run's parameters change the URL. Keep this list in step with worker.js's imports.
const OFFLINE_FILES = ['worker.js', 'pkg/ayla.js', 'pkg/ayla_bg.wasm', 'favicon.svg'];
// The cache sw.js answers from while the browser is offline.
const OFFLINE_CACHE = 'ayla-offline';

async function start() {
  // Which part failed decides what the user is told.
  let part = 'code';
  try {
    const wasm = await import('./pkg/ayla.js');
    part = 'wasm';
    // The same (memoised) initialisation the controller awaits; done here first so that a
    // module that cannot be fetched or compiled is named as such.
    await wasm.default();
    part = 'code';
    const controller = await import('./controller.js');
    part = 'boot';
    const report = (detail) => controller.fail(`Something went wrong: ${detail}. The run was stopped; you can start again.`);
    addEventListener('error', (event) => report(event.message));
    addEventListener('unhandledrejection', (event) => report(event.reason?.message ?? String(event.reason)));
    await controller.boot();
  } catch (error) {
    showFailure(startFailure(part, error));
    return;
  }
  keepForOffline();
}

function startFailure(part, error) {
  const detail = String(error?.message ?? error).replace(/\.$/, '');
  const advice = navigator.onLine
    ? 'Reload the page to try again; if you serve a fresh checkout, build it first (make build).'
    : 'The browser is offline: reconnect, then reload the page.';
  switch (part) {
    case 'wasm':
      return `The page could not start: its WebAssembly module (pkg/ayla_bg.wasm) could not be loaded (${detail}). ${advice}`;
    case 'code':
      return `The page could not start: part of its code could not be loaded (${detail}). ${advice}`;
    default:
      return `The page could not start: ${detail}. Reload the page to try again.`;
  }
}

// Registers sw.js and refreshes the copies of the files it serves offline, on every load,
// so they always match the page that is open. Best effort: where service workers are
// unavailable (an insecure origin, some private modes) a new run simply needs the network,
// as it would without this. Once the page can start runs offline, <html> gets
// data-offline="ready" (for tests and the curious; nothing depends on it).
async function keepForOffline() {
  if (!('serviceWorker' in navigator) || !globalThis.caches) return;
  try {
    const { serviceWorker } = navigator;
    await serviceWorker.register('./sw.js');
    const cache = await caches.open(OFFLINE_CACHE);
    await cache.addAll(OFFLINE_FILES);
    await serviceWorker.ready;
    if (!serviceWorker.controller) {
      await new Promise((resolve) => serviceWorker.addEventListener('controllerchange', resolve, { once: true }));
    }
    document.documentElement.dataset.offline = 'ready';
  } catch {
    // Offline runs are an extra; the page works online without them.
  }
}

start();
