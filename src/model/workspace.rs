//! Buffers for one batch and the passes through the network that use them: forward,
//! loss, backward. Allocated once per run and reused (wasm memory never shrinks).

use super::{BatchStats, Grads, Mlp};
use crate::fastmath::{self, Lanes, LANES};
use crate::kernels::{self, OutputBackward, PixelColumns};
use crate::mnist::Dataset;
use crate::shape::{CLASSES, PIXELS};

/// Images per pixel index: the backward pass walks a batch in chunks of this many so the
/// block of dL/dz1 it reads stays in the first-level cache whatever the batch size.
const CHUNK: usize = 256;

/// Buffers for one batch, allocated once per run and reused.
#[derive(Debug, Clone)]
pub struct Workspace {
    /// The batch: which images of the dataset, and their labels.
    images: Vec<u32>,
    labels: Vec<u8>,
    /// Largest batch the buffers hold.
    capacity: usize,
    /// Rows filled by the last [`Workspace::load`].
    rows: usize,
    /// Hidden units.
    width: usize,
    /// The batch's nonzero pixels by pixel, one index per chunk of [`CHUNK`] images
    /// (built by the backward pass).
    chunks: Vec<PixelColumns>,
    /// The pixels nonzero in some image of the batch, in increasing order.
    active: Vec<u16>,
    /// Hidden activations after ReLU (h > 0 exactly where the pre-activation was > 0),
    /// row-major, one row per image.
    h: Vec<f32>,
    /// Logits, then overwritten by dL/dlogits in [`Workspace::loss_and_gradient`].
    z: Vec<f32>,
    /// dL/dz1: dL/dh masked by the ReLU.
    dh: Vec<f32>,
    /// W2 transposed (one row per class), taken at the forward pass.
    w2t: Vec<f32>,
}

impl Workspace {
    pub fn new(batch_size: usize, hidden: usize) -> Workspace {
        Workspace {
            images: Vec::with_capacity(batch_size),
            labels: Vec::with_capacity(batch_size),
            capacity: batch_size,
            rows: 0,
            width: hidden,
            chunks: vec![PixelColumns::default(); batch_size.div_ceil(CHUNK)],
            active: Vec::with_capacity(PIXELS),
            h: vec![0.0; batch_size * hidden],
            z: vec![0.0; batch_size * CLASSES],
            dh: vec![0.0; batch_size * hidden],
            w2t: vec![0.0; hidden * CLASSES],
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
        let [w1, b1, _, _] = model.slices();
        let h = &mut self.h[..self.rows * self.width];
        kernels::hidden_forward(data.nonzero_pixels(), &self.images, w1, b1, h);
    }

    /// The second layer's logits z = h · W2 + b2.
    pub fn output_layer(&mut self, model: &Mlp) {
        let [_, _, w2, b2] = model.slices();
        let width = self.width;
        for (j, row) in w2.chunks_exact(CLASSES).enumerate() {
            for (c, &w) in row.iter().enumerate() {
                self.w2t[c * width + j] = w;
            }
        }
        let n = self.rows;
        kernels::logits(
            &self.h[..n * width],
            &self.w2t,
            b2,
            width,
            &mut self.z[..n * CLASSES],
        );
    }

    /// The pixels (rows of W1) nonzero in at least one image of the last backward pass's
    /// batch, in increasing order: the only rows of W1 whose gradient can be nonzero.
    pub fn active_pixels(&self) -> &[u16] {
        &self.active
    }

    /// The logits of the loaded rows, one row of `CLASSES` per image (valid after
    /// [`Workspace::forward`]).
    pub fn logits(&self) -> &[f32] {
        &self.z[..self.rows * CLASSES]
    }

    /// Mean cross-entropy and correct count of the loaded rows, computed stably from the
    /// logits; when `with_gradient`, replaces the logits by dL/dlogits = (p − y) / B.
    pub fn loss_and_gradient(&mut self, with_gradient: bool) -> BatchStats {
        let n = self.rows;
        let mut total = 0.0f64;
        let mut correct = 0;
        let inv = 1.0 / n as f32;
        for (row, &label) in self.z[..n * CLASSES]
            .chunks_exact_mut(CLASSES)
            .zip(&self.labels)
        {
            let label = usize::from(label);
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
            correct += usize::from(argmax == label);
            let sum_exp: f32 = exp_shifted(row, max).iter().sum();
            let log_sum_exp = max + fastmath::ln(sum_exp);
            total += f64::from(log_sum_exp - row[label]);
            if with_gradient {
                let p = exp_shifted(row, log_sum_exp);
                for (j, (v, p)) in row.iter_mut().zip(p).enumerate() {
                    let y = if j == label { 1.0 } else { 0.0 };
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
    pub fn backward(&mut self, data: &Dataset, grads: &mut Grads) {
        self.output_layer_backward(grads);
        self.hidden_layer_backward(data, grads);
    }

    /// The second layer's gradients (W2, b2), b1's, and dL/dz1, the gradient at the first
    /// layer's pre-activations (dL/dh masked by the ReLU).
    pub fn output_layer_backward(&mut self, grads: &mut Grads) {
        let (n, width) = (self.rows, self.width);
        let [_, db1, dw2, db2] = grads.slices_mut();
        let pass = OutputBackward {
            h: &self.h[..n * width],
            dz: &self.z[..n * CLASSES],
            w2t: &self.w2t,
            width,
        };
        kernels::output_backward(&pass, dw2, db2, &mut self.dh[..n * width], db1);
    }

    /// The first layer's kernel gradient (W1) from dL/dz1, for the batch of `data`: the
    /// batch is indexed by pixel, one chunk of images at a time.
    pub fn hidden_layer_backward(&mut self, data: &Dataset, grads: &mut Grads) {
        let (n, width) = (self.rows, self.width);
        let chunks = &mut self.chunks[..n.div_ceil(CHUNK)];
        let mut present = [false; PIXELS];
        for (columns, images) in chunks.iter_mut().zip(self.images.chunks(CHUNK)) {
            columns.index(data.nonzero_pixels(), images);
            for &k in columns.active_pixels() {
                present[usize::from(k)] = true;
            }
        }
        self.active.clear();
        self.active
            .extend((0..PIXELS as u16).filter(|&k| present[usize::from(k)]));
        let [dw1, _, _, _] = grads.slices_mut();
        kernels::weight_gradient(chunks, CHUNK, &self.dh[..n * width], width, dw1);
    }
}

/// e^(v − shift) for every logit of a row, a vector at a time (the polynomial exp: the
/// same bits on every target, unlike libm's).
fn exp_shifted(row: &[f32], shift: f32) -> [f32; CLASSES] {
    const PADDED: usize = CLASSES.next_multiple_of(LANES);
    let mut values = [f32::NEG_INFINITY; PADDED];
    values[..CLASSES].copy_from_slice(row);
    let mut out = [0.0; PADDED];
    for (o, v) in out.chunks_exact_mut(LANES).zip(values.chunks_exact(LANES)) {
        let shifted = fastmath::load(v) - Lanes::splat(shift);
        fastmath::store(fastmath::exp_lanes(shifted), o);
    }
    out[..CLASSES].try_into().expect("a row")
}
