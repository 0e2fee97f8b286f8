//! The first layer's products over the nonzero pixels of a batch.
//!
//! Forward, image by image: a block of 32 hidden units of the image's activations is summed
//! in registers over its nonzero pixels, within tiles of W1 that stay in the second-level
//! cache. Backward, pixel by pixel: a pixel's block of the weight gradient is summed in
//! registers over the images where it is nonzero, while that block of dL/dz1 for the whole
//! batch (128 images × 32 units = 16 KB) stays in the first-level cache. Each output element
//! is summed in the same order as a plain loop would (its terms by increasing pixel, or by
//! batch row), so the blocking changes no result, only where the operands come from.

use super::{PixelColumns, SCALED};
use crate::pixels::NonzeroPixels;
use crate::shape::PIXELS;

/// Hidden units handled together: 32 floats, eight four-lane registers.
const BLOCK: usize = 32;

/// Calls `f(start, size)` for consecutive column blocks covering `0..width`: blocks of
/// [`BLOCK`], then of 4, then single columns.
fn blocks(width: usize, mut f: impl FnMut(usize, usize)) {
    let mut start = 0;
    for size in [BLOCK, 4, 1] {
        while start + size <= width {
            f(start, size);
            start += size;
        }
    }
}

/// Hidden units per tile of the forward pass: a tile of W1 (784 rows × 128 units = 400 KB)
/// stays in the core's second-level cache while every image of the batch reads it, so a
/// wide hidden layer costs in proportion to its width.
const TILE: usize = 128;

/// h = ReLU(x · W1 + b1) for the images `images` of the index `data`, one row of `h` per
/// image (row-major, `b1.len()` wide). W1 is row-major, one row per pixel.
pub fn hidden_forward(data: &NonzeroPixels, images: &[u32], w1: &[f32], b1: &[f32], h: &mut [f32]) {
    let width = b1.len();
    for tile in (0..width).step_by(TILE) {
        let tile_end = (tile + TILE).min(width);
        for (&i, row) in images.iter().zip(h.chunks_exact_mut(width)) {
            let (pixels, values) = data.image(i as usize);
            blocks(tile_end - tile, |start, size| {
                let start = tile + start;
                match size {
                    BLOCK => forward_block::<BLOCK>(row, w1, b1, pixels, values, start),
                    4 => forward_block::<4>(row, w1, b1, pixels, values, start),
                    _ => forward_block::<1>(row, w1, b1, pixels, values, start),
                }
            });
        }
    }
}

/// One image's hidden units `start..start + W`: the bias plus its nonzero pixels' rows of
/// W1 (in increasing pixel order), accumulated in registers, then the ReLU.
#[inline(always)]
fn forward_block<const W: usize>(
    row: &mut [f32],
    w1: &[f32],
    b1: &[f32],
    pixels: &[u16],
    values: &[u8],
    start: usize,
) {
    let width = b1.len();
    let mut acc: [f32; W] = *block(b1, start);
    for (&k, &p) in pixels.iter().zip(values) {
        let x = SCALED[usize::from(p)];
        let weights: &[f32; W] = block(w1, usize::from(k) * width + start);
        for (a, &w) in acc.iter_mut().zip(weights) {
            *a += x * w;
        }
    }
    for v in &mut acc {
        *v = v.max(0.0);
    }
    *block_mut::<W>(row, start) = acc;
}

/// out = xᵀ · dz, the first layer's kernel gradient (PIXELS rows, `width` wide), for a batch
/// indexed in consecutive chunks of `chunk_rows` images (`chunks`; dz holds the whole
/// batch's rows). Rows of pixels that are zero in every image get zeros.
pub fn weight_gradient(
    chunks: &[PixelColumns],
    chunk_rows: usize,
    dz: &[f32],
    width: usize,
    out: &mut [f32],
) {
    blocks(width, |start, size| match size {
        BLOCK => gradient_block::<BLOCK>(chunks, chunk_rows, dz, width, out, start),
        4 => gradient_block::<4>(chunks, chunk_rows, dz, width, out, start),
        _ => gradient_block::<1>(chunks, chunk_rows, dz, width, out, start),
    });
}

/// [`weight_gradient`] for the hidden units `start..start + W`.
#[inline(always)]
fn gradient_block<const W: usize>(
    chunks: &[PixelColumns],
    chunk_rows: usize,
    dz: &[f32],
    width: usize,
    out: &mut [f32],
    start: usize,
) {
    // Whether a pixel's row has had a term yet: it starts from zero, then each chunk adds
    // its images' terms in batch order.
    let mut started = [false; PIXELS];
    for (c, columns) in chunks.iter().enumerate() {
        let first_row = c * chunk_rows;
        for &k in columns.active_pixels() {
            let k = usize::from(k);
            let target = block_mut::<W>(out, k * width + start);
            let mut acc = if started[k] { *target } else { [0.0; W] };
            started[k] = true;
            let (rows, values) = columns.column(k as u16);
            for (&i, &p) in rows.iter().zip(values) {
                let x = SCALED[usize::from(p)];
                let d: &[f32; W] = block(dz, (first_row + i as usize) * width + start);
                for (a, &g) in acc.iter_mut().zip(d) {
                    *a += x * g;
                }
            }
            *target = acc;
        }
    }
    for k in (0..PIXELS).filter(|&k| !started[k]) {
        *block_mut::<W>(out, k * width + start) = [0.0; W];
    }
}

#[inline(always)]
fn block<const W: usize>(values: &[f32], at: usize) -> &[f32; W] {
    values[at..at + W].try_into().expect("a whole block")
}

#[inline(always)]
fn block_mut<const W: usize>(values: &mut [f32], at: usize) -> &mut [f32; W] {
    (&mut values[at..at + W]).try_into().expect("a whole block")
}
