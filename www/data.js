// Getting the four IDX files into the page: MNIST from this site, streamed with a progress
// report, or files the user picks (read locally; they never leave the browser). Rust
// checks them once (src/mnist.rs) and they are kept for the next runs as Blobs: a Blob is
// handed to a worker without a copy, and each worker reads its own, off the page's thread.

import { check_dataset, data_files } from './pkg/ayla.js';

// A problem with the data, worded for the user.
export class DataError extends Error {}

// { label, buffers: Blob[4] in data_files() order, sizes: { train, test } }
let current = null;

// The dataset of the next run: the one already loaded, or MNIST fetched from `data/`.
// `onProgress(received, total)` follows the download (total 0 while unknown).
export async function dataset(onProgress, signal) {
  if (current) return current;
  const names = data_files();
  const received = names.map(() => 0);
  const totals = names.map(() => 0);
  const report = () => onProgress(sum(received), sum(totals));
  const buffers = await Promise.all(
    names.map((name, i) =>
      download(`data/${name}`, signal, (bytes, total) => {
        received[i] = bytes;
        totals[i] = total;
        report();
      }),
    ),
  );
  return keep('MNIST', buffers);
}

// Uses four files the user picked (gzip or not) for the following runs.
export async function useFiles(fileList) {
  const names = data_files();
  const files = names.map(() => null);
  for (const file of fileList) {
    const role = roleOf(file.name);
    if (role >= 0) files[role] = file;
  }
  const missing = names.filter((_, i) => !files[i]);
  if (fileList.length !== 4 || missing.length) {
    const problem = missing.length ? `Missing: ${missing.join(', ')}.` : `${fileList.length} were picked.`;
    throw new DataError(
      `Pick the four IDX files of a dataset, named like ${names.join(', ')} (.gz is fine). ${problem}`,
    );
  }
  const buffers = await Promise.all(files.map(readLocal));
  return keep(`your files (${files.map((f) => f.name).join(', ')})`, buffers);
}

// `{train, test}` image counts of the data loaded, or null before any is.
export const loadedSizes = () => current?.sizes ?? null;

// Goes back to MNIST from this site for the next run.
export function useMnist() {
  current = null;
}

// Index in data_files() order of a file named like the standard ones (train/t10k or
// test, images/labels), or -1.
function roleOf(fileName) {
  const name = fileName.toLowerCase();
  const labels = name.includes('label');
  if (!labels && !name.includes('image')) return -1;
  const test = name.includes('t10k') || name.includes('test');
  return (test ? 2 : 0) + (labels ? 1 : 0);
}

function keep(label, buffers) {
  let sizes;
  try {
    sizes = check_dataset(...buffers.map((b) => new Uint8Array(b)));
  } catch (error) {
    throw new DataError(`The ${label === 'MNIST' ? 'MNIST files are' : 'files are'} not usable. ${error.message}`);
  }
  current = { label, buffers: buffers.map((b) => new Blob([b])), sizes };
  return current;
}

async function download(url, signal, onBytes) {
  let response;
  try {
    response = await fetch(url, { signal });
  } catch (error) {
    if (error.name === 'AbortError') throw error;
    throw new DataError(`Could not download ${url}: the network request failed. Check the connection and try again, or use your own files.`);
  }
  if (!response.ok) {
    const hint =
      response.status === 404
        ? ' The MNIST files are not on this server (`make build` puts them in www/data/); you can also use your own files.'
        : '';
    throw new DataError(`Could not download ${url}: the server answered ${response.status} ${response.statusText}.${hint}`);
  }
  const total = Number(response.headers.get('Content-Length')) || 0;
  try {
    return await readAll(response.body, (bytes) => onBytes(bytes, total));
  } catch (error) {
    if (error.name === 'AbortError') throw error;
    throw new DataError(`The download of ${url} was interrupted. Try again.`);
  }
}

// Reads a byte stream to one ArrayBuffer, reporting the bytes so far after each chunk.
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
  const bytes = new Uint8Array(length);
  let at = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, at);
    at += chunk.length;
  }
  return bytes.buffer;
}

// A picked file's bytes, gunzipped if they start with the gzip magic number.
async function readLocal(file) {
  const head = new Uint8Array(await file.slice(0, 2).arrayBuffer());
  if (head[0] !== 0x1f || head[1] !== 0x8b) return file.arrayBuffer();
  try {
    return await new Response(file.stream().pipeThrough(new DecompressionStream('gzip'))).arrayBuffer();
  } catch {
    throw new DataError(`${file.name} looks gzipped but could not be decompressed.`);
  }
}

const sum = (values) => values.reduce((a, b) => a + b, 0);
