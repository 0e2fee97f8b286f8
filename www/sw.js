// The page's service worker. It keeps one build of the page — its HTML, scripts, styles,
// icon and WebAssembly, as listed in build.js (written by `make build`) — in a cache named
// for that build, and serves them from there: the page opens and trains with the network
// off, and a page and its workers always run the files of one build, never a mix.
//
// A new build installs beside the old one and waits until no page of the old one is open,
// or until a page asks it to take over (its user chose to reload); on taking over it drops
// the older builds' caches. The MNIST files are not handled here: the page keeps them
// itself, verified (data-cache.js). Anything not in the build goes to the network as if
// there were no service worker.

importScripts('./build.js');

const PREFIX = 'ayla-page-';
const CACHE = `${PREFIX}${self.BUILD.version}`;
// The cache of the builds before this scheme.
const LEGACY = 'ayla-offline';

const scope = self.registration.scope;
const kept = new Set(self.BUILD.files.map((file) => new URL(file, scope).href));

self.addEventListener('install', (event) => {
  event.waitUntil(
    (async () => {
      const cache = await caches.open(CACHE);
      // From the server, not the HTTP cache: the files must be this build's.
      await cache.addAll(self.BUILD.files.map((file) => new Request(file, { cache: 'reload' })));
      // The first build takes over at once; a later one waits (see above).
      if (!self.registration.active) await self.skipWaiting();
    })(),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    (async () => {
      for (const name of await caches.keys()) {
        if ((name.startsWith(PREFIX) && name !== CACHE) || name === LEGACY) await caches.delete(name);
      }
      await self.clients.claim();
    })(),
  );
});

// The page asks a waiting build to take over when its user chose to reload into it.
self.addEventListener('message', (event) => {
  if (event.data === 'take-over') self.skipWaiting();
});

self.addEventListener('fetch', (event) => {
  const { request } = event;
  const url = new URL(request.url);
  // A visit to the page, whatever its query (the run's parameters), gets this build's page.
  const page = request.mode === 'navigate' && (url.href.split('?')[0] === scope || url.pathname.endsWith('/index.html'));
  const key = page ? scope : url.href;
  if (request.method !== 'GET' || !kept.has(key)) return;
  event.respondWith(
    caches
      .open(CACHE)
      .then((cache) => cache.match(key))
      // Missing from the cache (cleared by the browser): the network, as without a worker.
      .then((hit) => hit ?? fetch(request)),
  );
});
