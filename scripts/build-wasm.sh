#!/usr/bin/env bash
# Turns the release wasm from cargo into the page's www/pkg/ (or OUT_DIR: make bench builds
# its own, with the benchmarks, in target/bench-pkg/): wasm-bindgen glue for
# `import init from './pkg/ayla.js'`, then wasm-opt -O3, then a check that it still loads.
# Usage: scripts/build-wasm.sh path/to/ayla.wasm [OUT_DIR]
set -euo pipefail
# shellcheck source=scripts/env.sh
. "$(dirname "$0")/env.sh"

raw=${1:?usage: $0 path/to/ayla.wasm [OUT_DIR]}
out=${2:-www/pkg}
tmp=$out.tmp # built aside, then swapped in, so a failed build leaves the old one
rm -rf "$tmp"
trap 'rm -rf "$tmp"' EXIT

wasm-bindgen --target web --out-dir "$tmp" "$raw"

# npm binaryen's wasm-opt (v132). Not Debian's wasm-opt 108: it corrupts wasm-bindgen output.
# The features are those rustc's wasm32 target emits by default, plus simd128 from
# .cargo/config.toml; wasm-opt must accept every one or it rejects (or mangles) the module.
node_modules/.bin/wasm-opt -O3 \
  --enable-simd --enable-bulk-memory --enable-bulk-memory-opt --enable-sign-ext \
  --enable-nontrapping-float-to-int --enable-mutable-globals --enable-reference-types \
  --enable-multivalue --enable-call-indirect-overlong \
  "$tmp/ayla_bg.wasm" -o "$tmp/ayla_bg.opt.wasm"

node scripts/check-wasm.mjs "$tmp/ayla.js" "$tmp/ayla_bg.wasm" "$tmp/ayla_bg.opt.wasm"
echo "wasm: $(stat -c %s "$tmp/ayla_bg.wasm") bytes after wasm-bindgen, $(stat -c %s "$tmp/ayla_bg.opt.wasm") after wasm-opt"
mv "$tmp/ayla_bg.opt.wasm" "$tmp/ayla_bg.wasm"

rm -rf "$out"
mv "$tmp" "$out"
