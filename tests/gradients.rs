//! Forward and backward against central finite differences of an independent f64 loss.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use ayla::mnist::{Dataset, PIXELS};
use ayla::model::{Mlp, Workspace};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

const HIDDEN: usize = 5;
const BATCH: usize = 7;

fn batch() -> Dataset {
    let mut rng = ChaCha8Rng::seed_from_u64(7);
    let pixels = (0..BATCH * PIXELS)
        .map(|_| rng.random_range(0..=255u8))
        .collect();
    let labels = (0..BATCH).map(|i| (i * 3 % 10) as u8).collect();
    Dataset::new(pixels, labels).unwrap()
}

/// Mean cross-entropy written out plainly in f64, sharing no code with the model.
fn reference_loss(params: &[Vec<f64>; 4], data: &Dataset) -> f64 {
    let total: f64 = (0..data.len())
        .map(|i| {
            let logits = common::reference_logits(params, data.image(i));
            common::reference_cross_entropy(&logits, data.label(i))
        })
        .sum();
    total / data.len() as f64
}

#[test]
fn backward_matches_finite_differences_for_every_parameter_tensor() {
    let data = batch();
    // Scaled-up init so every hidden unit is active for some images and gradients are large.
    let mut model = Mlp::glorot(HIDDEN, 3);
    model.b1.fill(0.05);
    model
        .b2
        .iter_mut()
        .enumerate()
        .for_each(|(i, b)| *b = 0.01 * i as f32);
    let mut ws = Workspace::new(BATCH, HIDDEN);
    ws.forward(&model, &data, 0..BATCH);
    let stats = ws.loss_and_gradient(true);
    let mut grads = Mlp::zeros(HIDDEN);
    ws.backward(&model, &data, &mut grads);

    let params: [Vec<f64>; 4] = model
        .slices()
        .map(|s| s.iter().map(|&v| f64::from(v)).collect());
    let loss = reference_loss(&params, &data);
    assert!(
        (f64::from(stats.loss) - loss).abs() < 1e-5,
        "forward: {} vs {loss}",
        stats.loss
    );

    let h = 1e-6;
    for (t, grad) in grads.slices().iter().enumerate() {
        // Every element of the small tensors; a spread of w1 (its rows for dark pixels are 0).
        let step = if grad.len() > 1000 { 97 } else { 1 };
        let mut checked = 0;
        for i in (0..grad.len()).step_by(step) {
            let mut plus = params.clone();
            plus[t][i] += h;
            let mut minus = params.clone();
            minus[t][i] -= h;
            let numeric =
                (reference_loss(&plus, &data) - reference_loss(&minus, &data)) / (2.0 * h);
            let analytic = f64::from(grad[i]);
            assert!(
                (analytic - numeric).abs() <= 1e-4 * numeric.abs().max(1e-2),
                "tensor {t} element {i}: backward {analytic}, finite difference {numeric}"
            );
            checked += usize::from(numeric.abs() > 1e-4);
        }
        assert!(
            checked > 0,
            "tensor {t}: no non-trivial gradient was checked"
        );
    }
}
