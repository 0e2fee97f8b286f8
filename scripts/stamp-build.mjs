// The last step of `make build`: copies the page's one npm module (idb, the IndexedDB
// wrapper) into www/vendor/ (the page's policy takes scripts from its own site only), then
// writes www/build.js, which tells the service worker (www/sw.js) which files make this
// build of the page and names the build after their contents. A new build (any file
// changed) is a new cache: the browser installs it beside the old one, and a page never
// runs a mix of the two. Writes only what changed, so an unchanged build keeps its name.
// Usage: node scripts/stamp-build.mjs
import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const WWW = fileURLToPath(new URL('../www/', import.meta.url));
const require = createRequire(import.meta.url);

// Not kept by the service worker: the data (data-cache.js keeps it, verified), the service
// worker and this manifest (the browser checks those itself), type declarations.
const LEFT_OUT = [/^data\//, /^sw\.js$/, /^build\.js$/, /\.d\.ts$/, /^pkg\.tmp\//];

async function writeIfChanged(path, text) {
  const old = await readFile(path, 'utf8').catch(() => null);
  if (old !== text) await writeFile(path, text);
}

async function vendorIdb() {
  const { version, license } = require('idb/package.json');
  const source = await readFile(require.resolve('idb/build/index.js'), 'utf8');
  await mkdir(join(WWW, 'vendor'), { recursive: true });
  const header = `// idb ${version} (${license} licence, Jake Archibald), copied from npm by scripts/stamp-build.mjs.\n`;
  await writeIfChanged(join(WWW, 'vendor/idb.js'), header + source);
}

async function pageFiles(dir = WWW) {
  const files = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) files.push(...(await pageFiles(path)));
    else files.push(relative(WWW, path));
  }
  return files.filter((file) => !LEFT_OUT.some((pattern) => pattern.test(file))).sort();
}

await vendorIdb();
const files = await pageFiles();
// The build is named for everything it runs, the service worker included.
const hash = createHash('sha256');
for (const file of ['sw.js', ...files]) {
  hash.update(`${file}\0`);
  hash.update(await readFile(join(WWW, file)));
}
const version = hash.digest('hex').slice(0, 16);
// './' is the page as a visit asks for it (the address without index.html).
const build = { version, files: ['./', ...files] };
await writeIfChanged(
  join(WWW, 'build.js'),
  `// Written by scripts/stamp-build.mjs: this build of the page, for sw.js.\nself.BUILD = ${JSON.stringify(build, null, 2)};\n`,
);
console.log(`build ${version}: ${files.length} files for the service worker to keep`);
