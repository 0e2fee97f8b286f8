#!/usr/bin/env bash
# Runs every check in order. A failing step does not stop the others (nor does a failing
# test binary stop `cargo test`: --no-fail-fast), so the summary at the end is complete;
# the last line is "N passed, N failed" and the exit code is 1 if any failed.
# Set-up (tools, data, browsers) is done before this by `make test`.
#
# BROWSERS (default "chromium firefox") names the engines the browser and end-to-end tests
# run in: `make test BROWSERS=firefox` runs them in Firefox alone.
set -uo pipefail
# shellcheck source=scripts/env.sh
. "$(dirname "$0")/env.sh"

# Tests find MNIST here unless told otherwise; `make` has filled www/data.
export MNIST_DIR="${MNIST_DIR:-$ROOT/www/data}"
# The capabilities of both engines (webdriver.json: Chromium's flags for this machine, root
# and a closed network; Firefox's binary).
export WASM_BINDGEN_TEST_WEBDRIVER_JSON="$ROOT/webdriver.json"
read_browsers
CHROMEDRIVER="${CHROMEDRIVER:-/usr/bin/chromedriver}"
GECKODRIVER="${GECKODRIVER:-$(command -v geckodriver)}"

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
fail() { failed=$((failed + 1)) summary+=("  FAIL  $1: $2"); say "[$1] failed: $2"; }
skip() { summary+=("  SKIP  $1: $2"); say "[$1] skipped: $2"; }

# The wasm test runner takes the first driver it is given, geckodriver before chromedriver,
# so each engine's run is given its own driver only.
wasm_tests() {
  case $1 in
    chromium) env -u GECKODRIVER CHROMEDRIVER="$CHROMEDRIVER" cargo test --target wasm32-unknown-unknown --no-fail-fast ;;
    firefox) env -u CHROMEDRIVER GECKODRIVER="$GECKODRIVER" cargo test --target wasm32-unknown-unknown --no-fail-fast ;;
  esac
}

step fmt cargo fmt --check
step clippy cargo clippy --all-targets --all-features -- -D warnings
step clippy-wasm cargo clippy --target wasm32-unknown-unknown --all-targets --all-features -- -D warnings
# Not --release: Cargo.toml's dev profile already optimises (deps at -O3), and the release
# profile's LTO re-links every test binary (measured: ~7.5 min vs ~2 min to rebuild after
# a change, for ~30 s more test time).
step test-native cargo test --no-fail-fast
step slurm-test scripts/slurm-test.sh
for engine in "${ENGINES[@]}"; do
  step "test-wasm-$engine" wasm_tests "$engine"
done
before=$failed
step build "${MAKE:-make}" --no-print-directory build
built=$([ "$failed" = "$before" ] && echo yes)
# The end-to-end tests serve www/ themselves, so they need the build just made.
for engine in "${ENGINES[@]}"; do
  if ! compgen -G 'tests/e2e/*.test.mjs' >/dev/null; then
    fail "test-e2e-$engine" "no tests/e2e/*.test.mjs found"
  elif [ -z "$built" ]; then
    skip "test-e2e-$engine" "the build failed"
  else
    step "test-e2e-$engine" env BROWSERS="$engine" node --test tests/e2e/
  fi
done

echo
say "summary"
printf '%s\n' "${summary[@]}"
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
