//! IDX reading: real MNIST parses, and every malformed input is a named error.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use ayla::mnist::{
    check_idx, check_not_empty, encode_images, encode_labels, parse_images, parse_labels, Dataset,
    FileKind, IdxError, PIXELS,
};

fn tiny(count: usize) -> (Vec<u8>, Vec<u8>) {
    let pixels: Vec<u8> = (0..count * PIXELS).map(|i| (i % 251) as u8).collect();
    let labels: Vec<u8> = (0..count).map(|i| (i % 10) as u8).collect();
    (encode_images(&pixels), encode_labels(&labels))
}

#[test]
fn well_formed_files_parse() {
    let (images, labels) = tiny(3);
    let data = Dataset::from_idx(images.clone(), labels.clone()).unwrap();
    assert_eq!(data.len(), 3);
    assert_eq!(data.image(1), &images[16 + PIXELS..16 + 2 * PIXELS]);
    assert_eq!(data.labels(), &[0, 1, 2]);
}

#[test]
fn real_mnist_has_the_canonical_counts() {
    let train = common::mnist_train();
    let test = common::mnist_test();
    assert_eq!((train.len(), test.len()), (60_000, 10_000));
    let zeros = train.labels().iter().filter(|&&l| l == 0).count();
    let nines = train.labels().iter().filter(|&&l| l == 9).count();
    assert_eq!((zeros, nines), (5923, 5949));
}

#[test]
fn empty_input_is_reported() {
    assert_eq!(
        parse_images(&[]),
        Err(IdxError::Empty {
            kind: FileKind::Images
        })
    );
    assert_eq!(
        parse_labels(&[]),
        Err(IdxError::Empty {
            kind: FileKind::Labels
        })
    );
}

#[test]
fn truncated_header_is_reported() {
    let (images, labels) = tiny(1);
    assert_eq!(
        parse_images(&images[..10]),
        Err(IdxError::TruncatedHeader {
            kind: FileKind::Images,
            needed: 16,
            found: 10
        })
    );
    assert_eq!(
        parse_labels(&labels[..7]),
        Err(IdxError::TruncatedHeader {
            kind: FileKind::Labels,
            needed: 8,
            found: 7
        })
    );
}

#[test]
fn bad_magic_is_reported() {
    let (images, labels) = tiny(1);
    // A label file offered as images, and the other way round.
    assert_eq!(
        parse_images(&labels),
        Err(IdxError::TruncatedHeader {
            kind: FileKind::Images,
            needed: 16,
            found: 9
        })
    );
    assert_eq!(
        parse_labels(&images),
        Err(IdxError::BadMagic {
            kind: FileKind::Labels,
            expected: 0x801,
            found: 0x803
        })
    );
    let mut gz = images.clone();
    gz[..4].copy_from_slice(&[0x1f, 0x8b, 0x08, 0x00]);
    let err = parse_images(&gz).unwrap_err();
    assert_eq!(
        err,
        IdxError::BadMagic {
            kind: FileKind::Images,
            expected: 0x803,
            found: 0x1f8b_0800
        }
    );
    assert!(err.to_string().contains("0x1F8B0800"), "{err}");
}

#[test]
fn wrong_image_shape_is_reported() {
    let (mut images, _) = tiny(1);
    images[8..12].copy_from_slice(&32u32.to_be_bytes());
    assert_eq!(
        parse_images(&images),
        Err(IdxError::BadShape { rows: 32, cols: 28 })
    );
}

#[test]
fn truncated_body_is_reported() {
    let (images, labels) = tiny(2);
    let cut = images.len() - 1;
    assert_eq!(
        parse_images(&images[..cut]),
        Err(IdxError::TruncatedBody {
            kind: FileKind::Images,
            expected: images.len() as u64,
            found: cut
        })
    );
    assert_eq!(
        parse_labels(&labels[..9]),
        Err(IdxError::TruncatedBody {
            kind: FileKind::Labels,
            expected: 10,
            found: 9
        })
    );
}

