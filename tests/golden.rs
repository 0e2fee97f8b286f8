//! Agreement with the independent float64 reference in `tests/golden/` (see its README):
//! same start, unshuffled batches of real MNIST in file order.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use std::collections::BTreeMap;
use std::ops::ControlFlow;
use std::sync::Arc;

use ayla::ayla::Branch;
use ayla::config::Config;
use ayla::model::Mlp;
use ayla::train::{Method, StepReport, Trainer};
use serde_json::Value;

use common::rel_diff;

const CHECKSUM_NAMES: [&str; 4] = ["W1", "b1", "W2", "b2"];

/// Reports of the first `steps` steps, and (sum, sum of squares) of every parameter array
/// after each step listed in the reference's `checksum_steps`.
struct Run {
    reports: Vec<StepReport>,
    checksums: BTreeMap<usize, [(f64, f64); 4]>,
}

fn checksums(model: &Mlp) -> [(f64, f64); 4] {
    model.slices().map(|s| {
        let sum = s.iter().map(|&v| f64::from(v)).sum();
        let sumsq = s.iter().map(|&v| f64::from(v) * f64::from(v)).sum();
        (sum, sumsq)
    })
}

fn run(method: Method, steps: usize, checksum_steps: &[usize]) -> Run {
    let config = Config {
        shuffle: false,
        ..Config::default()
    };
    let train = common::mnist_train();
    let mut trainer = Trainer::with_model(
        config,
        method,
        common::golden_model(),
        train,
        Arc::clone(&common::mnist_test()),
        common::no_clock,
    );
    let mut reports = Vec::new();
    let mut sums = BTreeMap::new();
    // Checksums need the model after a step, so step through one batch at a time.
    while reports.len() < steps {
        let mut stepped = None;
        trainer.run_epoch(|r| {
            stepped = Some(*r);
            ControlFlow::Break(())
        });
        let r = stepped.expect("a step ran");
        reports.push(r);
        if checksum_steps.contains(&r.step) {
            sums.insert(r.step, checksums(trainer.model()));
        }
    }
    Run {
        reports,
        checksums: sums,
    }
}

fn number(v: &Value, key: &str) -> f64 {
    v[key]
        .as_f64()
        .unwrap_or_else(|| panic!("reference lacks {key}"))
}

fn branch(v: &Value) -> Option<Branch> {
    match v["branch"].as_str() {
        Some(">1") => Some(Branch::Above),
        Some("<1") => Some(Branch::Below),
        Some("=1") => Some(Branch::Unit),
        _ => None,
    }
}

fn checksum_steps(reference: &Value) -> Vec<usize> {
    reference["config"]["checksum_steps"]
        .as_array()
        .expect("checksum_steps")
        .iter()
        .map(|s| s.as_u64().expect("a step") as usize)
        .collect()
}

fn assert_checksums(run: &Run, expected: &Value, label: &str, tolerance: f64) {
    for (step, sums) in &run.checksums {
        for (name, (sum, sumsq)) in CHECKSUM_NAMES.iter().zip(sums) {
            let want = &expected[step.to_string()][name];
            let (want_sum, want_sumsq) = (number(want, "sum"), number(want, "sumsq"));
            // Normal's b2 sums to ~0 by construction (Σ(p − y) = 0): compare it absolutely.
            let sum_ok = if want_sum.abs() < 1e-3 {
                (sum - want_sum).abs() < 1e-6
            } else {
                rel_diff(*sum, want_sum) < tolerance
            };
            assert!(sum_ok, "{label} step {step} {name} sum {sum} vs {want_sum}");
            assert!(
                rel_diff(*sumsq, want_sumsq) < tolerance,
                "{label} step {step} {name} sumsq {sumsq} vs {want_sumsq}"
            );
        }
    }
}

fn methods(reference: &Value) -> [(Method, &'static str); 2] {
    let n1 = number(&reference["config"], "n1") as f32;
    let n2 = number(&reference["config"], "n2") as f32;
    [
        (Method::Normal, "normal"),
        (Method::Ayla { n1, n2 }, "ayla"),
    ]
}

#[test]
fn first_fifty_steps_match_the_reference() {
    let reference = common::golden_json("golden_n1_0.95_n2_1.0.json");
    let steps = checksum_steps(&reference);
    for (method, key) in methods(&reference) {
        let run = run(method, 50, &steps);
        let expected = reference[key]["steps"].as_array().expect("steps");
        assert_eq!(expected.len(), 50);
        for (got, want) in run.reports.iter().zip(expected) {
            let step = got.step;
            assert!(
                rel_diff(got.loss.into(), number(want, "loss")) < 1e-5,
                "{key} step {step} loss {} vs {}",
                got.loss,
                want["loss"]
            );
            assert!(
                rel_diff(got.lmod.into(), number(want, "lmod")) < 1e-5,
                "{key} step {step} L' {} vs {}",
                got.lmod,
                want["lmod"]
            );
            assert!(
                rel_diff(got.grad_norm.into(), number(want, "grad_norm")) < 1e-5,
                "{key} step {step} grad norm {} vs {}",
                got.grad_norm,
                want["grad_norm"]
            );
            assert_eq!(
                f64::from(got.batch_acc),
                number(want, "batch_acc"),
                "{key} step {step} accuracy"
            );
            assert_eq!(got.branch, branch(want), "{key} step {step} branch");
        }
        assert_eq!(run.checksums.len(), steps.len());
        assert_checksums(&run, &reference[key]["checksums"], key, 1e-4);
    }
}

#[test]
fn whole_epoch_matches_the_reference() {
    let reference = common::golden_json("epoch1_n1_0.95_n2_1.0.json");
    let steps = checksum_steps(&reference);
    for (method, key) in methods(&reference) {
        let run = run(method, 469, &steps);
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
