// MNIST from this site, downloaded once. Each file is fetched gzip-compressed
// (data/<name>.gz, about 11 MB for the four instead of 55 MB), decompressed with the
// browser's DecompressionStream, and checked against its SHA-256 with Web Crypto (the sums
// live in Rust, src/mnist.sha256). A verified download is kept in Cache Storage, so later
// visits read it from this browser whatever the host's cache headers say; a kept copy is
// verified again before each use. Where the browser keeps nothing (a private window, a
// full quota) the files are still used, and the caller is told they were not kept.

import { mnist_files } from './pkg/ayla.js';
import { DataError } from './data-error.js';

const CACHE = 'ayla-data';

// MNIST's four IDX files: { buffers (ArrayBuffer[4] in DATA_FILES order), identity: {name,
// sha256: [4 sums]}, downloaded (bytes fetched), note (why they were not kept, or null) }.
// `onProgress(received, total)` follows the download in compressed bytes (total 0 while
// unknown); a visit that finds every file kept downloads nothing.
export async function loadMnist(onProgress, signal) {
  const { name, files } = mnist_files();
  const { cache, note: unavailable } = await openCache();
  let note = unavailable;
  if (cache) await dropOthers(cache, files);
  const received = files.map(() => 0);
  const totals = files.map(() => 0);
  const buffers = await Promise.all(
    files.map(async (file, i) => {
      const kept = cache && (await readKept(cache, file));
      if (kept) return kept;
      const bytes = await download(file, signal, (count, total) => {
        received[i] = count;
        totals[i] = total;
        onProgress(sum(received), sum(totals));
      });
      const idx = await verified(file, bytes);
      if (cache) note = (await keep(cache, file, bytes)) ?? note;
      return idx;
    }),
  );
  return { buffers, identity: { name, sha256: files.map((f) => f.sha256) }, downloaded: sum(received), note };
}

// The file's bytes, decompressed if they start with gzip's magic number (a picked `.gz`, a
// download, or a host that sent the file already decompressed: IDX files never start so).
export async function gunzipped(blob, label) {
  const head = new Uint8Array(await blob.slice(0, 2).arrayBuffer());
  if (head[0] !== 0x1f || head[1] !== 0x8b) return blob.arrayBuffer();
  try {
    return await new Response(blob.stream().pipeThrough(new DecompressionStream('gzip'))).arrayBuffer();
  } catch {
    throw new DataError(`${label} looks gzipped but could not be decompressed: the file is damaged or cut short.`);
  }
}

// The SHA-256 of `bytes`, as 64 lowercase hex digits.
export async function sha256(bytes) {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
  return Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('');
}

const url = (file) => `data/${file.name}.gz`;
// Kept under the sum they were verified against: new data on the site is a new key.
const key = (file) => `${url(file)}?sha256=${file.sha256}`;

async function openCache() {
  try {
    return { cache: await caches.open(CACHE), note: null };
  } catch (error) {
    return { cache: null, note: `This browser does not let the page keep the data (${error?.message ?? 'no Cache Storage'}), so it is downloaded again on each visit.` };
  }
}

// Drops kept copies of other data (an older build's files).
async function dropOthers(cache, files) {
  const wanted = new Set(files.map((file) => new URL(key(file), location.href).href));
  for (const request of await cache.keys()) {
    if (!wanted.has(request.url)) await cache.delete(request);
  }
}

// A kept copy, verified; null if there is none or it no longer verifies (then it is dropped).
async function readKept(cache, file) {
  const response = await cache.match(key(file));
  if (!response) return null;
  try {
    return await verified(file, await response.blob());
  } catch {
    await cache.delete(key(file));
    return null;
  }
}

// Keeps a verified download; returns why it could not, or null.
async function keep(cache, file, bytes) {
  try {
    await cache.put(key(file), new Response(bytes));
    return null;
  } catch (error) {
    const full = error?.name === 'QuotaExceededError';
    return full
      ? 'The browser’s storage for this page is full, so MNIST was not kept: it is downloaded again on the next visit.'
      : `MNIST could not be kept in this browser (${error?.message ?? error}), so it is downloaded again on the next visit.`;
  }
}

// The IDX bytes of a download or kept copy, once they match the file's SHA-256.
async function verified(file, blob) {
  const idx = await gunzipped(blob, url(file));
  if ((await sha256(idx)) !== file.sha256) {
    throw new DataError(
      `${url(file)} does not match MNIST’s SHA-256 checksum: the server has another file, or it was damaged on the way. Try again, or use your own files.`,
    );
  }
  return idx;
}

// The body of data/<name>.gz as a Blob, reporting the bytes received so far.
async function download(file, signal, onBytes) {
  const address = url(file);
  let response;
  try {
    response = await fetch(address, { signal });
  } catch (error) {
    if (error.name === 'AbortError') throw error;
    throw new DataError(`Could not download ${address}: the network request failed. Check the connection and try again, or use your own files.`);
  }
  if (!response.ok) {
    const hint =
      response.status === 404
        ? ' The MNIST files are not on this server (`make build` puts them in www/data/); you can also use your own files.'
        : '';
    throw new DataError(`Could not download ${address}: the server answered ${response.status} ${response.statusText}.${hint}`);
  }
  const total = Number(response.headers.get('Content-Length')) || 0;
  try {
    return await readAll(response.body, (bytes) => onBytes(bytes, total));
  } catch (error) {
    if (error.name === 'AbortError') throw error;
    throw new DataError(`The download of ${address} was interrupted. Try again.`);
  }
}

// Reads a byte stream to one Blob, reporting the bytes so far after each chunk.
async function readAll(stream, onBytes) {
  const chunks = [];
  let length = 0;
  for (const reader = stream.getReader(); ; ) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    length += value.length;
    onBytes(length);
  }
  return new Blob(chunks);
}

const sum = (values) => values.reduce((a, b) => a + b, 0);
