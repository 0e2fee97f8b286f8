//! Agreement with the independent float64 reference in `tests/golden/` (see its README):
//! same start, unshuffled batches of real MNIST in file order.
#![cfg(not(target_arch = "wasm32"))]

mod common;
mod golden_check;

use ayla::ayla::Branch;

use common::rel_diff;
use golden_check::{branch, checksum_steps, methods, number, run, FIFTY_STEP_REFERENCES};

#[test]
fn first_fifty_steps_match_the_references() {
    let (train, test) = (common::mnist_train(), common::mnist_test());
    for name in FIFTY_STEP_REFERENCES {
        let reference = common::golden_json(name);
        golden_check::assert_first_fifty_steps(&reference, &common::golden_model(), &train, &test);
    }
}

#[test]
fn whole_epoch_matches_the_reference() {
    let reference = common::golden_json("epoch1_n1_0.95_n2_1.0.json");
    let steps = checksum_steps(&reference);
    for (method, key) in methods(&reference) {
        let run = run(
            method,
            common::golden_model(),
            &common::mnist_train(),
            &common::mnist_test(),
            469,
            &steps,
        );
        let expected = reference[key]["steps"].as_array().expect("steps");
        assert_eq!(expected.len(), 469);
        for (got, want) in run.reports.iter().zip(expected) {
            let step = got.step;
            assert!(
                rel_diff(got.loss.into(), number(want, "loss")) < 1e-4,
                "{key} step {step} loss {} vs {}",
                got.loss,
                want["loss"]
            );
            assert_eq!(got.branch, branch(want), "{key} step {step} branch");
        }
        // The last batch is the remainder: 60,000 = 468 × 128 + 96.
        assert_eq!(
            (run.reports[468].batch, run.reports[468].batches),
            (469, 469)
        );
        if key == "ayla" {
            let first_below = run
                .reports
                .iter()
                .find(|r| r.branch == Some(Branch::Below))
                .map(|r| r.step);
            assert_eq!(
                first_below,
                reference[key]["first_step_with_loss_below_1"]
                    .as_u64()
                    .map(|s| s as usize)
            );
        }
    }
}
