//! The network: Flatten 784 → Dense(hidden, ReLU) → Dense(10, softmax), in f32.
//!
//! Layout follows Keras' Dense: `z = x · W + b` with W stored (in × out), row-major,
//! so the reference weights in `tests/golden/` load as they are.

use ndarray::{s, Array1, Array2, ArrayView2, Axis, Zip};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::kernels::{self, PixelColumns};
use crate::mnist::Dataset;
use crate::shape::{CLASSES, PIXELS};

/// The trainable parameters.
#[derive(Debug, Clone, PartialEq)]
pub struct Mlp {
    pub w1: Array2<f32>,
    pub b1: Array1<f32>,
    pub w2: Array2<f32>,
    pub b2: Array1<f32>,
}

/// Gradients, shaped like the parameters.
pub type Grads = Mlp;

/// Loss and correct predictions of one batch, from the same forward pass.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BatchStats {
    /// Mean categorical cross-entropy over the batch.
    pub loss: f32,
    /// How many argmax predictions matched the label.
    pub correct: usize,
}

impl Mlp {
    /// All-zero parameters for a network with `hidden` units (also the shape of gradients).
    pub fn zeros(hidden: usize) -> Mlp {
        Mlp {
            w1: Array2::zeros((PIXELS, hidden)),
            b1: Array1::zeros(hidden),
            w2: Array2::zeros((hidden, CLASSES)),
            b2: Array1::zeros(CLASSES),
        }
    }

    /// Keras' default init: Glorot-uniform kernels, zero biases, from a seeded generator.
    pub fn glorot(hidden: usize, seed: u64) -> Mlp {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let mut model = Mlp::zeros(hidden);
        for kernel in [&mut model.w1, &mut model.w2] {
            let (fan_in, fan_out) = kernel.dim();
            let limit = (6.0 / (fan_in + fan_out) as f64).sqrt() as f32;
            kernel.mapv_inplace(|_| rng.random_range(-limit..limit));
        }
        model
    }

    /// Builds a model from row-major parameter vectors; `None` if a length is wrong.
    pub fn from_parts(
        hidden: usize,
        w1: Vec<f32>,
        b1: Vec<f32>,
        w2: Vec<f32>,
        b2: Vec<f32>,
    ) -> Option<Mlp> {
        Some(Mlp {
            w1: Array2::from_shape_vec((PIXELS, hidden), w1).ok()?,
            b1: (b1.len() == hidden).then(|| Array1::from(b1))?,
            w2: Array2::from_shape_vec((hidden, CLASSES), w2).ok()?,
            b2: (b2.len() == CLASSES).then(|| Array1::from(b2))?,
        })
    }

    /// Reads parameters saved as four raw little-endian f32 files, row-major, Dense layout:
    /// `w1.f32` (784 × hidden), `b1.f32`, `w2.f32` (hidden × 10), `b2.f32` — the layout of
    /// `tests/golden/`, so a run can start from weights another framework drew.
    pub fn read_raw(dir: &std::path::Path, hidden: usize) -> Result<Mlp, String> {
        let read = |name: &str| -> Result<Vec<f32>, String> {
            let path = dir.join(name);
            let bytes = std::fs::read(&path).map_err(|e| format!("{}: {e}", path.display()))?;
            let values = bytes.chunks_exact(4);
            Ok(values
                .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
                .collect())
        };
        let [w1, b1, w2, b2] = ["w1.f32", "b1.f32", "w2.f32", "b2.f32"];
        Mlp::from_parts(hidden, read(w1)?, read(b1)?, read(w2)?, read(b2)?).ok_or_else(|| {
            format!(
                "{}: the weights do not fit a 784-{hidden}-10 network",
                dir.display()
            )
        })
    }

    pub fn hidden(&self) -> usize {
        self.b1.len()
    }

    /// The four parameter arrays as flat slices, in a fixed order (w1, b1, w2, b2).
    pub fn slices(&self) -> [&[f32]; 4] {
        [
            self.w1.as_slice(),
            self.b1.as_slice(),
            self.w2.as_slice(),
            self.b2.as_slice(),
        ]
        .map(|a| a.expect("standard layout"))
    }

    /// Mutable flat slices, same order as [`Mlp::slices`].
    pub fn slices_mut(&mut self) -> [&mut [f32]; 4] {
        let Mlp { w1, b1, w2, b2 } = self;
        [
            w1.as_slice_mut(),
            b1.as_slice_mut(),
            w2.as_slice_mut(),
            b2.as_slice_mut(),
        ]
        .map(|a| a.expect("standard layout"))
    }

    /// The parts of the arrays that can hold nonzero gradients: the listed rows of W1
    /// (pixels nonzero somewhere in the batch, see [`Workspace::active_pixels`]) and all of
    /// b1, W2 and b2. Every other element of a batch's gradient is exactly zero, so the
    /// element-wise passes below skip a third of W1 on MNIST without changing any result.
    fn active<'a>(&'a self, w1_rows: &'a [u16]) -> impl Iterator<Item = &'a [f32]> {
        let w1 = self.w1.as_slice().expect("standard layout");
        let width = self.hidden();
        let rows = w1_rows
            .iter()
            .map(move |&k| &w1[usize::from(k) * width..][..width]);
        let [_, b1, w2, b2] = self.slices();
        rows.chain([b1, w2, b2])
    }

