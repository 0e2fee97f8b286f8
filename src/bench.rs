//! Benchmarks shared by the native bench (`benches/native.rs`) and the browser bench
//! (the wasm export in `web`): they print figures and never fail on a time.

use std::fmt;
use std::ops::ControlFlow;
use std::sync::Arc;

use ndarray::Array2;

use crate::config::Config;
use crate::kernels;
use crate::mnist::{Dataset, CLASSES, PIXELS};
use crate::train::{Method, Trainer};

/// One measured figure, printed as `bench: <name> <value> <unit>`.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Figure {
    pub name: String,
    pub value: f64,
    pub unit: &'static str,
}

impl fmt::Display for Figure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "bench: {} {:.4} {}", self.name, self.value, self.unit)
    }
}

fn figure(name: impl Into<String>, value: f64, unit: &'static str) -> Figure {
    Figure {
        name: name.into(),
        value,
        unit,
    }
}

/// Dense-equivalent floating-point operations of one training sample of 784-hidden-10:
/// forward (x·W1, h·W2) and backward (hᵀ·dZ2, dZ2·W2ᵀ, xᵀ·dZ1), two per multiply-add.
pub fn train_flops_per_sample(hidden: usize) -> f64 {
    let (p, h, c) = (PIXELS as f64, hidden as f64, CLASSES as f64);
    2.0 * (2.0 * p * h + 3.0 * h * c)
}

/// Dense-equivalent operations of one validation sample (forward only).
pub fn eval_flops_per_sample(hidden: usize) -> f64 {
    let (p, h, c) = (PIXELS as f64, hidden as f64, CLASSES as f64);
    2.0 * (p * h + h * c)
}

/// Runs `f` repeatedly for at least `min_seconds` (after one warm-up call) and returns the
/// mean seconds per call.
fn time_per_call(clock: fn() -> f64, min_seconds: f64, mut f: impl FnMut()) -> f64 {
    f();
    let start = clock();
    let mut calls = 0u32;
    while calls == 0 || clock() - start < min_seconds {
        f();
        calls += 1;
    }
    (clock() - start) / f64::from(calls)
}

/// GFLOP/s of the library matrix products for each shape of a 128-image batch.
pub fn gemm_figures(clock: fn() -> f64, batch: usize, hidden: usize) -> Vec<Figure> {
    let fill = |r, c| {
        Array2::from_shape_fn((r, c), |(i, j)| {
            ((i * 31 + j * 17) % 97) as f32 / 97.0 - 0.5
        })
    };
    let (x, w1, h, w2) = (
        fill(batch, PIXELS),
        fill(PIXELS, hidden),
        fill(batch, hidden),
        fill(hidden, CLASSES),
    );
    let dz = fill(batch, CLASSES);
    let mut out_h = Array2::zeros((batch, hidden));
    let mut out_z = Array2::zeros((batch, CLASSES));
    let mut out_w1 = Array2::zeros((PIXELS, hidden));
    let mut out_w2 = Array2::zeros((hidden, CLASSES));
    let b1 = ndarray::Array1::zeros(hidden);
    let b2 = ndarray::Array1::zeros(CLASSES);
    let gflops =
        |m: usize, k: usize, n: usize, seconds: f64| 2.0 * (m * k * n) as f64 / seconds / 1e9;
    let mut figures = Vec::new();
    let mut record = |name: &str, (m, k, n): (usize, usize, usize), seconds: f64| {
        figures.push(figure(
            format!("gemm_{name}_{m}x{k}x{n}"),
            gflops(m, k, n, seconds),
            "GFLOP/s",
        ));
    };
    let t = time_per_call(clock, 0.3, || {
        kernels::dense(&x.view(), &w1, &b1, &mut out_h.view_mut())
    });
    record("x_w1", (batch, PIXELS, hidden), t);
    let t = time_per_call(clock, 0.3, || {
        kernels::dense(&h.view(), &w2, &b2, &mut out_z.view_mut())
    });
    record("h_w2", (batch, hidden, CLASSES), t);
    let t = time_per_call(clock, 0.3, || {
        kernels::at_b(&x.view(), &h.view(), &mut out_w1.view_mut())
    });
    record("xt_dz1", (PIXELS, batch, hidden), t);
    let t = time_per_call(clock, 0.3, || {
        kernels::at_b(&h.view(), &dz.view(), &mut out_w2.view_mut())
    });
    record("ht_dz2", (hidden, batch, CLASSES), t);
    let t = time_per_call(clock, 0.3, || {
        kernels::a_bt(&dz.view(), &w2, &mut out_h.view_mut())
    });
    record("dz2_w2t", (batch, CLASSES, hidden), t);
    figures
}

/// Milliseconds per training step of each method on real data (steps of the first epoch).
pub fn step_figures(clock: fn() -> f64, train: &Arc<Dataset>, test: &Arc<Dataset>) -> Vec<Figure> {
    let config = Config::default();
    let mut figures = Vec::new();
    for method in [Method::Normal, Method::ayla(&config)] {
        let mut trainer = Trainer::new(config, method, Arc::clone(train), Arc::clone(test), clock);
        let steps = 100;
        let mut done = 0;
        let start = clock();
        trainer.run_epoch(|_| {
            done += 1;
            if done == steps {
                ControlFlow::Break(())
            } else {
                ControlFlow::Continue(())
            }
        });
        let ms = (clock() - start) * 1e3 / f64::from(steps);
        figures.push(figure(
            format!("step_{}", method.label().to_lowercase()),
            ms,
            "ms",
        ));
    }
    figures
}

/// One full epoch of each method, one after the other on one core: seconds, samples/s and
/// dense-equivalent GFLOP/s (training images plus the validation pass).
pub fn epoch_figures(clock: fn() -> f64, train: &Arc<Dataset>, test: &Arc<Dataset>) -> Vec<Figure> {
    let config = Config::default();
    let flops = train.len() as f64 * train_flops_per_sample(config.hidden)
        + test.len() as f64 * eval_flops_per_sample(config.hidden);
    let mut figures = Vec::new();
    for method in [Method::Normal, Method::ayla(&config)] {
        let mut trainer = Trainer::new(config, method, Arc::clone(train), Arc::clone(test), clock);
        let start = clock();
        trainer.run_epoch(|_| ControlFlow::Continue(()));
        let seconds = clock() - start;
        let name = method.label().to_lowercase();
        figures.push(figure(format!("epoch_{name}_seconds"), seconds, "s"));
        figures.push(figure(
            format!("epoch_{name}_samples_per_second"),
            train.len() as f64 / seconds,
            "samples/s",
        ));
        figures.push(figure(
            format!("epoch_{name}_dense_equivalent"),
            flops / seconds / 1e9,
            "GFLOP/s",
        ));
    }
    figures
}
