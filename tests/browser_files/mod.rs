//! The repository's files in the browser tests. wasm-bindgen-test-runner serves its working
//! directory, which under `cargo test` is the crate's root, beside the test page; so a test
//! running in the browser fetches `www/data/…` (MNIST, put there by `make build`) and
//! `tests/golden/…` by their paths, and reads the same bytes as the native tests.
#![allow(dead_code)] // each test binary uses its own subset

use std::cell::RefCell;
use std::sync::Arc;

use ayla::mnist::{self, Dataset};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

#[wasm_bindgen]
extern "C" {
    /// The global `fetch`, the same in a page and in a worker.
    #[wasm_bindgen(js_name = fetch)]
    fn fetch_path(path: &str) -> js_sys::Promise;
}

/// The bytes of a file of the repository, by its path from the crate's root.
pub async fn read(path: &str) -> Vec<u8> {
    let url = format!("/{path}");
    let response: web_sys::Response = JsFuture::from(fetch_path(&url))
        .await
        .unwrap_or_else(|e| panic!("fetching {url} failed: {e:?}"))
        .dyn_into()
        .expect("fetch resolves to a Response");
    assert!(
        response.ok(),
        "{path} is missing (the test runner answered {}): run `make build` first, which \
         copies MNIST into www/data/",
        response.status()
    );
    let body = response.array_buffer().expect("a body to read");
    let buffer = JsFuture::from(body).await.expect("the body arrives");
    js_sys::Uint8Array::new(&buffer).to_vec()
}

async fn dataset(images: &str, labels: &str) -> Arc<Dataset> {
    let images = read(&format!("www/data/{images}")).await;
    let labels = read(&format!("www/data/{labels}")).await;
    Arc::new(Dataset::from_idx(images, labels).expect("valid MNIST"))
}

thread_local! {
    /// MNIST once per test binary: its tests share one wasm instance.
    static MNIST: RefCell<Option<(Arc<Dataset>, Arc<Dataset>)>> = const { RefCell::new(None) };
}

/// Real MNIST: the 60,000 training and the 10,000 test images.
pub async fn mnist() -> (Arc<Dataset>, Arc<Dataset>) {
    if let Some(sets) = MNIST.with_borrow(Clone::clone) {
        return sets;
    }
    let sets = (
        dataset(mnist::TRAIN_IMAGES, mnist::TRAIN_LABELS).await,
        dataset(mnist::TEST_IMAGES, mnist::TEST_LABELS).await,
    );
    MNIST.set(Some(sets.clone()));
    sets
}

/// A file of `tests/golden/`.
pub async fn golden(name: &str) -> Vec<u8> {
    read(&format!("tests/golden/{name}")).await
}
