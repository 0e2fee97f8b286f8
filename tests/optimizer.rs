//! The base optimizers (src/optimizer.rs) against an independent float64 implementation of
//! Keras' rules: on small vectors, and on the network's real gradients, where momentum and
//! Adam must keep moving the rows of W1 a batch did not touch; AYLA (1, 1) ≡ Normal under
//! each of them; the lines describing a run or a sweep name the optimizer. (The 50-step
//! references under momentum and Adam are in tests/golden.rs.)
#![cfg(not(target_arch = "wasm32"))]

mod common;

use std::ops::ControlFlow;
use std::sync::Arc;

use ayla::config::{Config, Optimizer};
use ayla::method::Method;
use ayla::mnist::Dataset;
use ayla::model::{Mlp, Workspace};
use ayla::optimizer::OptimizerState;
use ayla::session::{Comparison, SweepSession};
use ayla::shape::Hidden;
use ayla::sweep::Sweep;
use ayla::train::{StepReport, Trainer};

/// Keras' rules in float64, element by element, written from their definitions
/// (tests/golden/README.md): every element of every tensor moves at every step.
struct Reference {
    kind: Optimizer,
    lr: f64,
    /// Steps taken (Adam's t).
    t: i32,
    /// Momentum's velocity, or Adam's first moment; Adam's second moment.
    slot1: Vec<Vec<f64>>,
    slot2: Vec<Vec<f64>>,
}

impl Reference {
    fn new(kind: Optimizer, lr: f32, params: &[Vec<f64>]) -> Reference {
        let zeros: Vec<Vec<f64>> = params.iter().map(|p| vec![0.0; p.len()]).collect();
        Reference {
            kind,
            lr: f64::from(lr),
            t: 0,
            slot1: zeros.clone(),
            slot2: zeros,
        }
    }

    fn step(&mut self, params: &mut [Vec<f64>], grads: &[Vec<f64>]) {
        self.t += 1;
        let (b1, b2, eps) = (0.9f64, 0.999f64, 1e-7f64);
        let alpha = self.lr * (1.0 - b2.powi(self.t)).sqrt() / (1.0 - b1.powi(self.t));
        for (k, (param, grad)) in params.iter_mut().zip(grads).enumerate() {
            for (i, (w, &g)) in param.iter_mut().zip(grad).enumerate() {
                let (s1, s2) = (&mut self.slot1[k][i], &mut self.slot2[k][i]);
                match self.kind {
                    Optimizer::Sgd => *w -= self.lr * g,
                    Optimizer::Momentum => {
                        *s1 = 0.9 * *s1 - self.lr * g;
                        *w += *s1;
                    }
                    Optimizer::Adam => {
                        *s1 += (g - *s1) * (1.0 - b1);
                        *s2 += (g * g - *s2) * (1.0 - b2);
                        *w -= alpha * *s1 / (s2.sqrt() + eps);
                    }
                }
            }
        }
    }
}

fn to_f64(values: &[f32]) -> Vec<f64> {
    values.iter().map(|&v| f64::from(v)).collect()
}

/// The largest difference over matching elements, relative to the larger of the expected
/// value and 1 (f32 keeps about 7 digits).
fn largest_difference(a: &[f32], b: &[f64]) -> f64 {
    assert_eq!(a.len(), b.len());
    a.iter()
        .zip(b)
        .map(|(&a, &b)| (f64::from(a) - b).abs() / b.abs().max(1.0))
        .fold(0.0, f64::max)
}

/// Step `step`'s gradient for element `i` of a tensor: both signs, magnitudes from 1e-4 to
/// 3, and zeros (element 2 never has a gradient; every fourth element skips odd steps).
fn small_gradient(step: usize, i: usize) -> f32 {
    if i == 2 || (i % 4 == 0 && step % 2 == 1) {
        return 0.0;
    }
    let magnitude = [3.0, 0.5, 1e-2, 1e-4][(i + step) % 4];
    let sign = if (i * 7 + step) % 3 == 0 { -1.0 } else { 1.0 };
    sign * magnitude * (1.0 + 0.1 * i as f32)
}

