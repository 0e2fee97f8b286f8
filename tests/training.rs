//! The trainer on real MNIST: the N1 = N2 = 1 identity, determinism, shared start and order.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use std::ops::ControlFlow;
use std::sync::Arc;

use ayla::config::Config;
use ayla::method::Method;
use ayla::mnist::Dataset;
use ayla::model::Mlp;
use ayla::shape::Hidden;
use ayla::train::{epoch_order, StepReport, Trainer};

fn small_config(seed: u64) -> Config {
    Config {
        seed,
        train_size: 6_000,
        ..Config::default()
    }
}

fn trainer(config: Config, method: Method, train: &Arc<Dataset>, test: &Arc<Dataset>) -> Trainer {
    let train = Arc::new((**train).clone().take(config.train_size));
    Trainer::new(config, method, train, Arc::clone(test), common::no_clock)
}

/// Runs `steps` SGD steps (crossing epochs as needed) and returns every step's report.
fn run_steps(t: &mut Trainer, steps: usize) -> Vec<StepReport> {
    let mut reports = Vec::new();
    while reports.len() < steps {
        t.run_epoch(|r| {
            reports.push(*r);
            if reports.len() == steps {
                ControlFlow::Break(())
            } else {
                ControlFlow::Continue(())
            }
        });
    }
    reports
}

fn bits(model: &Mlp) -> Vec<u32> {
    model
        .slices()
        .iter()
        .flat_map(|s| s.iter().map(|v| v.to_bits()))
        .collect()
}

#[test]
fn ayla_with_unit_exponents_equals_normal_bit_for_bit() {
    let (train, test) = (common::mnist_train(), common::mnist_test());
    let config = Config {
        n1: 1.0,
        n2: 1.0,
        ..small_config(42)
    };
    let mut normal = trainer(config, Method::Normal, &train, &test);
    let mut ayla = trainer(config, Method::Ayla, &train, &test);
    // 300 steps of 128 over 6,000 images: six epochs, and the loss crosses below 1.
    let a = run_steps(&mut ayla, 300);
    let n = run_steps(&mut normal, 300);
    assert!(a.iter().any(|r| r.loss > 1.0) && a.iter().any(|r| r.loss < 1.0));
    for (a, n) in a.iter().zip(&n) {
        assert_eq!(a.loss.to_bits(), n.loss.to_bits(), "step {}", a.step);
        assert_eq!(
            a.grad_norm.to_bits(),
            n.grad_norm.to_bits(),
            "step {}",
            a.step
        );
    }
    assert_eq!(bits(ayla.model()), bits(normal.model()));
}

#[test]
fn a_paused_epoch_resumes_where_it_stopped() {
    let (train, test) = (common::mnist_train(), common::mnist_test());
    let config = Config {
        epochs: 1,
        ..small_config(3)
    };
    let mut straight = trainer(config, Method::Ayla, &train, &test);
    let whole = straight.run_epoch(|_| ControlFlow::Continue(())).unwrap();
    let mut paused = trainer(config, Method::Ayla, &train, &test);
    let mut calls = 0;
    let resumed = loop {
        calls += 1;
        // Stop after every fifth batch, as a caller showing progress might.
        if let Some(m) = paused.run_epoch(|r| {
            if r.batch % 5 == 0 {
                ControlFlow::Break(())
            } else {
                ControlFlow::Continue(())
            }
        }) {
            break m;
        }
    };
    assert_eq!(calls, 10, "47 batches in pauses of 5");
    assert_eq!(resumed, whole);
    assert_eq!(bits(paused.model()), bits(straight.model()));
}

#[test]
fn same_seed_gives_identical_runs() {
    let (train, test) = (common::mnist_train(), common::mnist_test());
    let config = Config {
        epochs: 1,
        ..small_config(7)
    };
    let run = || {
        let mut t = trainer(config, Method::Ayla, &train, &test);
        let metrics = t.run_epoch(|_| ControlFlow::Continue(())).unwrap();
        (bits(t.model()), metrics)
    };
    let (first, m1) = run();
    let (second, m2) = run();
    assert_eq!(first, second);
    assert_eq!(m1, m2);
}

