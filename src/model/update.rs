//! The element-wise passes of an update over a gradient's nonzero parts: the chain-rule
//! factor and the global norm in one pass, then the step (plain SGD's over those parts
//! only; the other optimizers' over every parameter).

use super::{Grads, Mlp};
use crate::config::Optimizer;
use crate::fastmath::{self, Lanes, LANES};
use crate::optimizer::OptimizerState;

impl Mlp {
    /// Multiplies every element of a gradient by `factor` (unless it is 1) and returns the
    /// gradient's global L2 norm afterwards, accumulated in f64: one pass over the rows of
    /// W1 listed in `w1_rows` and all of every other tensor (see `Mlp::active`).
    pub fn scale_and_norm(&mut self, factor: f32, w1_rows: &[u16]) -> f32 {
        let mut total = 0.0;
        for part in self.active_mut(w1_rows) {
            if factor != 1.0 {
                part.iter_mut().for_each(|g| *g *= factor);
            }
            total += sum_of_squares(part);
        }
        total.sqrt() as f32
    }

    /// One step of `optimizer` on the transformed gradient f(g) (`f(0)` must be 0). Plain
    /// SGD takes [`Mlp::sgd_step`], which leaves alone the rows of W1 the batch did not
    /// touch (their gradient is zero); momentum and Adam move every parameter, so the
    /// gradient is transformed in place first and the optimizer steps each whole array.
    pub fn apply_gradients(
        &mut self,
        grads: &mut Grads,
        w1_rows: &[u16],
        optimizer: &mut OptimizerState,
        f: impl Fn(Lanes) -> Lanes,
    ) {
        if optimizer.kind() == Optimizer::Sgd {
            self.sgd_step(grads, w1_rows, optimizer.learning_rate(), f);
        } else {
            grads.transform(w1_rows, f);
            optimizer.step(self.slices_mut().into_iter().zip(grads.slices()));
        }
    }

    /// g ← f(g) over the parts of a gradient that can be nonzero (`f(0)` must be 0, so the
    /// rest need not change), a vector of elements at a time as in [`Mlp::sgd_step`].
    fn transform(&mut self, w1_rows: &[u16], f: impl Fn(Lanes) -> Lanes) {
        for part in self.active_mut(w1_rows) {
            let mut grads = part.chunks_exact_mut(LANES);
            for g in grads.by_ref() {
                fastmath::store(f(fastmath::load(g)), g);
            }
            for g in grads.into_remainder() {
                *g = f(Lanes::splat(*g)).to_array()[0];
            }
        }
    }

    /// SGD on transformed gradients, θ ← θ − lr · f(g), over the parts that can be nonzero,
    /// as in [`Mlp::scale_and_norm`] (`f(0)` must be 0). `f` works on a vector of elements
    /// at a time; a part's last few go through it in the first lane, so every element gets
    /// the same arithmetic.
    #[inline]
    pub fn sgd_step(
        &mut self,
        grads: &Grads,
        w1_rows: &[u16],
        learning_rate: f32,
        f: impl Fn(Lanes) -> Lanes,
    ) {
        let lr = Lanes::splat(learning_rate);
        for (param, grad) in self.active_mut(w1_rows).zip(grads.active(w1_rows)) {
            let mut params = param.chunks_exact_mut(LANES);
            let mut grads = grad.chunks_exact(LANES);
            for (p, g) in params.by_ref().zip(grads.by_ref()) {
                fastmath::store(fastmath::load(p) - lr * f(fastmath::load(g)), p);
            }
            for (p, &g) in params.into_remainder().iter_mut().zip(grads.remainder()) {
                *p -= learning_rate * f(Lanes::splat(g)).to_array()[0];
            }
        }
    }
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
