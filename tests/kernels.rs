//! The first layer's sparse products against plain dense arithmetic.
#![cfg(not(target_arch = "wasm32"))]

use ayla::kernels::PixelColumns;
use ayla::pixels::NonzeroPixels;
use ayla::shape::PIXELS;
use ndarray::Array2;

#[test]
fn a_batch_of_more_than_65536_images_keeps_every_row_apart() {
    // 65,537 images, all black but the last, whose pixel 5 is white. Its batch row, 65,536,
    // once wrapped to row 0 in a 16-bit field and took row 0's gradient.
    let count = 65_537;
    let mut pixels = vec![0u8; count * PIXELS];
    pixels[(count - 1) * PIXELS + 5] = 255;
    let index = NonzeroPixels::new(&pixels);
    let batch: Vec<u32> = (0..count as u32).collect();
    let mut dz = Array2::<f32>::zeros((count, 1));
    dz[[count - 1, 0]] = 2.0;
    let mut columns = PixelColumns::default();
    columns.index(&index, &batch);
    let mut out = Array2::zeros((PIXELS, 1));
    columns.transposed_times(&dz.view(), &mut out);
    assert_eq!(columns.active_pixels(), [5]);
    assert_eq!(out[[5, 0]], 2.0, "pixel 5 · dz of the last image");
    assert_eq!(out.sum(), 2.0);
}
