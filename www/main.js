// Entry point. Loads the page's code and, should anything go wrong later, shows it on the
// page instead of leaving a silent console error: the controls come back, the run stops.
// Once the page runs, it also keeps this build for visits without the network (see sw.js).

const status = document.getElementById('status');

function showFailure(text) {
  status.dataset.state = 'error';
  status.textContent = text;
}

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

// Registers sw.js, which keeps this build of the page for visits without the network (see
// there). Best effort: where service workers are unavailable (an insecure origin, some
// private modes) the page needs the network to open, as it would without this. Once this
// build is kept and serves the page, <html> gets data-offline="ready" (for tests and the
// curious; nothing depends on it). When a newer build is waiting, the page offers to reload
// into it.
async function keepForOffline() {
  if (!('serviceWorker' in navigator)) return;
  const { serviceWorker } = navigator;
  let registration;
  try {
    registration = await serviceWorker.register('./sw.js', { updateViaCache: 'none' });
  } catch {
    return; // Offline visits are an extra; the page works online without them.
  }
  if (!serviceWorker.controller) {
    await new Promise((resolve) => serviceWorker.addEventListener('controllerchange', resolve, { once: true }));
  }
  document.documentElement.dataset.offline = 'ready';
  offerUpdate(registration);
}

// A newer build installed while this page runs the old one: a button reloads into it.
function offerUpdate(registration) {
  const offer = () => {
    const waiting = registration.waiting;
    if (!waiting || !navigator.serviceWorker.controller) return;
    const note = document.getElementById('update');
    note.hidden = false;
    note.querySelector('button').onclick = () => {
      navigator.serviceWorker.addEventListener('controllerchange', () => location.reload(), { once: true });
      waiting.postMessage('take-over');
    };
  };
  offer();
  registration.addEventListener('updatefound', () => {
    const installing = registration.installing;
    installing?.addEventListener('statechange', () => installing.state === 'installed' && offer());
  });
}

start();
