//! The network: Flatten 784 → Dense(hidden, ReLU) → Dense(10, softmax), in f32.
//!
//! Layout follows Keras' Dense: `z = x · W + b` with W stored (in × out), row-major,
//! so the reference weights in `tests/golden/` load as they are.

mod update;
mod workspace;

pub use workspace::Workspace;

use ndarray::{Array1, Array2};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

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
        let read = |name: &str| {
            let path = dir.join(name);
            std::fs::read(&path).map_err(|e| format!("{}: {e}", path.display()))
        };
        let [w1, b1, w2, b2] = ["w1.f32", "b1.f32", "w2.f32", "b2.f32"];
        Mlp::from_raw(hidden, [&read(w1)?, &read(b1)?, &read(w2)?, &read(b2)?])
            .map_err(|e| format!("{}: {e}", dir.display()))
    }

    /// The parameters from the bytes of those four files (w1, b1, w2, b2), wherever they
    /// were read (the browser tests fetch them).
    pub fn from_raw(hidden: usize, [w1, b1, w2, b2]: [&[u8]; 4]) -> Result<Mlp, String> {
        let values = |bytes: &[u8]| -> Vec<f32> {
            let values = bytes.chunks_exact(4);
            values
                .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
                .collect()
        };
        Mlp::from_parts(hidden, values(w1), values(b1), values(w2), values(b2))
            .ok_or_else(|| format!("the weights do not fit a 784-{hidden}-10 network"))
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