    /// Mutable [`Mlp::active`] parts, in the same order.
    fn active_mut<'a>(&'a mut self, w1_rows: &'a [u16]) -> impl Iterator<Item = &'a mut [f32]> {
        let width = self.hidden();
        let [w1, b1, w2, b2] = self.slices_mut();
        // Rows are listed in increasing order, so each can be split off the rest in turn.
        let mut rest = w1;
        let mut taken = 0;
        let rows = w1_rows.iter().map(move |&k| {
            let start = usize::from(k) * width - taken;
            let (_, tail) = std::mem::take(&mut rest).split_at_mut(start);
            let (row, after) = tail.split_at_mut(width);
            rest = after;
            taken += start + width;
            row
        });
        rows.chain([b1, w2, b2])
    }

    /// Global L2 norm of a gradient, accumulated in f64.
    pub fn l2_norm(&self, w1_rows: &[u16]) -> f32 {
        self.active(w1_rows).map(sum_of_squares).sum::<f64>().sqrt() as f32
    }

    /// Multiplies every element of a gradient by `factor`.
    pub fn scale(&mut self, factor: f32, w1_rows: &[u16]) {
        for s in self.active_mut(w1_rows) {
            s.iter_mut().for_each(|g| *g *= factor);
        }
    }

    /// SGD on transformed gradients, θ ← θ − lr · f(g), in one pass (`f(0)` must be 0).
    #[inline]
    pub fn sgd_step(
        &mut self,
        grads: &Grads,
        w1_rows: &[u16],
        learning_rate: f32,
        f: impl Fn(f32) -> f32,
    ) {
        for (param, grad) in self.active_mut(w1_rows).zip(grads.active(w1_rows)) {
            for (p, &g) in param.iter_mut().zip(grad) {
                *p -= learning_rate * f(g);
            }
        }
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

/// Dense-equivalent operations of one epoch of one method: `train` training images and a
/// validation pass over `test` images.
pub fn epoch_flops(train: usize, test: usize, hidden: usize) -> f64 {
    train as f64 * train_flops_per_sample(hidden) + test as f64 * eval_flops_per_sample(hidden)
}

/// Σ x² in f64, over eight independent partial sums so the adds vectorise (a single
/// running sum is one long dependency chain).
fn sum_of_squares(values: &[f32]) -> f64 {
    const LANES: usize = 8;
    let mut partial = [0.0f64; LANES];
    let chunks = values.chunks_exact(LANES);
    let tail: f64 = chunks
        .remainder()
        .iter()
        .map(|&v| f64::from(v) * f64::from(v))
        .sum();
    for chunk in chunks {
        for (acc, &v) in partial.iter_mut().zip(chunk) {
            *acc += f64::from(v) * f64::from(v);
        }
    }
    partial.iter().sum::<f64>() + tail
}

/// Buffers for one batch, allocated once per run and reused (wasm memory never shrinks).
#[derive(Debug, Clone)]
pub struct Workspace {
    /// The batch: which images of the dataset, and their nonzero pixels by pixel.
    images: Vec<u32>,
    columns: PixelColumns,
    /// Largest batch the buffers hold.
    capacity: usize,
    /// Hidden activations after ReLU (h > 0 exactly where the pre-activation was > 0).
    h: Array2<f32>,
    /// Logits, then overwritten by dL/dlogits in [`Workspace::loss_and_gradient`].
    z: Array2<f32>,
    /// dL/dh, masked by the ReLU into dL/dz1.
    dh: Array2<f32>,
    /// Labels of the loaded rows.
    labels: Vec<u8>,
    /// Rows filled by the last [`Workspace::load`].
    rows: usize,
}

impl Workspace {
    pub fn new(batch_size: usize, hidden: usize) -> Workspace {
        Workspace {
            images: Vec::with_capacity(batch_size),
            columns: PixelColumns::default(),
            capacity: batch_size,
            h: Array2::zeros((batch_size, hidden)),
            z: Array2::zeros((batch_size, CLASSES)),
            dh: Array2::zeros((batch_size, hidden)),
            labels: Vec::with_capacity(batch_size),
            rows: 0,
        }
    }

    /// The largest batch these buffers hold.
    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// Forward pass over the given images of `data`: fills the hidden activations and the
    /// logits, and keeps the labels for [`Workspace::loss_and_gradient`].
    pub fn forward(
        &mut self,
        model: &Mlp,
        data: &Dataset,
        images: impl ExactSizeIterator<Item = usize>,
    ) {
        self.load(data, images);
        self.hidden_layer(model, data);
        self.output_layer(model);
    }

    /// Takes the batch: which images of `data`, and their labels.
    pub fn load(&mut self, data: &Dataset, images: impl ExactSizeIterator<Item = usize>) {
        self.rows = images.len();
        assert!(
            self.rows <= self.capacity,
            "batch larger than the workspace"
        );
        self.images.clear();
        self.labels.clear();
        for i in images {
            self.images.push(i as u32);
            self.labels.push(data.label(i));
        }
    }

    /// The first layer: h = ReLU(x · W1 + b1) for the loaded batch of `data`.
    pub fn hidden_layer(&mut self, model: &Mlp, data: &Dataset) {
        let n = self.rows;
        let mut h = self.h.slice_mut(s![..n, ..]);
        kernels::sparse_times(
            data.nonzero_pixels(),
            &self.images,
            &model.w1,
            &model.b1,
            &mut h,
        );
        h.mapv_inplace(|v| v.max(0.0));
    }

    /// The second layer's logits z = h · W2 + b2.
    pub fn output_layer(&mut self, model: &Mlp) {
        let n = self.rows;
        let h = self.h.slice(s![..n, ..]);
        let mut z = self.z.slice_mut(s![..n, ..]);
        kernels::dense(&h, &model.w2, &model.b2, &mut z);
    }

    /// The pixels (rows of W1) nonzero in at least one image of the last backward pass's
    /// batch, in increasing order: the only rows of W1 whose gradient can be nonzero.
    pub fn active_pixels(&self) -> &[u16] {
        self.columns.active_pixels()
    }

    /// The logits of the loaded rows (valid after [`Workspace::forward`]).
    pub fn logits(&self) -> ArrayView2<'_, f32> {
        self.z.slice(s![..self.rows, ..])
    }

    /// Mean cross-entropy and correct count of the loaded rows, computed stably from the
    /// logits; when `with_gradient`, replaces the logits by dL/dlogits = (p − y) / B.
    pub fn loss_and_gradient(&mut self, with_gradient: bool) -> BatchStats {
        let n = self.rows;
        let labels = &self.labels;
        let mut z = self.z.slice_mut(s![..n, ..]);
        let mut total = 0.0f64;
        let mut correct = 0;
        for (mut row, &label) in z.rows_mut().into_iter().zip(labels) {
            let (argmax, max) =
                row.iter()
                    .enumerate()
                    .fold((0, f32::NEG_INFINITY), |best, (j, &v)| {
                        if v > best.1 {
                            (j, v)
                        } else {
                            best
                        }
                    });
            correct += usize::from(argmax == usize::from(label));
            let sum_exp: f32 = row.iter().map(|&v| (v - max).exp()).sum();
            let log_sum_exp = max + sum_exp.ln();
            total += f64::from(log_sum_exp - row[usize::from(label)]);
            if with_gradient {
                let inv = 1.0 / n as f32;
                for (j, v) in row.iter_mut().enumerate() {
                    let p = (*v - log_sum_exp).exp();
                    let y = if j == usize::from(label) { 1.0 } else { 0.0 };
                    *v = (p - y) * inv;
                }
            }
        }
        BatchStats {
            loss: (total / n as f64) as f32,
            correct,
        }
    }

    /// Backward pass from dL/dlogits (left in place by [`Workspace::loss_and_gradient`])
    /// to the gradients of every parameter; `data` is the one given to the forward pass.
    pub fn backward(&mut self, model: &Mlp, data: &Dataset, grads: &mut Grads) {
        self.output_layer_backward(model, grads);
        self.hidden_layer_backward(data, grads);
    }

    /// The second layer's gradients (W2, b2) and dL/dz1, the gradient at the first layer's
    /// pre-activations (dL/dh masked by the ReLU).
    pub fn output_layer_backward(&mut self, model: &Mlp, grads: &mut Grads) {
        let n = self.rows;
        let dz = self.z.slice(s![..n, ..]);
        let h = self.h.slice(s![..n, ..]);
        kernels::at_b(&h, &dz, &mut grads.w2.view_mut());
        column_sums(&dz, &mut grads.b2);
        let mut dh = self.dh.slice_mut(s![..n, ..]);
        kernels::a_bt(&dz, &model.w2, &mut dh);
        Zip::from(&mut dh).and(&h).for_each(|d, &a| {
            if a <= 0.0 {
                *d = 0.0;
            }
        });
    }

    /// The first layer's gradients (W1, b1) from dL/dz1, for the batch of `data`.
    pub fn hidden_layer_backward(&mut self, data: &Dataset, grads: &mut Grads) {
        let n = self.rows;
        let dh = self.dh.slice(s![..n, ..]);
        self.columns.index(data.nonzero_pixels(), &self.images);
        self.columns.transposed_times(&dh, &mut grads.w1);
        column_sums(&dh, &mut grads.b1);
    }
}

fn column_sums(a: &ArrayView2<'_, f32>, out: &mut Array1<f32>) {
    out.fill(0.0);
    for row in a.axis_iter(Axis(0)) {
        *out += &row;
    }
}
