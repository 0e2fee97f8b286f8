//! Agreement with the independent float64 references in `tests/golden/` (see its README):
//! the same start, unshuffled batches of real MNIST in file order, for an N2 = 1 case (the
//! below-1 branch is the identity) and an N1 = 1.2, N2 = 0.8 case (both branches change
//! the gradients); and the N2 = 1 case under SGD with momentum and under Adam.
#![cfg(not(target_arch = "wasm32"))]

mod common;
mod golden_check;

use ayla::ayla::Branch;
use golden_check::{assert_matches, checksum_steps, Tolerance, FIFTY_STEPS, METHODS, WHOLE_EPOCH};

/// Runs both methods of a reference file for all of its steps and checks every one.
fn check_reference(file: &str, tolerance: Tolerance) -> Vec<golden_check::Run> {
    let reference = common::golden_json(file);
    let steps = checksum_steps(&reference);
    let count = golden_check::number(&reference["config"], "steps") as usize;
    let mut runs = Vec::new();
    for (method, key) in METHODS {
        let run = golden_check::run(
            golden_check::config(&reference),
            method,
            common::golden_model(),
            common::mnist_train(),
            common::mnist_test(),
            count,
            &steps,
        );
        let worst = golden_check::worst_step_difference(&run, &reference, key);
        println!("{file} {key}: largest relative difference on L, L′, grad norm: {worst:.2e}");
        assert_matches(&run, &reference, key, tolerance);
        runs.push(run);
    }
    runs
}

#[test]
fn first_fifty_steps_match_the_reference_with_n2_of_one() {
    check_reference("golden_n1_0.95_n2_1.0.json", FIFTY_STEPS);
}

#[test]
fn first_fifty_steps_match_the_reference_with_n2_below_one() {
    check_reference("golden_n1_1.2_n2_0.8.json", FIFTY_STEPS);
}

// The references' README allows 1e-3 on these checksums; they hold within 1e-5 here, so
// the SGD references' 1e-4 applies unchanged.
#[test]
fn first_fifty_steps_match_the_reference_under_momentum() {
    check_reference("golden_momentum_n1_0.95_n2_1.json", FIFTY_STEPS);
}

#[test]
fn first_fifty_steps_match_the_reference_under_adam() {
    check_reference("golden_adam_n1_0.95_n2_1.json", FIFTY_STEPS);
}

#[test]
fn whole_epoch_matches_the_reference_with_n2_of_one() {
    let runs = check_reference("epoch1_n1_0.95_n2_1.0.json", WHOLE_EPOCH);
    let ayla = &runs[1].reports;
    // The last batch is the remainder: 60,000 = 468 × 128 + 96.
    assert_eq!((ayla[468].batch, ayla[468].batches), (469, 469));
    let first_below = ayla.iter().find(|r| r.branch == Some(Branch::Below));
    assert_eq!(first_below.map(|r| r.step), Some(171));
}

#[test]
fn whole_epoch_matches_the_reference_with_n2_below_one() {
    let runs = check_reference("epoch1_n1_1.2_n2_0.8.json", WHOLE_EPOCH);
    let ayla = &runs[1].reports;
    let below: Vec<usize> = ayla
        .iter()
        .filter(|r| r.branch == Some(Branch::Below))
        .map(|r| r.step)
        .collect();
    // The reference crosses below 1 at step 265 and takes that branch 119 times.
    assert_eq!((below.first().copied(), below.len()), (Some(265), 119));
}
