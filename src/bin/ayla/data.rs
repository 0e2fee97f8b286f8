//! Reading the four MNIST IDX files of a folder, with errors that name the file.

use std::path::Path;
use std::sync::OnceLock;
use std::time::Instant;

use ayla::mnist::{self, Dataset};

/// The training or the test set of `dir`.
pub fn load(dir: &Path, images: &str, labels: &str) -> Result<Dataset, String> {
    let read = |name: &str| {
        let path = dir.join(name);
        std::fs::read(&path).map_err(|e| {
            format!(
                "{}: {e} (--data or MNIST_DIR names the folder of the four MNIST IDX files)",
                path.display()
            )
        })
    };
    Dataset::from_idx(read(images)?, read(labels)?).map_err(|e| format!("{}: {e}", dir.display()))
}

pub fn load_train(dir: &Path) -> Result<Dataset, String> {
    load(dir, mnist::TRAIN_IMAGES, mnist::TRAIN_LABELS)
}

pub fn load_test(dir: &Path) -> Result<Dataset, String> {
    load(dir, mnist::TEST_IMAGES, mnist::TEST_LABELS)
}

/// Seconds since the first call: the trainers' clock.
pub fn clock() -> f64 {
    static START: OnceLock<Instant> = OnceLock::new();
    START.get_or_init(Instant::now).elapsed().as_secs_f64()
}
