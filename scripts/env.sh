# Sourced by the other scripts: common settings and helpers.
# shellcheck shell=bash

# Run from the repository root whatever the caller's directory.
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT" || exit

# `cargo install` puts wasm-bindgen here; a fresh shell may not have it on PATH yet.
export PATH="${CARGO_INSTALL_ROOT:-${CARGO_HOME:-$HOME/.cargo}}/bin:$PATH"

say() { printf '==> %s\n' "$*"; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# The browser engines that the browser and end-to-end tests use, from BROWSERS
# ("chromium firefox" by default; "firefox" or "chromium" for one alone; commas allowed),
# into the array ENGINES.
read_browsers() {
  local engine list=${BROWSERS:-chromium firefox}
  ENGINES=()
  for engine in ${list//,/ }; do
    case $engine in
      chromium | firefox) ENGINES+=("$engine") ;;
      *) die "BROWSERS: unknown engine '$engine' (chromium and firefox are tested)" ;;
    esac
  done
  [ ${#ENGINES[@]} -gt 0 ] || die "BROWSERS is empty: name chromium, firefox or both."
}
