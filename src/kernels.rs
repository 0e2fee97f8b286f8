//! The matrix products of this network's forward and backward passes.
//!
//! Kept in one place so a faster kernel for these exact shapes can replace the library
//! call without touching the model.

use ndarray::linalg::general_mat_mul;
use ndarray::{Array1, Array2, ArrayView2, ArrayViewMut2};

/// out = x · w + b (a Dense layer before its activation).
pub fn dense(
    x: &ArrayView2<'_, f32>,
    w: &Array2<f32>,
    b: &Array1<f32>,
    out: &mut ArrayViewMut2<'_, f32>,
) {
    let dim = out.dim();
    out.assign(&b.broadcast(dim).expect("bias matches the layer width"));
    general_mat_mul(1.0, x, w, 1.0, out);
}

/// out = aᵀ · b (weight gradients: inputs transposed times output gradients).
pub fn at_b(a: &ArrayView2<'_, f32>, b: &ArrayView2<'_, f32>, out: &mut ArrayViewMut2<'_, f32>) {
    general_mat_mul(1.0, &a.t(), b, 0.0, out);
}

/// out = a · bᵀ (back-propagating through a Dense layer's kernel).
pub fn a_bt(a: &ArrayView2<'_, f32>, b: &Array2<f32>, out: &mut ArrayViewMut2<'_, f32>) {
    general_mat_mul(1.0, a, &b.t(), 0.0, out);
}
