//! The first layer's sparse products against plain dense arithmetic.
#![cfg(not(target_arch = "wasm32"))]

use ayla::kernels::{weight_gradient, PixelColumns};
use ayla::pixels::NonzeroPixels;
use ayla::shape::PIXELS;

#[test]
fn a_batch_of_more_than_65536_images_keeps_every_row_apart() {
    // 65,537 images, all black but the last, whose pixel 5 is white. Its batch row, 65,536,
    // once wrapped to row 0 in a 16-bit field and took row 0's gradient.
    let count = 65_537;
    let mut pixels = vec![0u8; count * PIXELS];
    pixels[(count - 1) * PIXELS + 5] = 255;
    let index = NonzeroPixels::new(&pixels);
    let batch: Vec<u32> = (0..count as u32).collect();
    let mut dz = vec![0.0f32; count];
    dz[count - 1] = 2.0;
    let mut columns = PixelColumns::default();
    columns.index(&index, &batch);
    let mut out = vec![f32::NAN; PIXELS];
    weight_gradient(std::slice::from_ref(&columns), count, &dz, 1, &mut out);
    assert_eq!(columns.active_pixels(), [5]);
    assert_eq!(out[5], 2.0, "pixel 5 · dz of the last image");
    assert_eq!(out.iter().sum::<f32>(), 2.0, "every other row zero");
}
