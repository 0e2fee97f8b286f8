//! What one image costs to train or to validate: dense-equivalent floating-point
//! operations (the figure GFLOP/s are quoted in), and a time model that counts the sparse
//! first layer's share as it runs (what the sweep estimate scales a measured speed by).

use crate::shape::Hidden;

/// Multiply-adds of one image through the first layer's kernel, and through every later
/// layer's.
fn products(hidden: Hidden) -> (f64, f64) {
    let shapes = hidden.kernel_shapes();
    let size = |&(inputs, outputs): &(usize, usize)| (inputs * outputs) as f64;
    (size(&shapes[0]), shapes[1..].iter().map(size).sum())
}

/// Dense-equivalent operations of one training image: forward (x · W of every layer) and
/// backward (every kernel's gradient, and dZ · Wᵀ for every layer but the first: the
/// pixels need no gradient), two per multiply-add.
pub fn train_flops_per_sample(hidden: Hidden) -> f64 {
    let (first, rest) = products(hidden);
    2.0 * (2.0 * first + 3.0 * rest)
}

/// Dense-equivalent operations of one validation image (forward only).
pub fn eval_flops_per_sample(hidden: Hidden) -> f64 {
    let (first, rest) = products(hidden);
    2.0 * (first + rest)
}

/// Dense-equivalent operations of one epoch of one method: `train` training images and a
/// validation pass over `test` images.
pub fn epoch_flops(train: usize, test: usize, hidden: Hidden) -> f64 {
    train as f64 * train_flops_per_sample(hidden) + test as f64 * eval_flops_per_sample(hidden)
}

/// What a dense-equivalent operation of the first layer costs against one of a dense
/// layer: its products skip MNIST's zero pixels (~80 %). Fitted to one epoch natively
/// (release build, CPU time of both methods on 20,000 training images): 128 units took
/// 0.53 s, 512 1.95 s, 512,256,128 5.93 s, and 256,128 1.79 s, where this model says
/// 1.81 s (dense-equivalent operations alone would say 1.28 s).
const FIRST_LAYER_COST: f64 = 0.27;

/// The time model's cost of one training image, in dense operations: proportional to the
/// time it takes, whatever the hidden layers.
pub fn train_cost_per_sample(hidden: Hidden) -> f64 {
    let (first, rest) = products(hidden);
    2.0 * (2.0 * FIRST_LAYER_COST * first + 3.0 * rest)
}

/// The time model's cost of one validation image, in the same units.
pub fn eval_cost_per_sample(hidden: Hidden) -> f64 {
    let (first, rest) = products(hidden);
    2.0 * (FIRST_LAYER_COST * first + rest)
}
