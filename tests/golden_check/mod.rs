//! Comparing training steps with the float64 references in `tests/golden/` (see its README).
//! Shared by the native test (`tests/golden.rs`) and the browser test, which read the files
//! their own way: this module only needs the reference JSON, the start and the data.
#![allow(dead_code)] // each test binary uses its own subset

use std::collections::BTreeMap;
use std::ops::ControlFlow;
use std::sync::Arc;

use ayla::ayla::Branch;
use ayla::config::{Config, Optimizer};
use ayla::method::Method;
use ayla::mnist::Dataset;
use ayla::model::Mlp;
use ayla::train::{StepReport, Trainer};
use serde_json::Value;

/// The reference's names for the four parameter arrays, in `Mlp::slices` order.
const ARRAYS: [&str; 4] = ["W1", "b1", "W2", "b2"];

/// How close a float32 run must stay to a float64 reference (`tests/golden/README.md`).
#[derive(Debug, Clone, Copy)]
pub struct Tolerance {
    /// Relative, on L and L′ at every step.
    pub loss: f64,
    /// Relative, on the gradient norm at every step.
    pub grad_norm: f64,
    /// Relative, on every checksum (sum and sum of squares of each array).
    pub checksum: f64,
    /// Images of a batch whose prediction may differ (a near-tie between two classes).
    pub predictions: usize,
}

/// First 50 steps: the README's tolerances.
pub const FIFTY_STEPS: Tolerance = Tolerance {
    loss: 1e-5,
    grad_norm: 1e-5,
    checksum: 1e-4,
    predictions: 0,
};

/// A whole epoch: float32 rounding accumulates over 469 steps. The gradient norm needs
/// more room than the loss: where a hidden unit's input sits within rounding of 0 for some
/// image, float32 and float64 put it on different sides of the ReLU's kink, and that step's
/// norm jumps (seen: 2.2e-4 at step 243 of the N1 = 0.95 epoch, the loss still within 3e-6,
/// every other step within 3e-5). Likewise an image whose two best classes are within
/// rounding of each other may be predicted differently (seen once, at step 255).
pub const WHOLE_EPOCH: Tolerance = Tolerance {
    loss: 1e-4,
    grad_norm: 1e-3,
    checksum: 1e-4,
    predictions: 1,
};

/// What a run did: every step's report, and the checksums after the listed steps.
pub struct Run {
    pub reports: Vec<StepReport>,
    pub checksums: BTreeMap<usize, Vec<(f64, f64)>>,
}

/// (sum, sum of squares) of each parameter array, in f64.
pub fn checksums(model: &Mlp) -> Vec<(f64, f64)> {
    let sums = model.slices().into_iter().map(|s| {
        let sum = s.iter().map(|&v| f64::from(v)).sum();
        let sumsq = s.iter().map(|&v| f64::from(v) * f64::from(v)).sum();
        (sum, sumsq)
    });
    sums.collect()
}

/// The two methods the reference ran, with their keys in it.
pub const METHODS: [(Method, &str); 2] = [(Method::Normal, "normal"), (Method::Ayla, "ayla")];

/// The reference's run: its exponents, learning rate and optimizer (plain SGD where it
/// names none), batches in file order.
pub fn config(reference: &Value) -> Config {
    let settings = &reference["config"];
    let optimizer = match settings["optimizer"].as_str() {
        None => Optimizer::Sgd,
        Some("momentum") => Optimizer::Momentum,
        Some("adam") => Optimizer::Adam,
        Some(other) => panic!("a reference with an unknown optimizer, {other}"),
    };
    Config {
        n1: number(settings, "n1") as f32,
        n2: number(settings, "n2") as f32,
        learning_rate: number(settings, "lr") as f32,
        optimizer,
        shuffle: false,
        ..Config::default()
    }
}

/// The steps after which the reference lists checksums.
pub fn checksum_steps(reference: &Value) -> Vec<usize> {
    reference["config"]["checksum_steps"]
        .as_array()
        .expect("checksum_steps")
        .iter()
        .map(|s| s.as_u64().expect("a step") as usize)
        .collect()
}

