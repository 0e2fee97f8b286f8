//! A dense layer's products, for any widths: the output layer (the last hidden layer to the
//! 10 classes) and every hidden layer after the first (whose inputs, ReLU activations, are
//! dense). Four input units share a `wide` four-lane vector; a block of eight outputs (or
//! eight vectors of inputs) is summed at once, in registers.
//!
//! Each element is summed in one fixed order whatever the widths and the blocking — a
//! logit's terms lane by lane over the inputs, then the four lanes, then the leftover
//! inputs, then the bias; a weight gradient's over the batch rows; an input gradient's over
//! the outputs — so blocks change where operands come from, never a result. (This is the
//! order the output layer had when it was the only dense layer, so its numbers are kept.)

use wide::{f32x4, CmpLe};

/// Outputs (forward and weight gradient) or vectors of inputs (input gradient) handled
/// together: eight four-lane accumulators.
const BLOCK: usize = 8;

/// Calls `f(start, size)` for consecutive blocks covering `0..count`: of [`BLOCK`], then
/// single ones.
fn blocks(count: usize, mut f: impl FnMut(usize, usize)) {
    let mut start = 0;
    for size in [BLOCK, 1] {
        while start + size <= count {
            f(start, size);
            start += size;
        }
    }
}

/// W transposed into `wt`: one row of `inputs` weights per output, for the products below
/// (W is row-major, inputs × outputs, as Keras keeps it).
pub fn transpose(w: &[f32], inputs: usize, wt: &mut [f32]) {
    let outputs = w.len() / inputs;
    for (j, row) in w.chunks_exact(outputs).enumerate() {
        for (c, &v) in row.iter().enumerate() {
            wt[c * inputs + j] = v;
        }
    }
}

/// z = x · W + b, one row of z (`b.len()` wide) per row of x; `wt` is W transposed. A
/// block of outputs takes every row in turn, so its weights stay in the core's caches
/// however wide the layer.
pub fn forward(x: &[f32], wt: &[f32], b: &[f32], z: &mut [f32]) {
    let (inputs, outputs) = (wt.len() / b.len(), b.len());
    blocks(outputs, |start, size| {
        for (x, z) in x.chunks_exact(inputs).zip(z.chunks_exact_mut(outputs)) {
            match size {
                BLOCK => output_block::<BLOCK>(x, wt, b, z, start),
                _ => output_block::<1>(x, wt, b, z, start),
            }
        }
    });
}

/// One row's outputs `start..start + G`.
#[inline(always)]
fn output_block<const G: usize>(x: &[f32], wt: &[f32], b: &[f32], z: &mut [f32], start: usize) {
    let inputs = x.len();
    let quads = inputs / 4;
    let weights: [&[f32]; G] = std::array::from_fn(|g| &wt[(start + g) * inputs..][..inputs]);
    let mut acc = [f32x4::ZERO; G];
    for q in 0..quads {
        let v = load(x, 4 * q);
        for (a, w) in acc.iter_mut().zip(&weights) {
            *a += v * load(w, 4 * q);
        }
    }
    for (g, (a, w)) in acc.iter().zip(&weights).enumerate() {
        let [a0, a1, a2, a3] = a.to_array();
        let mut sum = (a0 + a1) + (a2 + a3);
        for j in 4 * quads..inputs {
            sum += x[j] * w[j];
        }
        z[start + g] = sum + b[start + g];
    }
}

/// The ReLU, in place: max(v, 0) (as the first layer's).
pub fn relu(values: &mut [f32]) {
    for v in values {
        *v = v.max(0.0);
    }
}

/// The kernel's gradient dW = xᵀ · dz (inputs × outputs, like W): dW[j, c] = Σ_i x[i, j]
/// dz[i, c] over the batch rows in order. x has rows of `inputs`, dz rows of outputs. A
/// block of outputs takes every vector of inputs in turn, so its column of dz stays in the
/// first-level cache.
pub fn kernel_gradient(x: &[f32], dz: &[f32], inputs: usize, dw: &mut [f32]) {
    let outputs = dw.len() / inputs;
    let quads = inputs / 4;
    blocks(outputs, |start, size| {
        for q in 0..quads {
            match size {
                BLOCK => kernel_block::<BLOCK>(x, dz, dw, (inputs, outputs), q, start),
                _ => kernel_block::<1>(x, dz, dw, (inputs, outputs), q, start),
            }
        }
    });
    for j in 4 * quads..inputs {
        for c in 0..outputs {
            let terms = x.chunks_exact(inputs).zip(dz.chunks_exact(outputs));
            dw[j * outputs + c] = terms.fold(0.0, |sum, (x, dz)| sum + dz[c] * x[j]);
        }
    }
}

