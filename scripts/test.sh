#!/usr/bin/env bash
# Runs every check in order. A failing step does not stop the others, so the summary at the
# end is complete; the last line is "N passed, N failed" and the exit code is 1 if any failed.
# Set-up (tools, data, browser) is done before this by `make test`.
set -uo pipefail
# shellcheck source=scripts/env.sh
. "$(dirname "$0")/env.sh"

# Tests find MNIST here unless told otherwise; `make` has filled www/data.
export MNIST_DIR="${MNIST_DIR:-$ROOT/www/data}"
# The wasm test runner looks for geckodriver first unless told which driver to use;
# webdriver.json adds the Chromium flags this machine needs (root, closed network).
export CHROMEDRIVER="${CHROMEDRIVER:-/usr/bin/chromedriver}"
export WASM_BINDGEN_TEST_WEBDRIVER_JSON="$ROOT/webdriver.json"

passed=0 failed=0 summary=()
step() {
  local name=$1 start=$SECONDS
  shift
  say "[$name] $*"
  if "$@"; then
    passed=$((passed + 1)) summary+=("  PASS  $name ($((SECONDS - start))s)")
  else
    failed=$((failed + 1)) summary+=("  FAIL  $name ($((SECONDS - start))s)")
  fi
}
skip() { summary+=("  SKIP  $1: $2"); say "[$1] skipped: $2"; }

step fmt cargo fmt --check
step clippy cargo clippy --all-targets --all-features -- -D warnings
step clippy-wasm cargo clippy --target wasm32-unknown-unknown --all-targets --all-features -- -D warnings
# Not --release: Cargo.toml's dev profile already optimises (deps at -O3), and the release
# profile's LTO re-links every test binary (measured: ~7.5 min vs ~2 min to rebuild after
# a change, for ~30 s more test time).
step test-native cargo test
step slurm-test scripts/slurm-test.sh
step test-wasm cargo test --target wasm32-unknown-unknown
before=$failed
step build "${MAKE:-make}" --no-print-directory build
# The end-to-end tests serve www/ themselves, so they need the build just made.
if ! compgen -G 'tests/e2e/*.test.mjs' >/dev/null; then
  skip test-e2e "no tests/e2e/*.test.mjs yet"
elif [ "$failed" != "$before" ]; then
  skip test-e2e "the build failed"
else
  step test-e2e node --test tests/e2e/
fi

echo
say "summary"
printf '%s\n' "${summary[@]}"
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
