//! The network: Flatten 784 → Dense(hidden, ReLU) for each hidden layer → Dense(10,
//! softmax), in f32. The original has one hidden layer of 128 units.
//!
//! Layout follows Keras' Dense: `z = x · W + b` with W stored (in × out), row-major,
//! so the reference weights in `tests/golden/` load as they are.

mod cost;
mod update;
mod workspace;

pub use cost::{
    epoch_flops, eval_cost_per_sample, eval_flops_per_sample, train_cost_per_sample,
    train_flops_per_sample,
};
pub use workspace::Workspace;

use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::shape::{Hidden, CLASSES, PIXELS};

/// One Dense layer's parameters.
#[derive(Debug, Clone, PartialEq)]
pub struct Dense {
    /// Row-major, one row of `outputs` weights per input.
    pub kernel: Vec<f32>,
    pub bias: Vec<f32>,
}

impl Dense {
    fn zeros(inputs: usize, outputs: usize) -> Dense {
        Dense {
            kernel: vec![0.0; inputs * outputs],
            bias: vec![0.0; outputs],
        }
    }

    pub fn inputs(&self) -> usize {
        self.kernel.len() / self.bias.len()
    }

    pub fn outputs(&self) -> usize {
        self.bias.len()
    }
}

/// The trainable parameters: a Dense layer per hidden layer, first (on the pixels) to last,
/// then the output layer.
#[derive(Debug, Clone, PartialEq)]
pub struct Mlp {
    layers: Vec<Dense>,
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
    /// All-zero parameters for a network with the given hidden layers (also the shape of
    /// gradients).
    pub fn zeros(hidden: Hidden) -> Mlp {
        Mlp {
            layers: hidden
                .kernel_shapes()
                .into_iter()
                .map(|(inputs, outputs)| Dense::zeros(inputs, outputs))
                .collect(),
        }
    }

    /// Keras' default init: Glorot-uniform kernels, zero biases, from one seeded generator
    /// drawing every kernel in turn, first layer first, each row-major (so a single hidden
    /// layer draws exactly what it always drew).
    pub fn glorot(hidden: Hidden, seed: u64) -> Mlp {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let mut model = Mlp::zeros(hidden);
        for layer in &mut model.layers {
            let (fan_in, fan_out) = (layer.inputs(), layer.outputs());
            let limit = (6.0 / (fan_in + fan_out) as f64).sqrt() as f32;
            for w in &mut layer.kernel {
                *w = rng.random_range(-limit..limit);
            }
        }
        model
    }

    /// A one-hidden-layer model from row-major parameter vectors; `None` if a length is
    /// wrong.
    pub fn from_parts(
        hidden: usize,
        w1: Vec<f32>,
        b1: Vec<f32>,
        w2: Vec<f32>,
        b2: Vec<f32>,
    ) -> Option<Mlp> {
        let fits = w1.len() == PIXELS * hidden
            && b1.len() == hidden
            && w2.len() == hidden * CLASSES
            && b2.len() == CLASSES;
        fits.then(|| Mlp {
            layers: vec![
                Dense {
                    kernel: w1,
                    bias: b1,
                },
                Dense {
                    kernel: w2,
                    bias: b2,
                },
            ],
        })
    }

    /// Reads a one-hidden-layer model saved as four raw little-endian f32 files, row-major,
    /// Dense layout: `w1.f32` (784 × hidden), `b1.f32`, `w2.f32` (hidden × 10), `b2.f32` —
    /// the layout of `tests/golden/`, so a run can start from weights another framework drew.
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

    /// The hidden layers' widths.
    pub fn hidden(&self) -> Hidden {
        let widths: Vec<usize> = self.hidden_layers().iter().map(Dense::outputs).collect();
        Hidden::new(&widths).expect("a model has 1 to 3 hidden layers")
    }

    /// Every layer, the hidden ones first, the output layer last.
    pub fn layers(&self) -> &[Dense] {
        &self.layers
    }

    /// Every layer, mutable (their shapes are the model's: keep the vectors' lengths).
    pub fn layers_mut(&mut self) -> &mut [Dense] {
        &mut self.layers
    }

    fn hidden_layers(&self) -> &[Dense] {
        &self.layers[..self.layers.len() - 1]
    }

    /// Every parameter tensor as a flat slice, in a fixed order: each layer's kernel, then
    /// its bias, first layer first (W1, b1, W2, b2, …). An optimizer keeping state per
    /// parameter walks these beside its own buffers of the same shapes.
    pub fn slices(&self) -> Vec<&[f32]> {
        self.layers
            .iter()
            .flat_map(|l| [l.kernel.as_slice(), l.bias.as_slice()])
            .collect()
    }

    /// Mutable flat slices, same order as [`Mlp::slices`].
    pub fn slices_mut(&mut self) -> Vec<&mut [f32]> {
        self.layers
            .iter_mut()
            .flat_map(|l| [l.kernel.as_mut_slice(), l.bias.as_mut_slice()])
            .collect()
    }

    /// The parts of the tensors that can hold nonzero gradients: the listed rows of W1
    /// (pixels nonzero somewhere in the batch, see [`Workspace::active_pixels`]) and all of
    /// every other tensor (b1, W2, b2, …). Every other element of a batch's gradient is
    /// exactly zero, so the element-wise passes below skip a third of W1 on MNIST without
    /// changing any result.
    fn active<'a>(&'a self, w1_rows: &'a [u16]) -> impl Iterator<Item = &'a [f32]> {
        let first = &self.layers[0];
        let width = first.outputs();
        let rows = w1_rows
            .iter()
            .map(move |&k| &first.kernel[usize::from(k) * width..][..width]);
        rows.chain(self.slices().into_iter().skip(1))
    }

    /// Mutable [`Mlp::active`] parts, in the same order.
    fn active_mut<'a>(&'a mut self, w1_rows: &'a [u16]) -> impl Iterator<Item = &'a mut [f32]> {
        let width = self.layers[0].outputs();
        let mut tensors = self.slices_mut().into_iter();
        let w1 = tensors.next().expect("a first layer");
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
        rows.chain(tensors)
    }
}
