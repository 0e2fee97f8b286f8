//! The IDX reader under generated inputs: arbitrary bytes, well-formed files with mutated
//! headers (magic, counts up to 0xFFFFFFFF, rows, cols, truncation, trailing bytes, flipped
//! bytes), the real MNIST files' first images under the same mutations, and raw pixel/label
//! pairs. Every input goes through every entry point and is checked by
//! `fuzz/idx_checks.rs` (shared with the cargo-fuzz target `fuzz/fuzz_targets/idx.rs`): no
//! panic, the result the IDX format prescribes (each rejection a named error with a one-sentence
//! message), consistent datasets, and no allocation larger than the input justifies.
//!
//! `PROPTEST_CASES=N cargo test --test idx_fuzz` runs N cases per property instead of the
//! defaults below. A failure prints the smallest input found; add it below as a named test.
#![cfg(not(target_arch = "wasm32"))]

#[path = "../fuzz/idx_checks.rs"]
mod idx_checks;

mod common;

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::sync::OnceLock;

use ayla::mnist::{
    encode_images, encode_labels, Dataset, FileKind, IdxError, IMAGES_MAGIC, LABELS_MAGIC, PIXELS,
    SIDE,
};
use idx_checks::{
    check_all, measure, variant, Counting, CHECK_ALLOC_LIMIT, DATASET_ALLOC_SLACK, VARIANTS,
};
use proptest::collection::vec;
use proptest::prelude::*;
use proptest::test_runner::TestRunner;

#[global_allocator]
static ALLOC: Counting = Counting;

/// `cases` per property unless `PROPTEST_CASES` says otherwise; failures are reported, not
/// written to a file in the tree.
fn config(cases: u32) -> ProptestConfig {
    let mut config = ProptestConfig {
        failure_persistence: None,
        ..ProptestConfig::default()
    };
    if std::env::var_os("PROPTEST_CASES").is_none() {
        config.cases = cases;
    }
    config
}

/// A change to a file's bytes.
#[derive(Debug, Clone)]
enum Mutation {
    /// Sets header field `.0` (0 is the magic number, then the dimensions) to `.1`.
    Field(usize, u32),
    /// Cuts this many bytes (modulo the length + 1) off the end.
    Cut(usize),
    /// Keeps only the first bytes: inside or just past the header.
    Keep(usize),
    /// Appends bytes.
    Append(Vec<u8>),
    /// XORs the byte at `.0` (modulo the length) with `.1`.
    Flip(usize, u8),
}

fn apply(mut bytes: Vec<u8>, mutations: &[Mutation]) -> Vec<u8> {
    for mutation in mutations {
        match mutation {
            Mutation::Field(field, value) => {
                let at = 4 * field;
                if bytes.len() >= at + 4 {
                    bytes[at..at + 4].copy_from_slice(&value.to_be_bytes());
                }
            }
            Mutation::Cut(n) => bytes.truncate(bytes.len() - n % (bytes.len() + 1)),
            Mutation::Keep(n) => bytes.truncate(*n),
            Mutation::Append(tail) => bytes.extend_from_slice(tail),
            Mutation::Flip(at, mask) => {
                if !bytes.is_empty() {
                    let at = at % bytes.len();
                    bytes[at] ^= mask;
                }
            }
        }
    }
    bytes
}

/// Header values worth trying: the format's own, small counts, the real files' counts, and
/// counts whose byte length overflows 32 bits.
fn field_value() -> impl Strategy<Value = u32> {
    let overflow = u32::MAX / PIXELS as u32 + 1;
    prop_oneof![
        0u32..4,
        Just(SIDE as u32),
        Just(IMAGES_MAGIC),
        Just(LABELS_MAGIC),
        Just(10_000),
        Just(60_000),
        Just(overflow - 1),
        Just(overflow),
        Just(0x8000_0000),
        Just(u32::MAX),
        any::<u32>(),
    ]
}

/// Mutations of a file whose header has `fields` 4-byte fields.
fn mutation(fields: usize) -> impl Strategy<Value = Mutation> {
    prop_oneof![
        3 => (0..fields, field_value()).prop_map(|(f, v)| Mutation::Field(f, v)),
        1 => prop_oneof![1usize..8, any::<usize>()].prop_map(Mutation::Cut),
        1 => (0usize..24).prop_map(Mutation::Keep),
        1 => vec(any::<u8>(), 1..16).prop_map(Mutation::Append),
        1 => (any::<usize>(), 1..=255u8).prop_map(|(at, mask)| Mutation::Flip(at, mask)),
    ]
}

