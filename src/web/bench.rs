//! `make bench`, browser half: the same kernel, step and epoch figures as the native
//! bench, measured inside Chromium's wasm engine (called by `scripts/bench.mjs`).

use std::sync::Arc;

use wasm_bindgen::prelude::*;

use crate::bench;
use crate::mnist::Dataset;
use crate::shape::Hidden;
use crate::web::js::{to_js, JsImageFile};

use crate::web::clock::seconds as clock;

/// Dense-equivalent floating-point operations of one epoch of one method with one hidden
/// layer of `hidden` units (see `model::epoch_flops`), for the page benchmark's GFLOP/s.
#[wasm_bindgen]
pub fn epoch_flops(train: usize, test: usize, hidden: usize) -> f64 {
    crate::model::epoch_flops(train, test, Hidden::one(hidden))
}

/// Runs the benchmark groups named in `only` (comma-separated, see `bench::GROUPS`; all
/// of them if empty) on the four IDX files and returns `[{name, value, unit}, …]`.
#[wasm_bindgen]
pub fn run_benchmarks(
    only: &str,
    train_images: &js_sys::Uint8Array,
    train_labels: Vec<u8>,
    test_images: &js_sys::Uint8Array,
    test_labels: Vec<u8>,
) -> Result<JsValue, JsError> {
    let load = |images, labels| {
        Dataset::from_idx_file(&JsImageFile(images), labels)
            .map(Arc::new)
            .map_err(|e| JsError::new(&e.to_string()))
    };
    let train = load(train_images, train_labels)?;
    let test = load(test_images, test_labels)?;
    to_js(&bench::run_groups(only, clock, &train, &test))
}
