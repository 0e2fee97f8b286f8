//! The products of this network's forward and backward passes, written for it.
//!
//! The first layer dominates (784 × hidden of the ~0.41 MFLOP per image of the default
//! network), and MNIST images are ~80 % zero pixels, so its two products — x · W1 forward,
//! xᵀ · dZ1 backward — run over the nonzero pixels only (each image's list, and the batch's
//! listed by pixel: [`PixelColumns`]), blocked over the hidden units so their operands stay
//! in the core's caches whatever the hidden size (see `layer1`). Every later layer — deeper
//! hidden layers and the output layer — is dense (see `dense`), four inputs at a time in
//! `wide`'s four-lane vectors.
//!
//! Everything here is IEEE adds and multiplies in a fixed order (no fused multiply-add, no
//! library whose order depends on the machine), so every target computes the same bits.

mod columns;
pub mod dense;
mod layer1;

pub use columns::PixelColumns;
pub use layer1::{hidden_forward, weight_gradient};

/// `x / 255` for every byte, computed exactly once (a division per pixel is slow).
static SCALED: [f32; 256] = {
    let mut table = [0.0; 256];
    let mut p = 0;
    while p < 256 {
        table[p] = p as f32 / 255.0;
        p += 1;
    }
    table
};