#[test]
fn small_vectors_follow_an_independent_float64_optimizer() {
    // 19 elements: two whole vectors of eight and three in the tail; 5: a tail alone.
    let lengths = [19, 5];
    for (kind, lr) in [
        (Optimizer::Sgd, 0.1),
        (Optimizer::Momentum, 0.1),
        (Optimizer::Adam, 0.01),
    ] {
        let mut params: Vec<Vec<f32>> = lengths
            .iter()
            .map(|&n| (0..n).map(|i| (i as f32 * 0.37).sin()).collect())
            .collect();
        let mut expected: Vec<Vec<f64>> = params.iter().map(|p| to_f64(p)).collect();
        let mut optimizer = OptimizerState::new(kind, lr, &lengths);
        let mut reference = Reference::new(kind, lr, &expected);
        for step in 0..8 {
            let grads: Vec<Vec<f32>> = lengths
                .iter()
                .map(|&n| (0..n).map(|i| small_gradient(step, i)).collect())
                .collect();
            let before = params.clone();
            optimizer.step(
                params
                    .iter_mut()
                    .map(Vec::as_mut_slice)
                    .zip(grads.iter().map(Vec::as_slice)),
            );
            reference.step(
                &mut expected,
                &grads.iter().map(|g| to_f64(g)).collect::<Vec<_>>(),
            );
            for (k, (got, want)) in params.iter().zip(&expected).enumerate() {
                let worst = largest_difference(got, want);
                assert!(
                    worst < 1e-6,
                    "{kind:?} step {} tensor {k}: off by {worst:e}",
                    step + 1
                );
            }
            // Element 2 never had a gradient: nothing moves it, under any optimizer.
            assert_eq!(params[0][2], before[0][2], "{kind:?}");
            // Element 0 has none at odd steps, after one at the even step before: plain SGD
            // leaves it, momentum and Adam move it on.
            if step % 2 == 1 {
                let moved = params.iter().zip(&before).all(|(p, b)| p[0] != b[0]);
                assert_eq!(moved, kind != Optimizer::Sgd, "{kind:?} step {}", step + 1);
            }
        }
    }
}

#[test]
fn adams_first_step_moves_each_weight_by_about_the_learning_rate() {
    // At t = 1, m = 0.1 g and v = 0.001 g², and the bias correction makes the step
    // lr · g / (|g| + ε / √0.001): lr times the sign of g, unless g is within a few ε of 0.
    let lr = 0.001;
    let grad = [4.0, -0.25, 1e-3, -2e-2, 7.5, 0.0, 1e-5, -1.0, 0.5];
    let mut param = [0.0f32; 9];
    let mut optimizer = OptimizerState::new(Optimizer::Adam, lr, &[grad.len()]);
    optimizer.step([(&mut param[..], &grad[..])]);
    for (&w, &g) in param.iter().zip(&grad) {
        let g = f64::from(g);
        let step = f64::from(lr) * g / (g.abs() + 1e-7 / 0.001f64.sqrt());
        let moved = -f64::from(w);
        assert!(
            (moved - step).abs() < 1e-9,
            "g {g}: moved {moved:e}, expected {step:e}"
        );
    }
}

#[test]
fn an_element_gets_the_same_arithmetic_in_a_vector_and_in_the_tail() {
    // Eleven equal elements: eight go through the lanes, three through the tail.
    for kind in Optimizer::ALL {
        let mut param = [0.3f32; 11];
        let mut optimizer = OptimizerState::new(kind, 0.05, &[11]);
        for step in 0..5 {
            let grad = [small_gradient(step, 1); 11];
            optimizer.step([(&mut param[..], &grad[..])]);
        }
        assert!(
            param.iter().all(|w| w.to_bits() == param[0].to_bits()),
            "{kind:?}: {param:?}"
        );
        assert_ne!(param[0], 0.3, "{kind:?}");
    }
}

/// The first `n` images of real MNIST's training set.
fn training_images(n: usize) -> Arc<Dataset> {
    Arc::new((*common::mnist_train()).clone().take(n))
}

