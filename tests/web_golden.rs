#![cfg(target_arch = "wasm32")]
//! The 50-step references of `tests/golden/` in the build the page runs (wasm + simd128),
//! inside a dedicated worker like the page's training, in each browser engine tested: the
//! same checks and tolerances as the native `tests/golden.rs` (tests/golden_check/).

mod browser_files;
mod common;
mod golden_check;

use ayla::model::Mlp;
use golden_check::FIFTY_STEP_REFERENCES;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_dedicated_worker);

async fn reference_start() -> Mlp {
    let mut files = Vec::new();
    for name in ["w1.f32", "b1.f32", "w2.f32", "b2.f32"] {
        files.push(browser_files::golden(name).await);
    }
    let [w1, b1, w2, b2] = [&files[0], &files[1], &files[2], &files[3]];
    Mlp::from_raw(128, [w1, b1, w2, b2]).expect("golden weights have the 784-128-10 shapes")
}

#[wasm_bindgen_test]
async fn first_fifty_steps_match_the_references_in_the_browser() {
    let start = reference_start().await;
    let (train, test) = (
        browser_files::mnist_train().await,
        browser_files::mnist_test().await,
    );
    for name in FIFTY_STEP_REFERENCES {
        let text = browser_files::golden(name).await;
        let reference = serde_json::from_slice(&text).expect("golden JSON");
        golden_check::assert_first_fifty_steps(&reference, &start, &train, &test);
    }
}