/// The first `n` images and labels of the real MNIST test set.
fn real(n: usize) -> (Vec<u8>, Vec<u8>) {
    static REAL: OnceLock<Dataset> = OnceLock::new();
    let data = REAL.get_or_init(|| {
        let read = |name| std::fs::read(common::mnist_dir().join(name)).expect("MNIST files");
        let images = read(ayla::mnist::TEST_IMAGES);
        let labels = read(ayla::mnist::TEST_LABELS);
        // Their real headers, with the count cut down to the 4 images kept.
        let mut images = images[..16 + 4 * PIXELS].to_vec();
        let mut labels = labels[..8 + 4].to_vec();
        images[4..8].copy_from_slice(&4u32.to_be_bytes());
        labels[4..8].copy_from_slice(&4u32.to_be_bytes());
        Dataset::from_idx(images, labels).expect("the real files' first images")
    });
    let pixels = (0..n).flat_map(|i| data.image(i).to_vec()).collect();
    (pixels, data.labels()[..n].to_vec())
}

/// `count` images: mostly zero pixels, like MNIST, or the real ones.
fn pixels(count: usize) -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        3 => vec(prop_oneof![3 => Just(0u8), 1 => any::<u8>()], count * PIXELS),
        1 => Just(real(count).0),
    ]
}

/// `count` labels, now and then 10 (the first bad one) or any byte.
fn labels(count: usize) -> impl Strategy<Value = Vec<u8>> {
    vec(
        prop_oneof![36 => 0u8..10, 2 => Just(10u8), 1 => any::<u8>()],
        count,
    )
}

/// An image file and a label file: well formed, usually of the same count, then mutated.
fn file_pair() -> impl Strategy<Value = (Vec<u8>, Vec<u8>)> {
    (0usize..4)
        .prop_flat_map(|n| {
            (
                pixels(n),
                prop_oneof![4 => Just(n), 1 => 0usize..5].prop_flat_map(labels),
                vec(mutation(4), 0..3),
                vec(mutation(2), 0..3),
            )
        })
        .prop_map(|(pixels, labels, on_images, on_labels)| {
            (
                apply(encode_images(&pixels), &on_images),
                apply(encode_labels(&labels), &on_labels),
            )
        })
}

/// Runs `check_all` on every generated pair and tallies what `check_idx` answered.
fn tally(
    cases: u32,
    strategy: impl Strategy<Value = (Vec<u8>, Vec<u8>)>,
) -> BTreeMap<&'static str, u32> {
    let seen = RefCell::new(BTreeMap::new());
    TestRunner::new(config(cases))
        .run(&strategy, |(images, labels)| {
            let outcome = match check_all(&images, &labels) {
                Ok(_) => "Ok",
                Err(error) => variant(&error),
            };
            *seen.borrow_mut().entry(outcome).or_insert(0) += 1;
            Ok(())
        })
        .unwrap();
    seen.into_inner()
}

#[test]
fn mutated_headers_never_panic_and_reach_every_named_error() {
    let seen = tally(20_000, file_pair());
    // The generator must reach every outcome, or the properties were checked on too little.
    for outcome in VARIANTS.iter().chain(&["Ok"]) {
        assert!(
            seen.contains_key(outcome),
            "{outcome} never reached: {seen:?}"
        );
    }
}

#[test]
fn arbitrary_bytes_never_panic_and_every_rejection_is_named() {
    let seen = tally(50_000, (vec(any::<u8>(), 0..1024), vec(any::<u8>(), 0..64)));
    assert!(seen.contains_key("BadMagic"), "{seen:?}");
}

#[test]
fn arbitrary_bytes_behind_valid_magic_numbers_never_panic() {
    let file = |magic: u32, len| {
        vec(any::<u8>(), len).prop_map(move |tail| {
            let mut bytes = magic.to_be_bytes().to_vec();
            bytes.extend(tail);
            bytes
        })
    };
    let seen = tally(
        50_000,
        (file(IMAGES_MAGIC, 0..900), file(LABELS_MAGIC, 0..16)),
    );
    assert!(seen.contains_key("BadShape"), "{seen:?}");
}

#[test]
fn one_byte_string_split_anywhere_never_panics() {
    // As the fuzz target reads its input: one string cut into an image and a label file.
    let split = (0usize..4)
        .prop_flat_map(|n| (pixels(n), labels(n), any::<usize>()))
        .prop_map(|(pixels, labels, at)| {
            let mut bytes = encode_images(&pixels);
            bytes.extend(encode_labels(&labels));
            let at = at % (bytes.len() + 1);
            let labels = bytes.split_off(at);
            (bytes, labels)
        });
    tally(5_000, split);
}