/// The parameters as four f64 vectors (w1, b1, w2, b2).
fn f64_params(model: &Mlp) -> Vec<Vec<f64>> {
    model.slices().iter().map(|s| to_f64(s)).collect()
}

/// AYLA's element-wise rule in f64, from its definition (SPEC §1).
fn power_gradient(g: f64, exponent: f64) -> f64 {
    let out = exponent * g.signum() * g.abs() * (g.abs() + 1e-7).powf(exponent - 1.0);
    if g == 0.0 || !out.is_finite() {
        0.0
    } else {
        out
    }
}

/// The length of each parameter tensor, in the model's order.
fn lengths(model: &Mlp) -> Vec<usize> {
    model.slices().iter().map(|s| s.len()).collect()
}

/// W1's rows (one per pixel).
fn w1_rows(model: &Mlp) -> Vec<Vec<f32>> {
    let first = &model.layers()[0];
    first
        .kernel
        .chunks_exact(first.outputs())
        .map(<[f32]>::to_vec)
        .collect()
}

#[test]
fn momentum_and_adam_move_the_rows_of_w1_a_batch_did_not_touch_as_keras_does() {
    // Batches of 16 images leave most of W1's rows without a gradient; the rows an earlier
    // batch touched must keep moving (momentum's velocity, Adam's moments), exactly as the
    // dense float64 rules move them, with AYLA's rule (N = 0.8) or without it (N = 1), in
    // a network of one hidden layer and of two (six tensors).
    let data = training_images(16 * 30);
    for (kind, widths) in [Optimizer::Momentum, Optimizer::Adam]
        .into_iter()
        .flat_map(|kind| [(kind, &[32][..]), (kind, &[32, 16])])
    {
        let hidden = Hidden::new(widths).unwrap();
        for exponent in [1.0f32, 0.8] {
            let lr = if kind == Optimizer::Adam { 0.001 } else { 0.05 };
            let mut model = Mlp::glorot(hidden, 3);
            let lengths = lengths(&model);
            let mut grads = Mlp::zeros(hidden);
            let mut workspace = Workspace::new(16, hidden);
            let mut optimizer = OptimizerState::new(kind, lr, &lengths);
            let mut expected = f64_params(&model);
            let mut reference = Reference::new(kind, lr, &expected);
            let mut untouched_moved = 0;
            for step in 0..30 {
                workspace.load(&data, step * 16..(step + 1) * 16);
                workspace.hidden_layer(&model, &data);
                workspace.dense_layers(&model);
                workspace.loss_and_gradient(true);
                workspace.backward(&data, &mut grads);
                let rows = workspace.active_pixels().to_vec();
                let handed: Vec<Vec<f64>> = grads
                    .slices()
                    .iter()
                    .map(|s| {
                        s.iter()
                            .map(|&g| power_gradient(g.into(), exponent.into()))
                            .collect()
                    })
                    .collect();
                let before = w1_rows(&model);
                let rule = ayla::ayla::GradientRule::new(exponent);
                model.apply_gradients(&mut grads, &rows, &mut optimizer, |g| rule.apply(g));
                reference.step(&mut expected, &handed);
                // Rows of W1 this batch did not touch, which moved all the same.
                untouched_moved += (0..784)
                    .filter(|k| rows.binary_search(&(*k as u16)).is_err())
                    .filter(|&k| w1_rows(&model)[k] != before[k])
                    .count();
                for (k, (got, want)) in model.slices().iter().zip(&expected).enumerate() {
                    let worst = largest_difference(got, want);
                    assert!(
                        worst < 2e-6,
                        "{kind:?} {widths:?} N {exponent} step {}: tensor {k} off by {worst:e}",
                        step + 1
                    );
                }
            }
            assert!(
                untouched_moved > 100,
                "{kind:?}: {untouched_moved} untouched rows moved"
            );
        }
    }
}

