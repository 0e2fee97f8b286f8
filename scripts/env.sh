# Sourced by the other scripts: common settings and helpers.
# shellcheck shell=bash

# Run from the repository root whatever the caller's directory.
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT" || exit

# `cargo install` puts wasm-bindgen here; a fresh shell may not have it on PATH yet.
export PATH="${CARGO_INSTALL_ROOT:-${CARGO_HOME:-$HOME/.cargo}}/bin:$PATH"

say() { printf '==> %s\n' "$*"; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }
