//! A batch's nonzero pixels listed by pixel: what both sparse products of the first layer
//! walk through.

use crate::pixels::NonzeroPixels;
use crate::shape::PIXELS;

/// The nonzero pixels of a batch of images, listed by pixel. Buffers are reused.
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

    /// Pixel `k`'s entries: the batch rows of the images where it is nonzero (in batch
    /// order) and its byte value in each.
    pub fn column(&self, k: u16) -> (&[u32], &[u8]) {
        let k = usize::from(k);
        let range = self.start[k] as usize..self.start[k + 1] as usize;
        (&self.image[range.clone()], &self.value[range])
    }
}