#[test]
fn the_dense_sgd_step_equals_the_sparse_one_bit_for_bit() {
    // Plain SGD skips the rows of W1 a batch did not touch (their gradient is zero); the
    // optimizer's dense step over every element must give the same bits.
    let data = training_images(16 * 5);
    let mut sparse = Mlp::glorot(Hidden::one(32), 5);
    let mut dense = sparse.clone();
    let mut grads = Mlp::zeros(Hidden::one(32));
    let mut workspace = Workspace::new(16, Hidden::one(32));
    let mut optimizer = OptimizerState::new(Optimizer::Sgd, 0.1, &lengths(&sparse));
    for step in 0..5 {
        workspace.load(&data, step * 16..(step + 1) * 16);
        workspace.hidden_layer(&sparse, &data);
        workspace.dense_layers(&sparse);
        workspace.loss_and_gradient(true);
        workspace.backward(&data, &mut grads);
        sparse.sgd_step(&grads, workspace.active_pixels(), 0.1, |g| g);
        optimizer.step(dense.slices_mut().into_iter().zip(grads.slices()));
        assert!(workspace.active_pixels().len() < 784, "some rows untouched");
        assert_eq!(sparse, dense, "step {}", step + 1);
    }
}

fn run_steps(trainer: &mut Trainer, steps: usize) -> Vec<StepReport> {
    let mut reports = Vec::new();
    while reports.len() < steps {
        trainer.run_epoch(|r| {
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

#[test]
fn ayla_with_unit_exponents_equals_normal_bit_for_bit_under_momentum_and_adam() {
    // (Under plain SGD: tests/training.rs.)
    let train = training_images(4_000);
    let test = common::mnist_test();
    for (optimizer, lr) in [(Optimizer::Momentum, 0.01), (Optimizer::Adam, 0.001)] {
        let config = Config {
            n1: 1.0,
            n2: 1.0,
            learning_rate: lr,
            optimizer,
            train_size: 4_000,
            ..Config::default()
        };
        let mut runs = [Method::Normal, Method::Ayla].map(|method| {
            Trainer::new(
                config,
                method,
                Arc::clone(&train),
                Arc::clone(&test),
                common::no_clock,
            )
        });
        // 100 steps of 128 over 4,000 images: past an epoch, and the loss crosses below 1.
        let [normal, ayla] = runs.each_mut().map(|t| run_steps(t, 100));
        assert!(ayla.iter().any(|r| r.loss > 1.0) && ayla.iter().any(|r| r.loss < 1.0));
        for (a, n) in ayla.iter().zip(&normal) {
            assert_eq!(
                a.loss.to_bits(),
                n.loss.to_bits(),
                "{optimizer:?} step {}",
                a.step
            );
            assert_eq!(
                a.grad_norm.to_bits(),
                n.grad_norm.to_bits(),
                "{optimizer:?} step {}",
                a.step
            );
        }
        assert_eq!(runs[0].model(), runs[1].model(), "{optimizer:?}");
        assert!(
            runs[0].model() != &Mlp::glorot(config.hidden, config.seed),
            "{optimizer:?}: it trained"
        );
    }
}

#[test]
fn the_lines_describing_a_run_and_a_sweep_name_the_optimizer() {
    let labels = Optimizer::ALL.map(Optimizer::label);
    assert_eq!(labels, ["SGD", "SGD with momentum 0.9", "Adam"]);
    for optimizer in Optimizer::ALL {
        let config = Config {
            optimizer,
            ..Config::default()
        };
        let run = Comparison::new(config, 60_000).describe(60_000);
        assert!(
            run.contains(&format!(
                "lr 0.01 · {} · 128 hidden units",
                optimizer.label()
            )),
            "{run}"
        );
        let name = ["sgd", "momentum", "adam"][optimizer as usize];
        let pairs = [("n1", "0.9, 1.1"), ("optimizer", name)];
        let sweep = Sweep::parse(|key| pairs.iter().find(|(k, _)| *k == key).map(|(_, v)| *v));
        let line = SweepSession::new(sweep.expect("a valid sweep"), 60_000, 2).describe();
        assert!(
            line.contains(&format!(" · {} · ", optimizer.label())),
            "{line}"
        );
    }
}
