// Getting the four IDX files into the page: MNIST from this site (downloaded once,
// verified and kept in this browser: data-cache.js), or files the user picks (read
// locally; they never leave the browser). Rust checks them once (src/mnist.rs) and they
// are kept for the next runs as Blobs: a Blob is handed to a worker without a copy, and
// each worker reads its own, off the page's thread.

import { check_dataset, data_files } from './pkg/ayla.js';
import { gunzipped, loadMnist, sha256 } from './data-cache.js';
import { DataError } from './data-error.js';

export { DataError };

// { label, buffers: Blob[4] in data_files() order, sizes: { train, test },
//   identity: { name, sha256: [4 sums] }, downloaded: bytes fetched, note: a storage
//   problem to tell, or null }
let current = null;

// The dataset of the next run: the one already loaded, or MNIST (kept or downloaded).
// `onProgress(received, total)` follows a download (total 0 while unknown).
export async function dataset(onProgress, signal) {
  if (current) return current;
  const { buffers, identity, downloaded, note } = await loadMnist(onProgress, signal);
  return keep('MNIST', buffers, identity, { downloaded, note });
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
  const buffers = await Promise.all(files.map((file) => gunzipped(file, file.name)));
  const label = `your files (${files.map((f) => f.name).join(', ')})`;
  const identity = { name: label, sha256: await Promise.all(buffers.map(sha256)) };
  return keep(label, buffers, identity);
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

function keep(label, buffers, identity, { downloaded = 0, note = null } = {}) {
  let sizes;
  try {
    sizes = check_dataset(...buffers.map((b) => new Uint8Array(b)));
  } catch (error) {
    throw new DataError(`The ${label === 'MNIST' ? 'MNIST files are' : 'files are'} not usable. ${error.message}`);
  }
  current = { label, buffers: buffers.map((b) => new Blob([b])), sizes, identity, downloaded, note };
  return current;
}
