//! The network's shape: its fixed input and output sizes (28 × 28 images, 10 classes) and
//! the widths of its hidden layers. A leaf that the data reader, the kernels, the model and
//! the parameters all import.

use std::fmt;

use serde::{Deserialize, Serialize};

/// Images are `SIDE × SIDE` pixels.
pub const SIDE: usize = 28;
/// Pixels per image: the first layer's inputs.
pub const PIXELS: usize = SIDE * SIDE;
/// Number of classes (labels are `0..CLASSES`): the output layer's outputs.
pub const CLASSES: usize = 10;
/// Most hidden layers a network may have.
pub const MAX_HIDDEN_LAYERS: usize = 3;

/// The widths of the hidden ReLU layers, from the one on the pixels to the one under the
/// output: 1 to [`MAX_HIDDEN_LAYERS`] of them (a fixed array, so the parameters that hold
/// it stay `Copy`). Written "256,128"; in JSON a single layer is a plain number, as it was
/// before there could be more, and several are an array.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Hidden {
    /// The first `len` are the widths; the rest stay 0, so equal shapes compare equal.
    widths: [usize; MAX_HIDDEN_LAYERS],
    len: usize,
}

impl Hidden {
    /// One hidden layer of `width` units (the original network's shape).
    pub const fn one(width: usize) -> Hidden {
        let mut widths = [0; MAX_HIDDEN_LAYERS];
        widths[0] = width;
        Hidden { widths, len: 1 }
    }

    /// The layers of the given widths, first to last; `None` unless there are 1 to
    /// [`MAX_HIDDEN_LAYERS`] of them. (Each width's limits are the parameter's to check.)
    pub fn new(widths: &[usize]) -> Option<Hidden> {
        if widths.is_empty() || widths.len() > MAX_HIDDEN_LAYERS {
            return None;
        }
        let mut hidden = Hidden {
            widths: [0; MAX_HIDDEN_LAYERS],
            len: widths.len(),
        };
        hidden.widths[..widths.len()].copy_from_slice(widths);
        Some(hidden)
    }

    /// The widths, first layer first.
    pub fn widths(&self) -> &[usize] {
        &self.widths[..self.len]
    }

    /// Width of the first hidden layer (the one on the pixels).
    pub fn first(&self) -> usize {
        self.widths[0]
    }

    /// Width of the last hidden layer (the output layer's inputs).
    pub fn last(&self) -> usize {
        self.widths[self.len - 1]
    }

    /// Every layer's (inputs, outputs), pixels to classes: the shapes of the kernels.
    pub fn kernel_shapes(&self) -> Vec<(usize, usize)> {
        let sizes: Vec<usize> = std::iter::once(PIXELS)
            .chain(self.widths().iter().copied())
            .chain([CLASSES])
            .collect();
        sizes.windows(2).map(|pair| (pair[0], pair[1])).collect()
    }
}

/// "256,128": the form typed in the page, a link and the command line.
impl fmt::Display for Hidden {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let widths: Vec<String> = self.widths().iter().map(ToString::to_string).collect();
        f.write_str(&widths.join(","))
    }
}

impl fmt::Debug for Hidden {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Hidden({self})")
    }
}

/// One layer as a number (what every record held before layers were a list), several as
/// an array.
#[derive(Serialize, Deserialize)]
#[serde(untagged)]
enum Written {
    One(usize),
    Many(Vec<usize>),
}

impl Serialize for Hidden {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self.widths() {
            [width] => Written::One(*width),
            widths => Written::Many(widths.to_vec()),
        }
        .serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for Hidden {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Hidden, D::Error> {
        let widths = match Written::deserialize(deserializer)? {
            Written::One(width) => vec![width],
            Written::Many(widths) => widths,
        };
        Hidden::new(&widths).ok_or_else(|| {
            serde::de::Error::custom(format!(
                "Hidden units: 1 to {MAX_HIDDEN_LAYERS} layers, not {}.",
                widths.len()
            ))
        })
    }
}
