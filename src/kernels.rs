//! The matrix products of this network's forward and backward passes.
//!
//! The first layer dominates (784 × hidden of the ~0.41 MFLOP per image), and MNIST
//! images are ~80 % zero pixels, so its two products — x · W1 forward, xᵀ · dZ1 backward —
//! run over the nonzero pixels only: the same sums without the terms that are exactly zero.
//! The small second-layer products go through ndarray (matrixmultiply).

use ndarray::linalg::general_mat_mul;
use ndarray::{Array1, Array2, ArrayView2, ArrayViewMut2};

use crate::pixels::NonzeroPixels;
use crate::shape::PIXELS;

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

/// The nonzero pixels of one batch listed by pixel, for xᵀ · dZ1. Buffers are reused.
#[derive(Debug, Clone, Default)]
pub struct PixelColumns {
    /// Pixel k's entries are `start[k]..start[k + 1]` of `image` (the image's row in the
    /// batch) and `value`.
    start: Vec<u32>,
    image: Vec<u32>,
    value: Vec<u8>,
    /// Scratch for the counting sort: the next free slot of each pixel's list.
    next: Vec<u32>,
    /// The pixels with at least one entry, in increasing order.
    active: Vec<u16>,
}

/// out = x · w + b for the batch `images` of `data` (the first layer before its ReLU).
pub fn sparse_times(
    data: &NonzeroPixels,
    images: &[u32],
    w: &Array2<f32>,
    b: &Array1<f32>,
    out: &mut ArrayViewMut2<'_, f32>,
) {
    let w = w.as_slice().expect("standard layout");
    let b = b.as_slice().expect("standard layout");
    for (&i, mut row) in images.iter().zip(out.rows_mut()) {
        let row = row.as_slice_mut().expect("standard layout");
        row.copy_from_slice(b);
        let (pixels, values) = data.image(i as usize);
        weighted_row_sum(row, w, pixels, values);
    }
}

impl PixelColumns {
    /// Lists the nonzero pixels of the batch `images` of `data` by pixel (a counting sort;
    /// within a pixel, images stay in batch order so sums keep a fixed order).
    pub fn index(&mut self, data: &NonzeroPixels, images: &[u32]) {
        self.start.clear();
        self.start.resize(PIXELS + 1, 0);
        let mut entries = 0;
        for &i in images {
            let (pixels, _) = data.image(i as usize);
            entries += pixels.len();
            for &k in pixels {
                self.start[usize::from(k) + 1] += 1;
            }
        }
        self.active.clear();
        for k in 0..PIXELS {
            if self.start[k + 1] > 0 {
                self.active.push(k as u16);
            }
            self.start[k + 1] += self.start[k];
        }
        self.image.resize(entries, 0);
        self.value.resize(entries, 0);
        self.next.clear();
        self.next.extend_from_slice(&self.start[..PIXELS]);
        // Rows are u32 like the image numbers: a batch holds at most 2^32 images.
        for (row, &i) in (0u32..).zip(images) {
            let (pixels, values) = data.image(i as usize);
            for (&k, &v) in pixels.iter().zip(values) {
                let slot = &mut self.next[usize::from(k)];
                self.image[*slot as usize] = row;
                self.value[*slot as usize] = v;
                *slot += 1;
            }
        }
    }

    /// The pixels nonzero in at least one image of the indexed batch, in increasing order.
    pub fn active_pixels(&self) -> &[u16] {
        &self.active
    }

    /// out = xᵀ · dz for the indexed batch (the first layer's kernel gradient); rows of
    /// pixels that are zero in every image get zeros.
    pub fn transposed_times(&self, dz: &ArrayView2<'_, f32>, out: &mut Array2<f32>) {
        let dz = dz.as_slice().expect("standard layout");
        for (k, mut row) in out.rows_mut().into_iter().enumerate() {
            let range = self.start[k] as usize..self.start[k + 1] as usize;
            let row = row.as_slice_mut().expect("standard layout");
            row.fill(0.0);
            weighted_row_sum(row, dz, &self.image[range.clone()], &self.value[range]);
        }
    }
}

/// Width of the accumulator block kept in registers: 8 SIMD registers of 4 lanes.
const BLOCK: usize = 32;

/// out += Σ_j (pixels[j] / 255) · m[rows[j]], where m is row-major with rows as long as
/// `out`. Accumulates a block of `out` at a time so it stays in registers across the rows.
#[inline]
fn weighted_row_sum<R: RowNumber>(out: &mut [f32], m: &[f32], rows: &[R], pixels: &[u8]) {
    let width = out.len();
    let mut blocks = out.chunks_exact_mut(BLOCK);
    for (b, block) in blocks.by_ref().enumerate() {
        let mut acc = [0.0f32; BLOCK];
        acc.copy_from_slice(block);
        for (&r, &p) in rows.iter().zip(pixels) {
            let v = SCALED[usize::from(p)];
            let start = r.index() * width + b * BLOCK;
            let src: &[f32; BLOCK] = m[start..start + BLOCK].try_into().expect("a whole block");
            for (a, s) in acc.iter_mut().zip(src) {
                *a += v * s;
            }
        }
        block.copy_from_slice(&acc);
    }
    let tail_start = width - width % BLOCK;
    let tail = blocks.into_remainder();
    let tail_len = tail.len();
    for (&r, &p) in rows.iter().zip(pixels) {
        let v = SCALED[usize::from(p)];
        let start = r.index() * width + tail_start;
        for (a, s) in tail.iter_mut().zip(&m[start..start + tail_len]) {
            *a += v * s;
        }
    }
}

/// A row number of a matrix: a pixel (u16) or an image of the batch (u32).
trait RowNumber: Copy {
    fn index(self) -> usize;
}

impl RowNumber for u16 {
    #[inline(always)]
    fn index(self) -> usize {
        usize::from(self)
    }
}

impl RowNumber for u32 {
    #[inline(always)]
    fn index(self) -> usize {
        self as usize
    }
}
