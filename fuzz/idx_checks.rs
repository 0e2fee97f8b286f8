//! What must hold for any pair of byte strings given to the IDX reader, checked by both the
//! property test (`tests/idx_fuzz.rs`) and the cargo-fuzz target (`fuzz/fuzz_targets/idx.rs`):
//!
//! - `parse_images`, `parse_labels`, `check_idx`, `Dataset::from_idx` and `Dataset::new` return
//!   (they do not panic), and return exactly what the IDX format says: the count of a well-formed
//!   input, or for a malformed one the named error whose fields describe the input as it is;
//! - every error's message is one plain sentence that names the file and repeats its figures;
//! - an accepted input is consistent: `count × 784` pixel bytes, one label (0 to 9) per image,
//!   and the nonzero-pixel index agrees with the pixels;
//! - no allocation larger than the input justifies. Checking (and any rejection) copies
//!   nothing, so it allocates at most [`CHECK_ALLOC_LIMIT`] bytes in all, whatever the header
//!   claims; a dataset accepted allocates only its nonzero-pixel index (2 bytes of position and
//!   1 of value per nonzero pixel, 4 bytes of offset per image), so at most
//!   `2 × input + DATASET_ALLOC_SLACK` bytes at once and `4 × input + DATASET_ALLOC_SLACK` in all.
//!
//! Allocations are seen by [`Counting`], which each binary installs as its global allocator.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

use ayla::mnist::{
    check_idx, parse_images, parse_labels, Dataset, FileKind, IdxError, CLASSES, IMAGES_MAGIC,
    LABELS_MAGIC, PIXELS, SIDE,
};

/// Bytes that checking a pair of files, or rejecting it, may allocate in all (the header's
/// three dimension fields take 12).
pub const CHECK_ALLOC_LIMIT: usize = 64;
/// Constant part of a dataset's allocation bounds (the header fields, the index's first offset).
pub const DATASET_ALLOC_SLACK: usize = 64;

const IMAGES_HEADER: usize = 16;
const LABELS_HEADER: usize = 8;

/// The system allocator, recording the largest single allocation and the bytes allocated in
/// all on the current thread while [`measure`] runs.
pub struct Counting;

thread_local! {
    // Const-initialised and without destructors: reading them never allocates.
    static TRACKING: Cell<bool> = const { Cell::new(false) };
    static LARGEST: Cell<usize> = const { Cell::new(0) };
    static TOTAL: Cell<usize> = const { Cell::new(0) };
}

fn record(size: usize) {
    let _ = TRACKING.try_with(|on| {
        if on.get() {
            LARGEST.set(LARGEST.get().max(size));
            TOTAL.set(TOTAL.get().saturating_add(size));
        }
    });
}

// SAFETY: every call is passed on unchanged to `System`; recording touches only plain
// thread-local cells and never allocates.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        record(layout.size());
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        record(layout.size());
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        record(new_size);
        unsafe { System.realloc(ptr, layout, new_size) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
}

/// What one call allocated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Allocs {
    pub largest: usize,
    pub total: usize,
}

/// Runs `f`, recording its allocations on this thread.
pub fn measure<T>(f: impl FnOnce() -> T) -> (T, Allocs) {
    struct Stop;
    impl Drop for Stop {
        fn drop(&mut self) {
            TRACKING.set(false);
        }
    }
    LARGEST.set(0);
    TOTAL.set(0);
    TRACKING.set(true);
    let stop = Stop;
    let value = f();
    drop(stop);
    let allocs = Allocs {
        largest: LARGEST.get(),
        total: TOTAL.get(),
    };
    (value, allocs)
}

/// Panics unless [`Counting`] is this binary's global allocator (else every bound would hold
/// trivially).
pub fn assert_counting_is_installed() {
    let (_, allocs) = measure(|| std::hint::black_box(vec![0u8; 1000]));
    assert!(
        allocs.largest >= 1000,
        "the counting allocator is not installed: {allocs:?}"
    );
}

/// The name of an error's variant. Exhaustive on purpose: a new variant must be added here,
/// and so to the fuzzing's tally.
pub fn variant(error: &IdxError) -> &'static str {
    match error {
        IdxError::Empty { .. } => "Empty",
        IdxError::TruncatedHeader { .. } => "TruncatedHeader",
        IdxError::BadMagic { .. } => "BadMagic",
        IdxError::BadShape { .. } => "BadShape",
        IdxError::TruncatedBody { .. } => "TruncatedBody",
        IdxError::TrailingBytes { .. } => "TrailingBytes",
        IdxError::CountMismatch { .. } => "CountMismatch",
        IdxError::BadLabel { .. } => "BadLabel",
    }
}

/// Every variant's name, as [`variant`] gives it.
pub const VARIANTS: [&str; 8] = [
    "Empty",
    "TruncatedHeader",
    "BadMagic",
    "BadShape",
    "TruncatedBody",
    "TrailingBytes",
    "CountMismatch",
    "BadLabel",
];

