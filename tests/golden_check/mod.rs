//! Runs from the reference start of `tests/golden/` and compares them with the reference
//! numbers (see its README), the same way natively (`tests/golden.rs`) and in the browser's
//! wasm + simd128 build (`tests/web_golden.rs`). It reads no file: each caller reads the
//! references its own way and passes them in.
#![allow(dead_code)] // each test binary uses its own subset

use std::collections::BTreeMap;
use std::ops::ControlFlow;
use std::sync::Arc;

use ayla::ayla::Branch;
use ayla::config::Config;
use ayla::mnist::Dataset;
use ayla::model::Mlp;
use ayla::train::{Method, StepReport, Trainer};
use serde_json::Value;

use crate::common::{no_clock, rel_diff};

/// The 50-step references, one per (N1, N2) case; each holds Normal and AYLA.
pub const FIFTY_STEP_REFERENCES: [&str; 2] =
    ["golden_n1_0.95_n2_1.0.json", "golden_n1_1.2_n2_0.8.json"];

const CHECKSUM_NAMES: [&str; 4] = ["W1", "b1", "W2", "b2"];

/// Reports of the first steps of a run, and (sum, sum of squares) of every parameter array
/// after each step listed in the reference's `checksum_steps`.
pub struct Run {
    pub reports: Vec<StepReport>,
    pub checksums: BTreeMap<usize, [(f64, f64); 4]>,
}

fn checksums(model: &Mlp) -> [(f64, f64); 4] {
    model.slices().map(|s| {
        let sum = s.iter().map(|&v| f64::from(v)).sum();
        let sumsq = s.iter().map(|&v| f64::from(v) * f64::from(v)).sum();
        (sum, sumsq)
    })
}

/// The first `steps` steps of `method` from `start`, on unshuffled batches of `train` in file
/// order, as the references were made.
pub fn run(
    method: Method,
    start: Mlp,
    train: &Arc<Dataset>,
    test: &Arc<Dataset>,
    steps: usize,
    checksum_steps: &[usize],
) -> Run {
    let config = Config {
        shuffle: false,
        ..Config::default()
    };
    let mut trainer = Trainer::with_model(
        config,
        method,
        start,
        Arc::clone(train),
        Arc::clone(test),
        no_clock,
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

pub fn number(v: &Value, key: &str) -> f64 {
    v[key]
        .as_f64()
        .unwrap_or_else(|| panic!("reference lacks {key}"))
}

pub fn branch(v: &Value) -> Option<Branch> {
    match v["branch"].as_str() {
        Some(">1") => Some(Branch::Above),
        Some("<1") => Some(Branch::Below),
        Some("=1") => Some(Branch::Unit),
        _ => None,
    }
}

pub fn checksum_steps(reference: &Value) -> Vec<usize> {
    reference["config"]["checksum_steps"]
        .as_array()
        .expect("checksum_steps")
        .iter()
        .map(|s| s.as_u64().expect("a step") as usize)
        .collect()
}

pub fn assert_checksums(run: &Run, expected: &Value, label: &str, tolerance: f64) {
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

/// Normal and AYLA with the reference's exponents, each with its key in the reference.
pub fn methods(reference: &Value) -> [(Method, &'static str); 2] {
    let n1 = number(&reference["config"], "n1") as f32;
    let n2 = number(&reference["config"], "n2") as f32;
    [
        (Method::Normal, "normal"),
        (Method::Ayla { n1, n2 }, "ayla"),
    ]
}

/// Runs both methods of a 50-step reference from `start` and compares every step (loss,
/// L′ and gradient norm within 1e-5 relative, the batch accuracy and the branch exactly)
/// and the parameter checksums (1e-4 relative): the tolerances of tests/golden/README.md.
pub fn assert_first_fifty_steps(
    reference: &Value,
    start: &Mlp,
    train: &Arc<Dataset>,
    test: &Arc<Dataset>,
) {
    let steps = checksum_steps(reference);
    let case = format!(
        "N1 {} N2 {}",
        reference["config"]["n1"], reference["config"]["n2"]
    );
    for (method, key) in methods(reference) {
        let run = run(method, start.clone(), train, test, 50, &steps);
        let expected = reference[key]["steps"].as_array().expect("steps");
        assert_eq!(expected.len(), 50);
        for (got, want) in run.reports.iter().zip(expected) {
            let step = got.step;
            for (name, value, field) in [
                ("loss", got.loss, "loss"),
                ("L'", got.lmod, "lmod"),
                ("grad norm", got.grad_norm, "grad_norm"),
            ] {
                let want = number(want, field);
                assert!(
                    rel_diff(value.into(), want) < 1e-5,
                    "{case} {key} step {step} {name} {value} vs {want}"
                );
            }
            assert_eq!(
                f64::from(got.batch_acc),
                number(want, "batch_acc"),
                "{case} {key} step {step} accuracy"
            );
            assert_eq!(got.branch, branch(want), "{case} {key} step {step} branch");
        }
        assert_eq!(run.checksums.len(), steps.len());
        assert_checksums(
            &run,
            &reference[key]["checksums"],
            &format!("{case} {key}"),
            1e-4,
        );
    }
}
