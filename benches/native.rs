//! `make bench`, native half: kernel, step and epoch figures on this machine's CPU.
//! Prints `bench: <name> <value> <unit>` lines; never fails on a time.

use std::path::PathBuf;
use std::sync::{Arc, OnceLock};
use std::time::Instant;

use ayla::bench;
use ayla::mnist::{self, Dataset};

fn clock() -> f64 {
    static START: OnceLock<Instant> = OnceLock::new();
    START.get_or_init(Instant::now).elapsed().as_secs_f64()
}

fn load(images: &str, labels: &str) -> Arc<Dataset> {
    let dir =
        std::env::var_os("MNIST_DIR").map_or_else(|| PathBuf::from("www/data"), PathBuf::from);
    let read = |name: &str| {
        std::fs::read(dir.join(name)).unwrap_or_else(|e| {
            panic!(
                "{}: {e} (run `make bench`, which fetches MNIST)",
                dir.join(name).display()
            )
        })
    };
    Arc::new(Dataset::from_idx(read(images), read(labels)).expect("valid MNIST"))
}

fn main() {
    let train = load(mnist::TRAIN_IMAGES, mnist::TRAIN_LABELS);
    let test = load(mnist::TEST_IMAGES, mnist::TEST_LABELS);
    let figures = [
        bench::gemm_figures(clock, 128, 128),
        bench::replacement_figures(clock, &train, 128),
        bench::step_figures(clock, &train, &test),
        bench::epoch_figures(clock, &train, &test),
        bench::profile_figures(clock, &train, &test),
        bench::scaling_figures(clock, &train, &test),
    ];
    for f in figures.iter().flatten() {
        println!("native {f}");
    }
}
