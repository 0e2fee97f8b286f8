//! The second layer's products: `hidden` units to 10 classes, four hidden units at a time
//! in `wide`'s four-lane vectors. W2 is used transposed (one row of `hidden` weights per
//! class), so the four lanes run along the hidden units.

use wide::{f32x4, CmpLe};

use crate::shape::CLASSES;

/// z = h · W2 + b2, one row of logits per row of h (`width` wide); `w2t` is W2 transposed.
pub fn logits(h: &[f32], w2t: &[f32], b2: &[f32], width: usize, z: &mut [f32]) {
    let quads = width / 4;
    for (h, z) in h.chunks_exact(width).zip(z.chunks_exact_mut(CLASSES)) {
        let mut acc = [f32x4::ZERO; CLASSES];
        for q in 0..quads {
            let x = load(h, 4 * q);
            for (a, w) in acc.iter_mut().zip(w2t.chunks_exact(width)) {
                *a += x * load(w, 4 * q);
            }
        }
        for ((z, a), (w, b)) in z.iter_mut().zip(acc).zip(w2t.chunks_exact(width).zip(b2)) {
            let [a0, a1, a2, a3] = a.to_array();
            let mut sum = (a0 + a1) + (a2 + a3);
            for j in 4 * quads..width {
                sum += h[j] * w[j];
            }
            *z = sum + b;
        }
    }
}

/// The second layer's backward pass, from dz = dL/dlogits (one row of `CLASSES` per row
/// of h): its gradients dW2 (hidden × classes, like W2) and db2, and dL/dz1, the gradient
/// at the first layer's pre-activations (dz · W2ᵀ where h > 0, else 0) into `dh`, with its
/// column sums db1.
pub struct OutputBackward<'a> {
    pub h: &'a [f32],
    pub dz: &'a [f32],
    /// W2 transposed: one row of `width` weights per class.
    pub w2t: &'a [f32],
    pub width: usize,
}

/// See [`OutputBackward`]. Every sum runs over the batch rows (or the classes) in order.
pub fn output_backward(
    pass: &OutputBackward<'_>,
    dw2: &mut [f32],
    db2: &mut [f32],
    dh: &mut [f32],
    db1: &mut [f32],
) {
    let OutputBackward { h, dz, w2t, width } = *pass;
    db2.fill(0.0);
    for dz in dz.chunks_exact(CLASSES) {
        for (b, &d) in db2.iter_mut().zip(dz) {
            *b += d;
        }
    }
    // dW2[j, c] = Σ_i h[i, j] dz[i, c], four hidden units j at a time.
    let quads = width / 4;
    for q in 0..quads {
        let mut acc = [f32x4::ZERO; CLASSES];
        for (h, dz) in h.chunks_exact(width).zip(dz.chunks_exact(CLASSES)) {
            let x = load(h, 4 * q);
            for (a, &d) in acc.iter_mut().zip(dz) {
                *a += f32x4::splat(d) * x;
            }
        }
        for (c, a) in acc.iter().enumerate() {
            for (l, v) in a.to_array().into_iter().enumerate() {
                dw2[(4 * q + l) * CLASSES + c] = v;
            }
        }
    }
    for j in 4 * quads..width {
        for c in 0..CLASSES {
            let terms = h.chunks_exact(width).zip(dz.chunks_exact(CLASSES));
            dw2[j * CLASSES + c] = terms.fold(0.0, |sum, (h, dz)| sum + dz[c] * h[j]);
        }
    }
    // dh = dz · W2ᵀ masked by the ReLU, and db1 = Σ_i dh[i].
    db1.fill(0.0);
    let masked = |sum: f32, h: f32| if h <= 0.0 { 0.0 } else { sum };
    for ((h, dz), dh) in h
        .chunks_exact(width)
        .zip(dz.chunks_exact(CLASSES))
        .zip(dh.chunks_exact_mut(width))
    {
        for q in 0..quads {
            let mut acc = f32x4::ZERO;
            for (w, &d) in w2t.chunks_exact(width).zip(dz) {
                acc += f32x4::splat(d) * load(w, 4 * q);
            }
            let sum = load(h, 4 * q).cmp_le(f32x4::ZERO).blend(f32x4::ZERO, acc);
            store(sum, dh, 4 * q);
            store(load(db1, 4 * q) + sum, db1, 4 * q);
        }
        for j in 4 * quads..width {
            let sum = w2t
                .chunks_exact(width)
                .zip(dz)
                .fold(0.0, |sum, (w, &d)| sum + d * w[j]);
            dh[j] = masked(sum, h[j]);
            db1[j] += dh[j];
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
