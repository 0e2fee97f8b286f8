#![cfg(target_arch = "wasm32")]
//! The 50-step references of `tests/golden/` in the build the page runs (wasm + simd128),
//! inside a dedicated worker like the page's training, in each browser engine tested: the
//! same checks and tolerances as the native `tests/golden.rs` (tests/golden_check/). Also
//! the whole epoch with N1 = 1.2, N2 = 0.8, the reference in which AYLA's below-1 branch
//! runs for real (from step 265); the other whole epoch (N2 = 1) stays native. The 50-step
//! references under SGD with momentum and under Adam run here too.

mod browser_files;
mod golden_check;

use ayla::ayla::Branch;
use ayla::model::Mlp;
use golden_check::{assert_matches, checksum_steps, Tolerance, FIFTY_STEPS, METHODS, WHOLE_EPOCH};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_dedicated_worker);

/// The 50-step references: under SGD one with N2 = 1, one with N1 = 1.2, N2 = 0.8; and the
/// N2 = 1 case under momentum and under Adam.
const FIFTY_STEP_REFERENCES: [&str; 4] = [
    "golden_n1_0.95_n2_1.0.json",
    "golden_n1_1.2_n2_0.8.json",
    "golden_momentum_n1_0.95_n2_1.json",
    "golden_adam_n1_0.95_n2_1.json",
];

async fn reference_start() -> Mlp {
    let mut files = Vec::new();
    for name in ["w1.f32", "b1.f32", "w2.f32", "b2.f32"] {
        files.push(browser_files::golden(name).await);
    }
    let [w1, b1, w2, b2] = [&files[0], &files[1], &files[2], &files[3]];
    Mlp::from_raw(128, [w1, b1, w2, b2]).expect("golden weights have the 784-128-10 shapes")
}

/// Runs both methods of a reference file for all of its steps and checks every one.
async fn check_reference(file: &str, tolerance: Tolerance) -> Vec<golden_check::Run> {
    let start = reference_start().await;
    let (train, test) = browser_files::mnist().await;
    let reference =
        serde_json::from_slice(&browser_files::golden(file).await).expect("golden JSON");
    let steps = checksum_steps(&reference);
    let count = golden_check::number(&reference["config"], "steps") as usize;
    let mut runs = Vec::new();
    for (method, key) in METHODS {
        let run = golden_check::run(
            golden_check::config(&reference),
            method,
            start.clone(),
            train.clone(),
            test.clone(),
            count,
            &steps,
        );
        assert_matches(&run, &reference, key, tolerance);
        runs.push(run);
    }
    runs
}

#[wasm_bindgen_test]
async fn first_fifty_steps_match_the_references_in_the_browser() {
    for file in FIFTY_STEP_REFERENCES {
        check_reference(file, FIFTY_STEPS).await;
    }
}

#[wasm_bindgen_test]
async fn whole_epoch_with_n2_below_one_matches_the_reference_in_the_browser() {
    let runs = check_reference("epoch1_n1_1.2_n2_0.8.json", WHOLE_EPOCH).await;
    let below = runs[1]
        .reports
        .iter()
        .filter(|r| r.branch == Some(Branch::Below))
        .count();
    assert_eq!(below, 119, "AYLA's steps below 1, as in the reference");
}
