//! Benchmarks shared by the native bench (`benches/native.rs`) and the browser bench
//! (the wasm export in `web`): they print figures and never fail on a time.

use std::fmt;
use std::ops::ControlFlow;
use std::sync::Arc;

use ndarray::linalg::general_mat_mul;
use ndarray::{Array1, Array2};

use crate::ayla::{Branch, GradientRule};
use crate::config::Config;
use crate::fastmath::{self, LANES};
use crate::kernels;
use crate::method::Method;
use crate::mnist::Dataset;
use crate::model::epoch_flops;
use crate::shape::{Hidden, CLASSES, PIXELS};
use crate::train::{Laps, Phase, Trainer};

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
    let b1 = Array1::zeros(hidden);
    let b2 = Array1::zeros(CLASSES);
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
    let t = time_per_call(clock, 0.3, || dense(&x, &w1, &b1, &mut out_h));
    record("x_w1", (batch, PIXELS, hidden), t);
    let t = time_per_call(clock, 0.3, || dense(&h, &w2, &b2, &mut out_z));
    record("h_w2", (batch, hidden, CLASSES), t);
    let t = time_per_call(clock, 0.3, || {
        general_mat_mul(1.0, &x.t(), &h, 0.0, &mut out_w1)
    });
    record("xt_dz1", (PIXELS, batch, hidden), t);
    let t = time_per_call(clock, 0.3, || {
        general_mat_mul(1.0, &h.t(), &dz, 0.0, &mut out_w2)
    });
    record("ht_dz2", (hidden, batch, CLASSES), t);
    let t = time_per_call(clock, 0.3, || {
        general_mat_mul(1.0, &dz, &w2.t(), 0.0, &mut out_h)
    });
    record("dz2_w2t", (batch, CLASSES, hidden), t);
    figures
}

/// out = x · w + b through the library (ndarray's matrixmultiply).
fn dense(x: &Array2<f32>, w: &Array2<f32>, b: &Array1<f32>, out: &mut Array2<f32>) {
    let dim = out.dim();
    out.assign(&b.broadcast(dim).expect("bias matches the layer width"));
    general_mat_mul(1.0, x, w, 1.0, out);
}