#[test]
fn huge_count_in_header_is_refused_without_allocating() {
    let (mut images, _) = tiny(1);
    images[4..8].copy_from_slice(&u32::MAX.to_be_bytes());
    let err = parse_images(&images).unwrap_err();
    assert_eq!(
        err,
        IdxError::TruncatedBody {
            kind: FileKind::Images,
            expected: u64::from(u32::MAX) * PIXELS as u64 + 16,
            found: images.len()
        }
    );
}

#[test]
fn trailing_bytes_are_reported() {
    let (_, mut labels) = tiny(2);
    labels.push(3);
    assert_eq!(
        parse_labels(&labels),
        Err(IdxError::TrailingBytes {
            kind: FileKind::Labels,
            expected: 10,
            found: 11
        })
    );
}

#[test]
fn count_mismatch_is_reported() {
    let (images, _) = tiny(3);
    let (_, labels) = tiny(2);
    let err = Dataset::from_idx(images.clone(), labels.clone()).unwrap_err();
    assert_eq!(
        err,
        IdxError::CountMismatch {
            images: 3,
            labels: 2
        }
    );
    assert_eq!(
        err.to_string(),
        "The files do not belong together: 3 images but 2 labels."
    );
}

#[test]
fn label_above_nine_is_reported() {
    let (images, mut labels) = tiny(3);
    labels[8 + 2] = 10;
    let err = Dataset::from_idx(images.clone(), labels.clone()).unwrap_err();
    assert_eq!(
        err,
        IdxError::BadLabel {
            index: 2,
            label: 10
        }
    );
    assert_eq!(err.to_string(), "Label 2 is 10; labels must be 0 to 9.");
}

#[test]
fn every_error_reads_as_a_sentence() {
    let errors = [
        IdxError::Empty {
            kind: FileKind::Labels,
        },
        IdxError::TruncatedHeader {
            kind: FileKind::Images,
            needed: 16,
            found: 3,
        },
        IdxError::BadMagic {
            kind: FileKind::Images,
            expected: 0x803,
            found: 0,
        },
        IdxError::BadShape { rows: 1, cols: 1 },
        IdxError::TruncatedBody {
            kind: FileKind::Images,
            expected: 100,
            found: 50,
        },
        IdxError::TrailingBytes {
            kind: FileKind::Labels,
            expected: 10,
            found: 12,
        },
        IdxError::CountMismatch {
            images: 1,
            labels: 2,
        },
        IdxError::BadLabel {
            index: 0,
            label: 200,
        },
    ];
    for e in errors {
        let text = e.to_string();
        assert!(
            text.starts_with(char::is_uppercase) && text.ends_with('.'),
            "{text}"
        );
    }
}

#[test]
fn checking_without_parsing_finds_the_same_problems() {
    let (images, labels) = tiny(3);
    assert_eq!(check_idx(&images, &labels), Ok(3));
    let (_, two_labels) = tiny(2);
    assert_eq!(
        check_idx(&images, &two_labels),
        Err(IdxError::CountMismatch {
            images: 3,
            labels: 2
        })
    );
    let mut bad = labels.clone();
    bad[8] = 12;
    assert_eq!(
        check_idx(&images, &bad),
        Dataset::from_idx(images.clone(), bad).map(|d| d.len())
    );
}

#[test]
fn take_keeps_the_first_images() {
    let (images, labels) = tiny(5);
    let data = Dataset::from_idx(images.clone(), labels.clone())
        .unwrap()
        .take(2);
    assert_eq!(data.len(), 2);
    assert_eq!(data.labels(), &[0, 1]);
    assert_eq!(
        Dataset::from_idx(images.clone(), labels.clone())
            .unwrap()
            .take(99)
            .len(),
        5
    );
}

#[test]
fn a_set_without_images_is_named_not_trained_on() {
    // Zero images is a well-formed IDX pair…
    let (images, labels) = (encode_images(&[]), encode_labels(&[]));
    assert_eq!(check_idx(&images, &labels), Ok(0));
    // …but nothing to train on or to validate with.
    assert_eq!(
        check_not_empty(0, 10).unwrap_err().to_string(),
        "The training set has no images."
    );
    assert_eq!(
        check_not_empty(60_000, 0).unwrap_err().to_string(),
        "The test set has no images."
    );
    assert_eq!(check_not_empty(1, 1), Ok(()));
}
