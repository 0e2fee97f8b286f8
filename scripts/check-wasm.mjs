// Checks that wasm-opt did not break the module: instantiates the wasm-bindgen output before
// and after optimisation through the generated `--target web` glue (as the page does), and
// requires both to load — or, if the crate's start code needs a browser, to fail the same way.
// (Debian's wasm-opt 108 produced modules that validate but fail at instantiation, so merely
// compiling is not enough.)
// Usage: node scripts/check-wasm.mjs GLUE.js BEFORE.wasm AFTER.wasm
import { readFile } from 'node:fs/promises';
import { pathToFileURL } from 'node:url';

const [glue, before, after] = process.argv.slice(2);

async function load(wasmPath, tag) {
  const bytes = await readFile(wasmPath);
  try {
    await WebAssembly.compile(bytes); // validation: every feature the module uses is enabled
  } catch (e) {
    return `does not compile: ${e.message}`;
  }
  // A fresh copy of the glue for each module (the query string makes it a new ES module).
  const url = pathToFileURL(glue).href + `?${tag}`;
  try {
    const js = await import(url);
    js.initSync({ module: bytes });
    return 'ok';
  } catch (e) {
    return `fails to instantiate: ${e && e.message}`;
  }
}

const want = await load(before, 'before');
const got = await load(after, 'after');
if (got !== want) {
  console.error(`check-wasm: ${after} is broken by the optimiser.`);
  console.error(`  before wasm-opt: ${want}\n  after wasm-opt:  ${got}`);
  process.exit(1);
}
if (got !== 'ok') {
  console.log(`check-wasm: note: neither module loads in Node (${got}); same before and after wasm-opt.`);
} else {
  console.log(`check-wasm: ${after} loads.`);
}