/// The first layer's two products on a real 128-image batch, library (dense ndarray /
/// matrixmultiply) against the sparse kernels that replace it (the weight gradient's time
/// includes indexing the batch by pixel), and libm's `powf` against the polynomial one:
/// dense-equivalent GFLOP/s, and the speed-up.
pub fn replacement_figures(clock: fn() -> f64, train: &Dataset, hidden: usize) -> Vec<Figure> {
    let batch = 128.min(train.len());
    let images: Vec<u32> = (0..batch as u32).collect();
    let x = Array2::from_shape_fn((batch, PIXELS), |(i, k)| {
        f32::from(train.image(i)[k]) / 255.0
    });
    let w1 = Array2::from_shape_fn((PIXELS, hidden), |(k, j)| {
        ((k * 7 + j) % 13) as f32 * 0.01 - 0.06
    });
    let b1 = Array1::zeros(hidden);
    let dz = Array2::from_shape_fn((batch, hidden), |(i, j)| {
        ((i + j * 3) % 11) as f32 * 0.01 - 0.05
    });
    let mut h = Array2::zeros((batch, hidden));
    let mut dw1 = Array2::zeros((PIXELS, hidden));
    let mut columns = kernels::PixelColumns::default();
    let flops = 2.0 * (batch * PIXELS * hidden) as f64;
    let mut figures = Vec::new();
    let mut compare = |name: &str, library: f64, ours: f64| {
        figures.push(figure(
            format!("{name}_library"),
            flops / library / 1e9,
            "GFLOP/s",
        ));
        figures.push(figure(
            format!("{name}_sparse"),
            flops / ours / 1e9,
            "GFLOP/s",
        ));
        figures.push(figure(format!("{name}_speedup"), library / ours, "x"));
    };
    let library = time_per_call(clock, 0.3, || dense(&x, &w1, &b1, &mut h));
    let (w1s, b1s) = (
        w1.as_slice().expect("standard"),
        b1.as_slice().expect("standard"),
    );
    let ours = time_per_call(clock, 0.3, || {
        let h = h.as_slice_mut().expect("standard layout");
        kernels::hidden_forward(train.nonzero_pixels(), &images, w1s, b1s, h);
    });
    compare("layer1_forward", library, ours);
    let library = time_per_call(clock, 0.3, || {
        general_mat_mul(1.0, &x.t(), &dz, 0.0, &mut dw1)
    });
    let dzs = dz.as_slice().expect("standard layout");
    let ours = time_per_call(clock, 0.3, || {
        columns.index(train.nonzero_pixels(), &images);
        let dw1 = dw1.as_slice_mut().expect("standard layout");
        kernels::weight_gradient(std::slice::from_ref(&columns), batch, dzs, hidden, dw1);
    });
    compare("layer1_weight_gradient", library, ours);

    // The AYLA element-wise rule over one gradient's worth of elements.
    let grads: Vec<f32> = (0..PIXELS * hidden)
        .map(|i| ((i % 1000) as f32 - 500.0) * 1e-5)
        .collect();
    let mut out = grads.clone();
    let libm = time_per_call(clock, 0.3, || {
        for (o, &g) in out.iter_mut().zip(&grads) {
            *o = 0.95 * g.signum() * g.abs() * (g.abs() + crate::ayla::EPSILON).powf(-0.05);
        }
        std::hint::black_box(&mut out);
    });
    let ours = time_per_call(clock, 0.3, || {
        let rule = GradientRule::new(0.95);
        for (o, g) in out.chunks_exact_mut(LANES).zip(grads.chunks_exact(LANES)) {
            fastmath::store(rule.apply(fastmath::load(g)), o);
        }
        std::hint::black_box(&mut out);
    });
    let per_element = |seconds: f64| seconds * 1e9 / grads.len() as f64;
    figures.push(figure(
        "ayla_rule_libm_powf",
        per_element(libm),
        "ns/element",
    ));
    figures.push(figure(
        "ayla_rule_polynomial",
        per_element(ours),
        "ns/element",
    ));
    figures.push(figure("ayla_rule_speedup", libm / ours, "x"));

    // Indexing the training images' nonzero pixels, as a worker does with each data set.
    let raw: Vec<u8> = (0..train.len()).flat_map(|i| train.image(i)).collect();
    let index = time_per_call(clock, 0.3, || {
        std::hint::black_box(crate::pixels::NonzeroPixels::new(&raw));
    });
    figures.push(figure("index_training_images", index * 1e3, "ms"));
    figures
}

