# Two commands for a newcomer: `make serve` (set up, build, serve the page) and
# `make test` (set up, run every test). Set-up steps are idempotent and skipped quickly
# when already done; scripts/ holds the details.

PORT ?= 8080
# Same target directory as cargo uses.
TARGET_DIR := $(or $(CARGO_TARGET_DIR),target)
WASM := $(TARGET_DIR)/wasm32-unknown-unknown/release/ayla.wasm
PKG := www/pkg/ayla_bg.wasm
RUST_SRC := $(shell find src -name '*.rs') Cargo.toml Cargo.lock .cargo/config.toml $(wildcard build.rs)
NPM_STAMP := node_modules/.installed
BENCH_WASM := $(TARGET_DIR)/wasm32-unknown-unknown/wasm-bench/ayla.wasm
BENCH_PKG := $(TARGET_DIR)/bench-pkg/ayla_bg.wasm
TFJS_STAMP := benches/tfjs/node_modules/.installed

# `cargo install` puts wasm-bindgen here.
export PATH := $(or $(CARGO_INSTALL_ROOT),$(CARGO_HOME),$(HOME)/.cargo)/bin:$(PATH)

.PHONY: serve build test bench clean distclean setup setup-rust setup-data setup-browser
.DELETE_ON_ERROR:

## serve: set up, build, and serve www/ at http://127.0.0.1:$(PORT)/
serve: build
	@echo "Serving the page at http://127.0.0.1:$(PORT)/  (Ctrl-C to stop)"
	python3 -m http.server --bind 127.0.0.1 $(PORT) -d www

## build: a deployable static www/ (page, www/pkg/ wasm + glue, www/vendor/ idb, www/data/
## MNIST and its .gz copies, www/build.js naming the build for the service worker)
build: setup $(PKG)
	@node scripts/stamp-build.mjs

## test: set up (plus the browsers), then fmt, clippy, native, browser and end-to-end tests
## (BROWSERS=chromium or BROWSERS=firefox: the browser tests in that engine alone)
test: setup setup-browser
	@scripts/test.sh

## bench: speed figures (native, wasm in Chromium, the real page, TensorFlow.js) → target/bench.json
bench: build setup-browser $(BENCH_PKG) $(TFJS_STAMP)
	@BENCH_PKG_DIR=$(dir $(BENCH_PKG)) node scripts/bench.mjs

## slurm-test: a sweep as Slurm array jobs on a one-node cluster started here (root: installs
## slurm-wlm and munge if missing), checked against the same sweep run locally
.PHONY: slurm-test
slurm-test: setup
	@scripts/slurm-test.sh

## fuzz: fuzz the IDX reader for $(FUZZ_SECONDS) s with cargo-fuzz (needs the nightly toolchain)
FUZZ_SECONDS ?= 600
.PHONY: fuzz
fuzz:
	@rustup run nightly cargo --version >/dev/null 2>&1 || { echo "make fuzz needs the nightly \
	Rust toolchain (cargo-fuzz builds with sanitizers): rustup toolchain install nightly"; exit 1; }
	@command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz
	@mkdir -p fuzz/corpus/idx
	@echo "Fuzzing the IDX reader for $(FUZZ_SECONDS) s (nightly toolchain); grown corpus in \
	fuzz/corpus/idx, crashing inputs in fuzz/artifacts/idx"
	cargo +nightly fuzz run idx fuzz/corpus/idx fuzz/seeds/idx -- \
		-max_total_time=$(FUZZ_SECONDS) -print_final_stats=1

setup: setup-rust setup-data

setup-rust:
	@scripts/setup.sh rust

$(NPM_STAMP): package.json package-lock.json
	@scripts/setup.sh npm

setup-data: $(NPM_STAMP)
	@scripts/setup.sh data

setup-browser:
	@scripts/setup.sh browser

# Cargo decides itself what to recompile; the touch lets make see that it ran.
$(WASM): $(RUST_SRC) | setup-rust
	cargo build --release --target wasm32-unknown-unknown --lib
	@touch $@

# A source deleted or renamed since this Makefile was read just means "rebuild".
$(RUST_SRC):

$(PKG): $(WASM) $(NPM_STAMP) scripts/build-wasm.sh scripts/check-wasm.mjs
	@scripts/build-wasm.sh $(WASM)

# make bench's own wasm: the page's code plus the benchmarks (the `bench` feature), built
# with its own cargo profile so the page's build is left as it is.
$(BENCH_WASM): $(RUST_SRC) | setup-rust
	cargo build --profile wasm-bench --target wasm32-unknown-unknown --lib --features bench
	@touch $@

$(BENCH_PKG): $(BENCH_WASM) $(NPM_STAMP) scripts/build-wasm.sh scripts/check-wasm.mjs
	@scripts/build-wasm.sh $(BENCH_WASM) $(TARGET_DIR)/bench-pkg

# TensorFlow.js, for make bench's comparison only (its own npm project: ~300 MB that
# make build and make test never need).
$(TFJS_STAMP): benches/tfjs/package.json benches/tfjs/package-lock.json
	npm ci --prefix benches/tfjs --no-audit --no-fund
	@touch $@

## clean: remove build outputs (keeps the downloads: node_modules/, www/data/)
clean:
	cargo clean
	rm -rf www/pkg www/pkg.tmp www/vendor www/build.js

## distclean: also remove the downloads
distclean: clean
	rm -rf node_modules www/data benches/tfjs/node_modules
