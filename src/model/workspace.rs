//! Buffers for one batch and the passes through the network that use them: forward,
//! loss, backward. Allocated once per run and reused (wasm memory never shrinks).

use super::{BatchStats, Grads, Mlp};
use crate::fastmath::{self, Lanes, LANES};
use crate::kernels::{self, dense, PixelColumns};
use crate::mnist::Dataset;
use crate::shape::{Hidden, CLASSES, PIXELS};

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
    /// The hidden layers' widths.
    hidden: Hidden,
    /// The batch's nonzero pixels by pixel, one index per chunk of [`CHUNK`] images
    /// (built by the backward pass).
    chunks: Vec<PixelColumns>,
    /// The pixels nonzero in some image of the batch, in increasing order.
    active: Vec<u16>,
    /// Each hidden layer's activations after ReLU (h > 0 exactly where the pre-activation
    /// was > 0), row-major, one row per image.
    h: Vec<Vec<f32>>,
    /// Logits, then overwritten by dL/dlogits in [`Workspace::loss_and_gradient`].
    z: Vec<f32>,
    /// Each hidden layer's dL/dz: the gradient at its pre-activations (dL/dh masked by the
    /// ReLU).
    dz: Vec<Vec<f32>>,
    /// The kernel of every layer after the first, transposed (one row per output), taken at
    /// the forward pass.
    wt: Vec<Vec<f32>>,
}

impl Workspace {
    pub fn new(batch_size: usize, hidden: Hidden) -> Workspace {
        let per_row = |width: usize| vec![0.0; batch_size * width];
        Workspace {
            images: Vec::with_capacity(batch_size),
            labels: Vec::with_capacity(batch_size),
            capacity: batch_size,
            rows: 0,
            hidden,
            chunks: vec![PixelColumns::default(); batch_size.div_ceil(CHUNK)],
            active: Vec::with_capacity(PIXELS),
            h: hidden.widths().iter().map(|&w| per_row(w)).collect(),
            z: per_row(CLASSES),
            dz: hidden.widths().iter().map(|&w| per_row(w)).collect(),
            wt: hidden.kernel_shapes()[1..]
                .iter()
                .map(|&(inputs, outputs)| vec![0.0; inputs * outputs])
                .collect(),
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
        self.dense_layers(model);
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

    /// The first layer: h1 = ReLU(x · W1 + b1) for the loaded batch of `data`, over each
    /// image's nonzero pixels.
    pub fn hidden_layer(&mut self, model: &Mlp, data: &Dataset) {
        let first = &model.layers()[0];
        let h = &mut self.h[0][..self.rows * first.outputs()];
        kernels::hidden_forward(
            data.nonzero_pixels(),
            &self.images,
            &first.kernel,
            &first.bias,
            h,
        );
    }

    /// Every layer after the first, in order: each deeper hidden layer's
    /// h = ReLU(h_below · W + b), then the logits z = h_last · W + b.
    pub fn dense_layers(&mut self, model: &Mlp) {
        let n = self.rows;
        let layers = model.layers();
        let last = layers.len() - 1;
        for (l, layer) in layers.iter().enumerate().skip(1) {
            let (inputs, outputs) = (layer.inputs(), layer.outputs());
            let wt = &mut self.wt[l - 1];
            dense::transpose(&layer.kernel, inputs, wt);
            let (below, above) = self.h.split_at_mut(l);
            let x = &below[l - 1][..n * inputs];
            if l == last {
                dense::forward(x, wt, &layer.bias, &mut self.z[..n * CLASSES]);
            } else {
                let h = &mut above[0][..n * outputs];
                dense::forward(x, wt, &layer.bias, h);
                dense::relu(h);
            }
        }
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
        self.dense_layers_backward(grads);
        self.hidden_layer_backward(data, grads);
    }

    /// The gradients of every layer after the first (kernels and biases), from the output
    /// layer down, each passing dL/dz to the hidden layer below it (through that layer's
    /// ReLU), down to the first layer's dL/dz1.
    pub fn dense_layers_backward(&mut self, grads: &mut Grads) {
        let n = self.rows;
        let last = grads.layers().len() - 1;
        let widths = self.hidden.widths();
        for (l, grad) in grads.layers_mut().iter_mut().enumerate().skip(1).rev() {
            let inputs = widths[l - 1];
            let (below, above) = self.dz.split_at_mut(l);
            let dz = if l == last {
                &self.z[..n * CLASSES]
            } else {
                &above[0][..n * widths[l]]
            };
            let x = &self.h[l - 1][..n * inputs];
            dense::kernel_gradient(x, dz, inputs, &mut grad.kernel);
            dense::column_sums(dz, &mut grad.bias);
            let dx = &mut below[l - 1][..n * inputs];
            dense::input_gradient(x, dz, &self.wt[l - 1], inputs, dx);
        }
    }

    /// The first layer's gradients (W1, b1) from dL/dz1, for the batch of `data`: W1's
    /// with the batch indexed by pixel, one chunk of images at a time.
    pub fn hidden_layer_backward(&mut self, data: &Dataset, grads: &mut Grads) {
        let (n, width) = (self.rows, self.hidden.first());
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
        let first = &mut grads.layers_mut()[0];
        let dz = &self.dz[0][..n * width];
        dense::column_sums(dz, &mut first.bias);
        kernels::weight_gradient(chunks, CHUNK, dz, width, &mut first.kernel);
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
