//! When a run counts as diverged: each of the three conditions alone, where a run with
//! exponents of 4 breaks compared with the float64 reference, and a run that Adam's own
//! arithmetic breaks.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use std::ops::ControlFlow;

use ayla::config::{Config, Optimizer};
use ayla::method::Method;
use ayla::train::{StepReport, Trainer};

fn finite_step() -> StepReport {
    StepReport {
        step: 1,
        batch: 1,
        batches: 10,
        loss: 2.3,
        lmod: 2.2,
        grad_norm: 1.4,
        branch: None,
        batch_acc: 0.1,
    }
}

#[test]
fn a_step_with_every_value_finite_has_not_diverged() {
    assert!(!finite_step().is_diverged());
}

#[test]
fn a_non_finite_loss_alone_is_divergence() {
    for loss in [f32::NAN, f32::INFINITY] {
        assert!(
            StepReport {
                loss,
                ..finite_step()
            }
            .is_diverged(),
            "{loss}"
        );
    }
}

#[test]
fn a_non_finite_optimised_loss_alone_is_divergence() {
    // With N = 4, L′ overflows f32 while L is still finite.
    for lmod in [f32::NAN, f32::INFINITY] {
        assert!(
            StepReport {
                lmod,
                ..finite_step()
            }
            .is_diverged(),
            "{lmod}"
        );
    }
}

#[test]
fn a_non_finite_gradient_norm_alone_is_divergence() {
    for grad_norm in [f32::NAN, f32::INFINITY] {
        assert!(
            StepReport {
                grad_norm,
                ..finite_step()
            }
            .is_diverged(),
            "{grad_norm}"
        );
    }
}

/// The reference start and file-order batches, as in `tests/golden/`, with exponents of 4.
fn golden_trainer(method: Method) -> Trainer {
    let config = Config {
        n1: 4.0,
        n2: 4.0,
        shuffle: false,
        ..Config::default()
    };
    trainer_from_golden_start(config, method)
}

fn trainer_from_golden_start(config: Config, method: Method) -> Trainer {
    Trainer::with_model(
        config,
        method,
        common::golden_model(),
        common::mnist_train(),
        common::mnist_test(),
        common::no_clock,
    )
}

#[test]
fn exponents_of_four_diverge_at_the_third_step_as_in_the_reference() {
    // The float64 reference (tests/golden/numpy_ref.py, N1 = N2 = 4, same start and
    // batches) gives L = 2.35686, 26.4163, 5.82e30 at steps 1 to 3, and L′ = 1.15e123 at
    // step 3: beyond f32, so a float32 run breaks exactly there.
    let mut ayla = golden_trainer(Method::Ayla);
    let mut reports = Vec::new();
    let m = ayla
        .run_epoch(|r| {
            reports.push(*r);
            ControlFlow::Continue(())
        })
        .expect("a diverged epoch ends");
    assert_eq!(m.diverged_at, Some(3));
    assert_eq!(reports.len(), 3, "no step after the break");
    assert!(common::rel_diff(reports[0].loss.into(), 2.356_856_907) < 1e-5);
    assert!(common::rel_diff(reports[1].loss.into(), 26.416_336_618) < 1e-4);
    assert!(!reports[2].lmod.is_finite());
    assert!(ayla.is_diverged() && ayla.is_finished());
    assert!(m.val_loss.is_nan() && m.val_accuracy.is_nan());
    assert_eq!(
        m.log_line(Method::Ayla),
        "AYLA   - Epoch 1: diverged at batch 3 (the loss is no longer finite)"
    );
}

#[test]
fn normal_with_the_same_settings_is_unaffected() {
    let mut normal = golden_trainer(Method::Normal);
    let m = normal.run_epoch(|_| ControlFlow::Continue(())).unwrap();
    assert_eq!(m.diverged_at, None);
    assert!(!normal.is_diverged());
    assert!(m.loss.is_finite() && m.val_accuracy > 0.8, "{m:?}");
}

#[test]
fn an_adam_run_broken_by_its_own_arithmetic_is_reported_as_diverged() {
    // Exponents of 10 make AYLA's gradient elements reach 3e33 at the first step (L = 2.36
    // and L′ = 5288 stay finite); squared for Adam's second moment, a quarter of them
    // overflow f32 to infinity, so those weights do not move (m / ∞), and at the next step
    // their moment becomes ∞ − ∞ = NaN and the weights with it (as Keras in float32 would).
    // The run must end as diverged at the batch whose loss is NaN, without a panic.
    let config = Config {
        n1: 10.0,
        n2: 10.0,
        learning_rate: 0.001,
        optimizer: Optimizer::Adam,
        shuffle: false,
        ..Config::default()
    };
    let mut ayla = trainer_from_golden_start(config, Method::Ayla);
    let mut reports = Vec::new();
    let m = ayla
        .run_epoch(|r| {
            reports.push(*r);
            ControlFlow::Continue(())
        })
        .expect("a diverged epoch ends");
    assert_eq!(m.diverged_at, Some(3));
    assert!(reports[..2].iter().all(|r| !r.is_diverged()), "{reports:?}");
    assert!(reports[2].loss.is_nan());
    assert!(ayla.is_diverged() && ayla.is_finished());
    assert!(m.val_loss.is_nan() && m.val_accuracy.is_nan());
    assert_eq!(
        m.log_line(Method::Ayla),
        "AYLA   - Epoch 1: diverged at batch 3 (the loss is no longer finite)"
    );
    // Normal under the same Adam trains on.
    let mut normal = trainer_from_golden_start(config, Method::Normal);
    let m = normal.run_epoch(|_| ControlFlow::Continue(())).unwrap();
    assert_eq!(m.diverged_at, None);
    assert!(m.val_accuracy > 0.9, "{m:?}");
}