#[test]
fn raw_pixels_and_labels_never_panic() {
    // `Dataset::new` takes pixels without a header: whole images or not, one label each or not.
    let raw = (0usize..4)
        .prop_flat_map(|n| {
            (
                pixels(n),
                prop_oneof![3 => Just(n), 1 => 0usize..5].prop_flat_map(labels),
                prop_oneof![3 => Just(0usize), 1 => 1usize..PIXELS],
            )
        })
        .prop_map(|(mut pixels, labels, cut)| {
            pixels.truncate(pixels.len().saturating_sub(cut));
            (pixels, labels)
        });
    let seen = RefCell::new(BTreeMap::new());
    TestRunner::new(config(5_000))
        .run(&raw, |(pixels, labels)| {
            let _ = check_all(&pixels, &labels);
            let outcome = match Dataset::new(pixels, labels) {
                Ok(_) => "Ok",
                Err(error) => variant(&error),
            };
            *seen.borrow_mut().entry(outcome).or_insert(0) += 1;
            Ok(())
        })
        .unwrap();
    let seen = seen.into_inner();
    for outcome in ["Ok", "CountMismatch", "BadLabel"] {
        assert!(
            seen.contains_key(outcome),
            "{outcome} never reached: {seen:?}"
        );
    }
}

#[test]
fn counts_of_0xffffffff_are_rejected_without_allocating() {
    let (pixels, labels) = real(1);
    let mut images = encode_images(&pixels);
    images[4..8].copy_from_slice(&u32::MAX.to_be_bytes());
    assert_eq!(
        check_all(&images, &encode_labels(&labels)),
        Err(IdxError::TruncatedBody {
            kind: FileKind::Images,
            expected: 16 + u64::from(u32::MAX) * PIXELS as u64,
            found: 16 + PIXELS,
        })
    );
    let mut labels = encode_labels(&labels);
    labels[4..8].copy_from_slice(&u32::MAX.to_be_bytes());
    assert_eq!(
        check_all(&encode_images(&pixels), &labels),
        Err(IdxError::TruncatedBody {
            kind: FileKind::Labels,
            expected: 8 + u64::from(u32::MAX),
            found: 9,
        })
    );
}

#[test]
fn empty_files_with_count_zero_are_an_empty_dataset() {
    assert_eq!(check_all(&encode_images(&[]), &encode_labels(&[])), Ok(0));
}

#[test]
fn real_images_pass_every_check() {
    let (pixels, labels) = real(4);
    assert_eq!(
        check_all(&encode_images(&pixels), &encode_labels(&labels)),
        Ok(4)
    );
}

#[test]
fn the_fuzz_seeds_pass_every_check() {
    // fuzz/seeds/idx (fuzz/make-seeds.py): the real test files' first images, with their
    // headers' counts cut to match or left at 10,000.
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/seeds/idx");
    let truncated = |found| {
        Err(IdxError::TruncatedBody {
            kind: FileKind::Images,
            expected: 16 + 10_000 * PIXELS as u64,
            found,
        })
    };
    for (seed, expected) in [
        ("empty-files", Ok(0)),
        ("one-image", Ok(1)),
        ("two-images", Ok(2)),
        ("real-headers-only", truncated(16)),
        ("real-headers-one-image", truncated(16 + PIXELS)),
    ] {
        let data = std::fs::read(dir.join(seed)).unwrap();
        let (images, labels) = idx_checks::split_input(&data);
        assert_eq!(check_all(images, labels), expected, "{seed}");
    }
}

#[test]
fn the_allocation_bounds_catch_a_reader_that_trusts_the_header() {
    idx_checks::assert_counting_is_installed();
    // A reader that reserves what the header promises before looking at the length: 784 KB
    // for a 24-byte pair of files claiming 1,000 images. The bounds must see it.
    let mut images = encode_images(&[]);
    images[4..8].copy_from_slice(&1000u32.to_be_bytes());
    let labels = encode_labels(&[]);
    let input = images.len() + labels.len();
    let (_, allocs) = measure(|| {
        let count = u32::from_be_bytes(images[4..8].try_into().unwrap()) as usize;
        std::hint::black_box(Vec::<u8>::with_capacity(count * PIXELS))
    });
    assert!(allocs.largest > CHECK_ALLOC_LIMIT);
    assert!(allocs.largest > 2 * input + DATASET_ALLOC_SLACK);
}