/// Milliseconds per training step of each method on real data (steps of the first epoch).
pub fn step_figures(clock: fn() -> f64, train: &Arc<Dataset>, test: &Arc<Dataset>) -> Vec<Figure> {
    let config = Config::default();
    let mut figures = Vec::new();
    for method in [Method::Normal, Method::Ayla] {
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
    let flops = epoch_flops(train.len(), test.len(), config.hidden);
    let mut figures = Vec::new();
    for method in [Method::Normal, Method::Ayla] {
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

/// Seconds spent in each [`Phase`], read from a clock at every lap.
struct Profile {
    clock: fn() -> f64,
    last: f64,
    seconds: [f64; Phase::ALL.len()],
}

impl Laps for Profile {
    fn lap(&mut self, phase: Phase) {
        let now = (self.clock)();
        self.seconds[phase as usize] += now - self.last;
        self.last = now;
    }
}

/// Where a training step's time goes: one whole epoch of each method (default config),
/// timed phase by phase; microseconds per step (the validation pass: milliseconds per
/// epoch). `ayla_rule_extra` is what AYLA's loss factor and update cost beyond Normal's.
pub fn profile_figures(
    clock: fn() -> f64,
    train: &Arc<Dataset>,
    test: &Arc<Dataset>,
) -> Vec<Figure> {
    let config = Config::default();
    let mut figures = Vec::new();
    let mut rule_cost = [0.0; 2];
    for (m, method) in [Method::Normal, Method::Ayla].into_iter().enumerate() {
        let mut trainer = Trainer::new(config, method, Arc::clone(train), Arc::clone(test), clock);
        let steps = trainer.batches_per_epoch() as f64;
        let mut profile = Profile {
            clock,
            last: clock(),
            seconds: [0.0; Phase::ALL.len()],
        };
        // Steps where AYLA's element-wise rule ran (N ≠ 1 for the batch's branch).
        let mut rule_steps = 0;
        trainer.run_epoch_with_laps(&mut profile, |report| {
            let exponent = match (method, report.branch) {
                (Method::Ayla, Some(Branch::Above)) => config.n1,
                (Method::Ayla, Some(Branch::Below)) => config.n2,
                _ => 1.0,
            };
            rule_steps += usize::from(exponent != 1.0);
            ControlFlow::Continue(())
        });
        let name = method.label().to_lowercase();
        if rule_steps > 0 {
            figures.push(figure(
                format!("profile_{name}_steps_with_the_element_rule"),
                rule_steps as f64,
                "steps",
            ));
        }
        let mut step_total = 0.0;
        for phase in Phase::ALL {
            let seconds = profile.seconds[phase as usize];
            if phase == Phase::Validation {
                figures.push(figure(
                    format!("profile_{name}_validation"),
                    seconds * 1e3,
                    "ms/epoch",
                ));
            } else {
                step_total += seconds;
                figures.push(figure(
                    format!("profile_{name}_{}", phase.name()),
                    seconds * 1e6 / steps,
                    "us/step",
                ));
            }
        }
        figures.push(figure(
            format!("profile_{name}_step_total"),
            step_total * 1e6 / steps,
            "us/step",
        ));
        let rule_phases = [Phase::LossFactor, Phase::Update];
        rule_cost[m] = rule_phases
            .iter()
            .map(|&p| profile.seconds[p as usize] * 1e6 / steps)
            .sum();
    }
    figures.push(figure(
        "profile_ayla_rule_extra",
        rule_cost[1] - rule_cost[0],
        "us/step",
    ));
    figures
}

/// The hidden sizes of the scaling figures, up to the page's limit.
pub const SCALING_HIDDEN: [usize; 6] = [128, 256, 512, 1024, 2048, 4096];

/// How a Normal training step's cost grows with the hidden layer: milliseconds per step at
/// each of [`SCALING_HIDDEN`], and the cost per hidden unit relative to 128 units (1.0 is
/// linear growth; the work itself grows linearly).
pub fn scaling_figures(
    clock: fn() -> f64,
    train: &Arc<Dataset>,
    test: &Arc<Dataset>,
) -> Vec<Figure> {
    let mut figures = Vec::new();
    let mut base = None;
    for hidden in SCALING_HIDDEN {
        let config = Config {
            hidden: Hidden::one(hidden),
            ..Config::default()
        };
        let mut trainer = Trainer::new(
            config,
            Method::Normal,
            Arc::clone(train),
            Arc::clone(test),
            clock,
        );
        let mut run_steps = |steps: usize| {
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
            (clock() - start) / steps as f64
        };
        run_steps(5); // warm-up: first touches of the buffers
        let seconds = run_steps(40);
        figures.push(figure(
            format!("scaling_hidden_{hidden}_step"),
            seconds * 1e3,
            "ms",
        ));
        let per_unit = seconds / hidden as f64;
        let base = *base.get_or_insert(per_unit);
        figures.push(figure(
            format!("scaling_hidden_{hidden}_per_unit_vs_128"),
            per_unit / base,
            "ratio",
        ));
    }
    figures
}

/// The benchmark groups, by name, in the order `make bench` runs them.
pub const GROUPS: [&str; 6] = ["gemm", "replacement", "step", "epoch", "profile", "scaling"];

/// Runs the groups named in `only` (comma-separated; every group if empty) on the training
/// and test sets, with the given clock.
pub fn run_groups(
    only: &str,
    clock: fn() -> f64,
    train: &Arc<Dataset>,
    test: &Arc<Dataset>,
) -> Vec<Figure> {
    let wanted = |group: &str| only.is_empty() || only.split(',').any(|g| g.trim() == group);
    let mut figures = Vec::new();
    for group in GROUPS.into_iter().filter(|g| wanted(g)) {
        figures.extend(match group {
            "gemm" => gemm_figures(clock, 128, 128),
            "replacement" => replacement_figures(clock, train, 128),
            "step" => step_figures(clock, train, test),
            "epoch" => epoch_figures(clock, train, test),
            "profile" => profile_figures(clock, train, test),
            _ => scaling_figures(clock, train, test),
        });
    }
    figures
}
