//! The network's fixed input and output sizes: 28 × 28 images, 10 classes. A leaf that the
//! data reader, the kernels and the model all import.

/// Images are `SIDE × SIDE` pixels.
pub const SIDE: usize = 28;
/// Pixels per image: the first layer's inputs.
pub const PIXELS: usize = SIDE * SIDE;
/// Number of classes (labels are `0..CLASSES`): the second layer's outputs.
pub const CLASSES: usize = 10;
