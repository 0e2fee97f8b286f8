// Shared by the end-to-end tests and the full-run script: a static server for www/ on a
// free loopback port (like any plain host: no special headers) and headless Chromium.

import { createReadStream } from 'node:fs';
import { mkdir, stat } from 'node:fs/promises';
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

// Serves www/; resolves to { base, close }.
export async function serveWww() {
  const server = http.createServer(async (request, response) => {
    const path = decodeURIComponent(new URL(request.url, 'http://x').pathname);
    if (path.includes('..')) return response.writeHead(400).end();
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

// Resolves when #status has the given data-state.
export function waitForState(page, wanted, timeout = 90_000) {
  return page.waitForFunction((w) => document.getElementById('status').dataset.state === w, wanted, {
    timeout,
  });
}