fn word(bytes: &[u8], i: usize) -> u32 {
    u32::from_be_bytes([
        bytes[4 * i],
        bytes[4 * i + 1],
        bytes[4 * i + 2],
        bytes[4 * i + 3],
    ])
}

/// The header checks common to both files, as the IDX format describes them.
fn expected_header(
    bytes: &[u8],
    kind: FileKind,
    magic: u32,
    header: usize,
) -> Result<(), IdxError> {
    if bytes.is_empty() {
        return Err(IdxError::Empty { kind });
    }
    if bytes.len() < header {
        return Err(IdxError::TruncatedHeader {
            kind,
            needed: header,
            found: bytes.len(),
        });
    }
    if word(bytes, 0) != magic {
        return Err(IdxError::BadMagic {
            kind,
            expected: magic,
            found: word(bytes, 0),
        });
    }
    Ok(())
}

/// The file must hold exactly `header + body` bytes.
fn expected_length(bytes: &[u8], kind: FileKind, header: usize, body: u64) -> Result<(), IdxError> {
    let expected = header as u64 + body;
    let found = bytes.len();
    if (found as u64) < expected {
        Err(IdxError::TruncatedBody {
            kind,
            expected,
            found,
        })
    } else if found as u64 > expected {
        Err(IdxError::TrailingBytes {
            kind,
            expected,
            found,
        })
    } else {
        Ok(())
    }
}

/// The image count of a well-formed IDX image file, or the error it must be rejected with.
pub fn expected_images(bytes: &[u8]) -> Result<usize, IdxError> {
    let kind = FileKind::Images;
    expected_header(bytes, kind, IMAGES_MAGIC, IMAGES_HEADER)?;
    let (count, rows, cols) = (word(bytes, 1), word(bytes, 2), word(bytes, 3));
    if (rows, cols) != (SIDE as u32, SIDE as u32) {
        return Err(IdxError::BadShape { rows, cols });
    }
    expected_length(bytes, kind, IMAGES_HEADER, u64::from(count) * PIXELS as u64)?;
    Ok(count as usize)
}

/// The label count of a well-formed IDX label file, or the error it must be rejected with.
pub fn expected_labels(bytes: &[u8]) -> Result<usize, IdxError> {
    let kind = FileKind::Labels;
    expected_header(bytes, kind, LABELS_MAGIC, LABELS_HEADER)?;
    let count = word(bytes, 1);
    expected_length(bytes, kind, LABELS_HEADER, u64::from(count))?;
    Ok(count as usize)
}