/// dW for the four inputs of vector `q` and the outputs `start..start + G`.
#[inline(always)]
fn kernel_block<const G: usize>(
    x: &[f32],
    dz: &[f32],
    dw: &mut [f32],
    (inputs, outputs): (usize, usize),
    q: usize,
    start: usize,
) {
    let mut acc = [f32x4::ZERO; G];
    for (x, dz) in x.chunks_exact(inputs).zip(dz.chunks_exact(outputs)) {
        let v = load(x, 4 * q);
        for (a, &d) in acc.iter_mut().zip(&dz[start..start + G]) {
            *a += f32x4::splat(d) * v;
        }
    }
    for (g, a) in acc.iter().enumerate() {
        for (l, v) in a.to_array().into_iter().enumerate() {
            dw[(4 * q + l) * outputs + start + g] = v;
        }
    }
}

/// The gradient at the pre-activations of the ReLU layer whose activations x are this
/// layer's inputs: dx = dz · Wᵀ where x > 0, else 0 (each sum over the outputs in order).
/// `wt` is W transposed; x and dx have rows of `inputs`, dz rows of outputs. A block of
/// inputs takes every row in turn, so its columns of `wt` stay in the core's caches.
pub fn input_gradient(x: &[f32], dz: &[f32], wt: &[f32], inputs: usize, dx: &mut [f32]) {
    let outputs = wt.len() / inputs;
    let quads = inputs / 4;
    blocks(quads, |start, size| {
        for ((x, dz), dx) in rows(x, dz, dx, (inputs, outputs)) {
            match size {
                BLOCK => input_block::<BLOCK>(x, dz, wt, dx, start),
                _ => input_block::<1>(x, dz, wt, dx, start),
            }
        }
    });
    for ((x, dz), dx) in rows(x, dz, dx, (inputs, outputs)) {
        for j in 4 * quads..inputs {
            let sum = wt
                .chunks_exact(inputs)
                .zip(dz)
                .fold(0.0, |sum, (w, &d)| sum + d * w[j]);
            dx[j] = if x[j] <= 0.0 { 0.0 } else { sum };
        }
    }
}

/// Each row's x, dz and dx.
fn rows<'a>(
    x: &'a [f32],
    dz: &'a [f32],
    dx: &'a mut [f32],
    (inputs, outputs): (usize, usize),
) -> impl Iterator<Item = ((&'a [f32], &'a [f32]), &'a mut [f32])> {
    let rows = x.chunks_exact(inputs).zip(dz.chunks_exact(outputs));
    rows.zip(dx.chunks_exact_mut(inputs))
}

/// One row's dx for the `Q` vectors of inputs from vector `start`.
#[inline(always)]
fn input_block<const Q: usize>(x: &[f32], dz: &[f32], wt: &[f32], dx: &mut [f32], start: usize) {
    let inputs = x.len();
    let mut acc = [f32x4::ZERO; Q];
    for (w, &d) in wt.chunks_exact(inputs).zip(dz) {
        let d = f32x4::splat(d);
        for (k, a) in acc.iter_mut().enumerate() {
            *a += d * load(w, 4 * (start + k));
        }
    }
    for (k, a) in acc.into_iter().enumerate() {
        let at = 4 * (start + k);
        store(
            load(x, at).cmp_le(f32x4::ZERO).blend(f32x4::ZERO, a),
            dx,
            at,
        );
    }
}

/// Each column's sum over the rows, in row order: a bias's gradient from its layer's dz.
pub fn column_sums(rows: &[f32], out: &mut [f32]) {
    out.fill(0.0);
    for row in rows.chunks_exact(out.len()) {
        for (o, &v) in out.iter_mut().zip(row) {
            *o += v;
        }
    }
}

#[inline(always)]
fn load(values: &[f32], at: usize) -> f32x4 {
    let lanes: [f32; 4] = values[at..at + 4].try_into().expect("four lanes");
    f32x4::from(lanes)
}

#[inline(always)]
fn store(lanes: f32x4, values: &mut [f32], at: usize) {
    values[at..at + 4].copy_from_slice(&lanes.to_array());
}