/// Trains `steps` steps from `start` on `train` in file order, as the reference did.
pub fn run(
    config: Config,
    method: Method,
    start: Mlp,
    train: Arc<Dataset>,
    test: Arc<Dataset>,
    steps: usize,
    checksum_steps: &[usize],
) -> Run {
    let mut trainer = Trainer::with_model(config, method, start, train, test, || 0.0);
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

/// Asserts that `run` (method `key` of `reference`) matches the reference at every step:
/// L, L′ and the gradient norm within `tolerance`, the branch and the batch accuracy
/// exactly, the batch accuracy to `tolerance.predictions` images, and every checksum.
pub fn assert_matches(run: &Run, reference: &Value, key: &str, tolerance: Tolerance) {
    let expected = reference[key]["steps"].as_array().expect("steps");
    assert_eq!(run.reports.len(), expected.len(), "{key}: steps compared");
    for (got, want) in run.reports.iter().zip(expected) {
        let step = got.step;
        for (name, value, tolerance) in [
            ("loss", got.loss, tolerance.loss),
            ("lmod", got.lmod, tolerance.loss),
            ("grad_norm", got.grad_norm, tolerance.grad_norm),
        ] {
            let reference = number(want, name);
            assert!(
                rel_diff(value.into(), reference) < tolerance,
                "{key} step {step} {name}: {value} vs the reference's {reference}"
            );
        }
        assert_eq!(got.branch, branch(want), "{key} step {step} branch");
        // Batches hold 128 images, the epoch's last 96: one image is at most 1/96.
        let (accuracy, reference) = (f64::from(got.batch_acc), number(want, "batch_acc"));
        assert!(
            (accuracy - reference).abs() <= tolerance.predictions as f64 / 96.0 + 1e-9,
            "{key} step {step}: batch accuracy {accuracy} vs the reference's {reference}"
        );
    }
    let steps = checksum_steps(reference);
    assert_eq!(
        run.checksums.keys().copied().collect::<Vec<_>>(),
        steps,
        "{key}: a checksum after every listed step"
    );
    for (step, sums) in &run.checksums {
        for (name, &(sum, sumsq)) in ARRAYS.iter().zip(sums) {
            let want = &reference[key]["checksums"][step.to_string()][name];
            let (want_sum, want_sumsq) = (number(want, "sum"), number(want, "sumsq"));
            // Normal's b2 sums to ~0 by construction (Σ(p − y) = 0): compare it absolutely.
            let sum_ok = if want_sum.abs() < 1e-3 {
                (sum - want_sum).abs() < 1e-6
            } else {
                rel_diff(sum, want_sum) < tolerance.checksum
            };
            assert!(sum_ok, "{key} step {step} {name} sum {sum} vs {want_sum}");
            assert!(
                rel_diff(sumsq, want_sumsq) < tolerance.checksum,
                "{key} step {step} {name} sum of squares {sumsq} vs {want_sumsq}"
            );
        }
    }
}

/// The largest relative difference of L, L′ and the gradient norm over the run, for the
/// test's output (how much room the tolerance leaves).
pub fn worst_step_difference(run: &Run, reference: &Value, key: &str) -> f64 {
    let expected = reference[key]["steps"].as_array().expect("steps");
    let mut worst: f64 = 0.0;
    for (got, want) in run.reports.iter().zip(expected) {
        for (name, value) in [
            ("loss", got.loss),
            ("lmod", got.lmod),
            ("grad_norm", got.grad_norm),
        ] {
            worst = worst.max(rel_diff(value.into(), number(want, name)));
        }
    }
    worst
}

pub fn number(v: &Value, key: &str) -> f64 {
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

/// Relative difference, safe at zero.
pub fn rel_diff(a: f64, b: f64) -> f64 {
    (a - b).abs() / b.abs().max(1e-12)
}
