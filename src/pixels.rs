//! Every image's nonzero pixels, listed once per dataset: what the first layer's sparse
//! products read (MNIST images are ~80 % zero pixels, and a zero pixel adds nothing).

use crate::shape::PIXELS;

/// Every image's nonzero pixels (positions and byte values), in image order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NonzeroPixels {
    /// Image i's entries are `start[i]..start[i + 1]`.
    start: Vec<u32>,
    pixel: Vec<u16>,
    value: Vec<u8>,
}

impl NonzeroPixels {
    /// Indexes `images` (`PIXELS` bytes each), allocating exactly what the index needs
    /// (wasm memory never shrinks, so no oversized scratch).
    pub fn new(images: &[u8]) -> NonzeroPixels {
        let mut index = NonzeroPixels::with_capacity(images.len() / PIXELS, count_nonzero(images));
        index.push_images(images);
        index
    }

    /// An empty index with room for `images` images holding `entries` nonzero pixels in all
    /// (count them with [`count_nonzero`]), to be filled by [`NonzeroPixels::push_images`].
    pub fn with_capacity(images: usize, entries: usize) -> NonzeroPixels {
        let mut start = Vec::with_capacity(images + 1);
        start.push(0);
        NonzeroPixels {
            start,
            pixel: Vec::with_capacity(entries),
            value: Vec::with_capacity(entries),
        }
    }

    /// Appends whole images (`PIXELS` bytes each; a partial image at the end is ignored).
    pub fn push_images(&mut self, images: &[u8]) {
        let (mut pixel, mut value) = ([0u16; PIXELS], [0u8; PIXELS]);
        for image in images.chunks_exact(PIXELS) {
            let kept = compact(image, &mut pixel, &mut value);
            self.pixel.extend_from_slice(&pixel[..kept]);
            self.value.extend_from_slice(&value[..kept]);
            let end = u32::try_from(self.pixel.len()).expect("fewer than 2^32 nonzero pixels");
            self.start.push(end);
        }
    }

    /// Number of images indexed.
    pub fn len(&self) -> usize {
        self.start.len() - 1
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Image `i`'s pixel positions and values.
    pub fn image(&self, i: usize) -> (&[u16], &[u8]) {
        let range = self.start[i] as usize..self.start[i + 1] as usize;
        (&self.pixel[range.clone()], &self.value[range])
    }

    /// A copy of the index of the first `n` images.
    pub fn first(&self, n: usize) -> NonzeroPixels {
        let n = n.min(self.len());
        let kept = self.start[n] as usize;
        NonzeroPixels {
            start: self.start[..=n].to_vec(),
            pixel: self.pixel[..kept].to_vec(),
            value: self.value[..kept].to_vec(),
        }
    }

    /// Keeps the first `n` images.
    pub fn truncate(&mut self, n: usize) {
        if n < self.len() {
            self.start.truncate(n + 1);
            let kept = self.start[n] as usize;
            self.pixel.truncate(kept);
            self.value.truncate(kept);
        }
    }
}

/// How many bytes of `images` are nonzero (vectorises: one compare and add per byte).
pub fn count_nonzero(images: &[u8]) -> usize {
    images.iter().map(|&p| usize::from(p != 0)).sum()
}

/// Writes the positions and values of `image`'s nonzero pixels to the front of `pixel` and
/// `value`; returns how many there are. Eight pixels at a time: a group of eight zeros (the
/// margins, most of an image) costs one test.
fn compact(image: &[u8], pixel: &mut [u16; PIXELS], value: &mut [u8; PIXELS]) -> usize {
    let mut kept = 0;
    for (group, bytes) in image.chunks_exact(8).enumerate() {
        let word = u64::from_le_bytes(bytes.try_into().expect("eight bytes"));
        if word == 0 {
            continue;
        }
        // Branch-free within the group: every pixel is written, only nonzero ones kept (a
        // branch per pixel mispredicts on the ragged edges of the digits).
        for (k, &p) in bytes.iter().enumerate() {
            pixel[kept] = (group * 8 + k) as u16;
            value[kept] = p;
            kept += usize::from(p != 0);
        }
    }
    kept
}