/// Raw pixels against labels: whole images, one label each, each label below `CLASSES`.
pub fn expected_pair(pixels: &[u8], labels: &[u8]) -> Result<usize, IdxError> {
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

/// A pair of files: the image file's error first, then the label file's, then the pair's.
pub fn expected_files(images: &[u8], labels: &[u8]) -> Result<usize, IdxError> {
    expected_images(images)?;
    expected_labels(labels)?;
    expected_pair(&images[IMAGES_HEADER..], &labels[LABELS_HEADER..])
}

/// An error's message: one sentence, naming the file, with the error's figures in it.
pub fn check_message(error: &IdxError) {
    let message = error.to_string();
    let sentence = message.len() >= 20
        && message.starts_with(|c: char| c.is_ascii_uppercase())
        && message.ends_with('.')
        && !message.contains(['\n', '{', '}']);
    assert!(sentence, "{error:?} reads {message:?}");
    let (kind, figures): (Option<FileKind>, Vec<String>) = match *error {
        IdxError::Empty { kind } => (Some(kind), vec![]),
        IdxError::TruncatedHeader {
            kind,
            needed,
            found,
        } => (Some(kind), vec![needed.to_string(), found.to_string()]),
        IdxError::BadMagic {
            kind,
            expected,
            found,
        } => (
            Some(kind),
            vec![format!("0x{expected:08X}"), format!("0x{found:08X}")],
        ),
        IdxError::BadShape { rows, cols } => (None, vec![format!("{rows}×{cols}")]),
        IdxError::TruncatedBody {
            kind,
            expected,
            found,
        }
        | IdxError::TrailingBytes {
            kind,
            expected,
            found,
        } => (Some(kind), vec![expected.to_string(), found.to_string()]),
        IdxError::CountMismatch { images, labels } => {
            (None, vec![images.to_string(), labels.to_string()])
        }
        IdxError::BadLabel { index, label } => (None, vec![index.to_string(), label.to_string()]),
    };
    if let Some(kind) = kind {
        let name = kind.to_string();
        assert!(
            message.contains(&name),
            "{message:?} does not name the {name}"
        );
    }
    for figure in figures {
        assert!(message.contains(&figure), "{message:?} lacks {figure}");
    }
}

fn check_rejection<T>(result: &Result<T, IdxError>, allocs: Allocs, what: &str) {
    if let Err(error) = result {
        check_message(error);
        assert!(
            allocs.total <= CHECK_ALLOC_LIMIT,
            "{what} allocated {allocs:?} to reject the input with {error:?}"
        );
    }
}

/// A dataset built from `pixels` and `labels` holds them, and indexes its nonzero pixels.
fn check_dataset(data: &Dataset, pixels: &[u8], labels: &[u8]) {
    assert_eq!(data.len(), labels.len());
    assert_eq!(data.is_empty(), labels.is_empty());
    assert_eq!(data.labels(), labels);
    assert!(data.labels().iter().all(|&l| usize::from(l) < CLASSES));
    for (i, image) in pixels.chunks_exact(PIXELS).enumerate() {
        assert_eq!(data.image(i), image);
        assert_eq!(data.label(i), labels[i]);
        let (at, value) = data.nonzero(i);
        let expected: Vec<(u16, u8)> = (0..PIXELS)
            .filter(|&k| image[k] != 0)
            .map(|k| (k as u16, image[k]))
            .collect();
        let found: Vec<(u16, u8)> = at.iter().copied().zip(value.iter().copied()).collect();
        assert_eq!(at.len(), value.len());
        assert_eq!(found, expected, "nonzero pixels of image {i}");
    }
}

/// Allocation bounds of building a dataset from `input` bytes in all.
fn check_dataset_allocs(allocs: Allocs, input: usize, what: &str) {
    assert!(
        allocs.largest <= 2 * input + DATASET_ALLOC_SLACK
            && allocs.total <= 4 * input + DATASET_ALLOC_SLACK,
        "{what} allocated {allocs:?} for {input} bytes of input"
    );
}

/// The image file and the label file of one fuzz input: a 2-byte big-endian length `n`, then
/// the image file (`n` bytes, or all that is left), then the label file (the rest).
pub fn split_input(data: &[u8]) -> (&[u8], &[u8]) {
    match data {
        [hi, lo, rest @ ..] => {
            rest.split_at(usize::from(u16::from_be_bytes([*hi, *lo])).min(rest.len()))
        }
        _ => (data, &[]),
    }
}

/// Runs every reader entry point on an image file and a label file and checks every property
/// above; returns what `check_idx` returned (for a tally of the outcomes).
pub fn check_all(images: &[u8], labels: &[u8]) -> Result<usize, IdxError> {
    let input = images.len() + labels.len();

    let (parsed, allocs) = measure(|| parse_images(images));
    check_rejection(&parsed, allocs, "parse_images");
    assert!(
        allocs.total <= CHECK_ALLOC_LIMIT,
        "parse_images: {allocs:?}"
    );
    assert_eq!(
        parsed.clone().map(<[u8]>::len),
        expected_images(images).map(|count| count * PIXELS)
    );
    if let Ok(body) = parsed {
        // The body is the file's, not a copy.
        assert_eq!(body.as_ptr(), images[IMAGES_HEADER..].as_ptr());
    }

    let (parsed, allocs) = measure(|| parse_labels(labels));
    check_rejection(&parsed, allocs, "parse_labels");
    assert!(
        allocs.total <= CHECK_ALLOC_LIMIT,
        "parse_labels: {allocs:?}"
    );
    assert_eq!(parsed.clone().map(<[u8]>::len), expected_labels(labels));
    if let Ok(body) = parsed {
        assert_eq!(body.as_ptr(), labels[LABELS_HEADER..].as_ptr());
    }

    let (checked, allocs) = measure(|| check_idx(images, labels));
    check_rejection(&checked, allocs, "check_idx");
    assert!(allocs.total <= CHECK_ALLOC_LIMIT, "check_idx: {allocs:?}");
    assert_eq!(checked, expected_files(images, labels));

    let owned = (images.to_vec(), labels.to_vec());
    let (data, allocs) = measure(|| Dataset::from_idx(owned.0, owned.1));
    check_rejection(&data, allocs, "Dataset::from_idx");
    check_dataset_allocs(allocs, input, "Dataset::from_idx");
    assert_eq!(
        data.as_ref().map(Dataset::len).map_err(Clone::clone),
        checked
    );
    if let Ok(data) = &data {
        let (pixels, labels) = (&images[IMAGES_HEADER..], &labels[LABELS_HEADER..]);
        check_dataset(data, pixels, labels);
        // The same pixels and labels without their headers make the same dataset.
        let owned = (pixels.to_vec(), labels.to_vec());
        let (raw, allocs) = measure(|| Dataset::new(owned.0, owned.1));
        check_dataset_allocs(allocs, pixels.len() + labels.len(), "Dataset::new");
        assert_eq!(raw.as_ref(), Ok(data));
    }

    // The raw constructor on the bytes as they are.
    let owned = (images.to_vec(), labels.to_vec());
    let (raw, allocs) = measure(|| Dataset::new(owned.0, owned.1));
    check_rejection(&raw, allocs, "Dataset::new");
    check_dataset_allocs(allocs, input, "Dataset::new");
    assert_eq!(
        raw.as_ref().map(Dataset::len).map_err(Clone::clone),
        expected_pair(images, labels)
    );
    if let Ok(raw) = &raw {
        check_dataset(raw, images, labels);
    }

    checked
}