#[test]
fn different_seeds_give_different_inits_with_glorot_limits() {
    for widths in [&[128][..], &[256, 128, 64]] {
        let hidden = Hidden::new(widths).unwrap();
        let a = Mlp::glorot(hidden, 42);
        let b = Mlp::glorot(hidden, 43);
        assert_ne!(bits(&a), bits(&b));
        assert_eq!(bits(&a), bits(&Mlp::glorot(hidden, 42)));
        let sizes: Vec<usize> = [784].iter().chain(widths).chain(&[10]).copied().collect();
        assert_eq!(a.layers().len(), widths.len() + 1);
        for (layer, fans) in a.layers().iter().zip(sizes.windows(2)) {
            let limit = (6.0 / (fans[0] + fans[1]) as f32).sqrt();
            assert_eq!(layer.kernel.len(), fans[0] * fans[1]);
            assert!(layer.kernel.iter().all(|w| w.abs() <= limit), "{fans:?}");
            // Uniform on (−l, l): the mean of |w| is about l / 2.
            let mean_abs =
                layer.kernel.iter().map(|w| w.abs()).sum::<f32>() / layer.kernel.len() as f32;
            assert!(
                (mean_abs / limit - 0.5).abs() < 0.03,
                "{fans:?}: {mean_abs}"
            );
            assert!(layer.bias.iter().all(|&b| b == 0.0));
        }
    }
}

#[test]
fn both_methods_start_from_the_same_parameters_and_see_the_same_order() {
    let (train, test) = (common::mnist_train(), common::mnist_test());
    let config = small_config(5);
    let normal = trainer(config, Method::Normal, &train, &test);
    let ayla = trainer(config, Method::Ayla, &train, &test);
    assert_eq!(bits(normal.model()), bits(ayla.model()));
    let first = epoch_order(5, 0, 6_000, true);
    assert_eq!(first, epoch_order(5, 0, 6_000, true));
    assert_ne!(
        first,
        epoch_order(5, 1, 6_000, true),
        "each epoch reshuffles"
    );
    let mut sorted = first.clone();
    sorted.sort_unstable();
    assert_eq!(sorted, (0..6_000).collect::<Vec<u32>>(), "a permutation");
    assert_eq!(epoch_order(5, 0, 4, false), [0, 1, 2, 3]);
}

#[test]
fn epoch_metrics_follow_the_originals_definitions() {
    let (train, test) = (common::mnist_train(), common::mnist_test());
    let config = Config {
        epochs: 1,
        ..small_config(42)
    };
    let mut t = trainer(config, Method::Ayla, &train, &test);
    let mut reports = Vec::new();
    let m = t
        .run_epoch(|r| {
            reports.push(*r);
            ControlFlow::Continue(())
        })
        .unwrap();
    // 6,000 = 46 × 128 + 112: the last batch is the remainder.
    assert_eq!(reports.len(), 47);
    assert_eq!(reports.last().map(|r| (r.batch, r.batches)), Some((47, 47)));
    let mean =
        |f: fn(&StepReport) -> f32| reports.iter().map(|r| f64::from(f(r))).sum::<f64>() / 47.0;
    assert!((f64::from(m.loss) - mean(|r| r.loss)).abs() < 1e-6);
    assert!((f64::from(m.accuracy) - mean(|r| r.batch_acc)).abs() < 1e-6);
    assert!((f64::from(m.grad_norm) - mean(|r| r.grad_norm)).abs() < 1e-6);
    // Validation is on the whole test set, after the epoch.
    let val = t.evaluate_test();
    assert_eq!((m.val_loss, m.val_accuracy), (val.loss, val.accuracy));
    // 47 small steps already learn something: better than chance, val loss below train loss.
    assert!(m.val_accuracy > 0.3 && m.val_loss < m.loss, "{m:?}");
    assert_eq!(m.epoch, 1);
    assert!(t.is_finished());
}
