// The page's service worker: it lets a page that is already open start new runs while the
// browser is offline. Every run starts fresh workers, which load worker.js, pkg/ayla.js and
// pkg/ayla_bg.wasm again; main.js puts copies of those (and of the icon) in the cache below
// each time the page loads. The MNIST files stay in the page's memory once downloaded.
//
// While the browser is online this worker does nothing: requests go to the network exactly
// as they would without it, so what runs is always what the server has, and nothing is
// served from a stale copy.

const CACHE = 'ayla-offline';

self.addEventListener('install', () => self.skipWaiting());

// Take over the page that registered it, so its next run is covered without a reload.
self.addEventListener('activate', (event) => event.waitUntil(self.clients.claim()));

self.addEventListener('fetch', (event) => {
  if (navigator.onLine) return;
  // Anything not kept (a navigation, the data files) fails as it would without this worker.
  event.respondWith(
    caches
      .open(CACHE)
      .then((cache) => cache.match(event.request))
      .then((kept) => kept ?? fetch(event.request)),
  );
});
