//! Forward and backward against central finite differences of an independent f64 loss.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use ayla::mnist::{Dataset, PIXELS};
use ayla::model::{Mlp, Workspace};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// `count` images of random pixels (a third of them zero, as in real digits' margins).
fn batch(count: usize) -> Dataset {
    let mut rng = ChaCha8Rng::seed_from_u64(7);
    let pixels = (0..count * PIXELS)
        .map(|_| {
            if rng.random_range(0..3) == 0 {
                0
            } else {
                rng.random_range(1..=255u8)
            }
        })
        .collect();
    let labels = (0..count).map(|i| (i * 3 % 10) as u8).collect();
    Dataset::new(pixels, labels).unwrap()
}

/// Mean cross-entropy written out plainly in f64, sharing no code with the model.
fn reference_loss(params: &[Vec<f64>; 4], data: &Dataset) -> f64 {
    let total: f64 = (0..data.len())
        .map(|i| {
            let logits = common::reference_logits(params, &data.image(i));
            common::reference_cross_entropy(&logits, data.label(i))
        })
        .sum();
    total / data.len() as f64
}

/// Checks the loss and about `per_tensor` elements of each gradient tensor (every one of a
/// tensor that small) against central differences of [`reference_loss`].
fn check_backward(count: usize, hidden: usize, per_tensor: usize) {
    let data = batch(count);
    // Scaled-up init so every hidden unit is active for some images and gradients are large.
    let mut model = Mlp::glorot(hidden, 3);
    model.b1.fill(0.05);
    model
        .b2
        .iter_mut()
        .enumerate()
        .for_each(|(i, b)| *b = 0.01 * i as f32);
    let mut ws = Workspace::new(count, hidden);
    ws.forward(&model, &data, 0..count);
    let stats = ws.loss_and_gradient(true);
    let mut grads = Mlp::zeros(hidden);
    ws.backward(&data, &mut grads);

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
        // An odd step, so the elements checked fall in every column (hidden unit) too.
        let step = (grad.len() / per_tensor).max(1) | 1;
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

#[test]
fn backward_matches_finite_differences_for_every_parameter_tensor() {
    check_backward(7, 5, 40);
}

#[test]
fn a_batch_walked_in_chunks_of_hidden_unit_blocks_has_the_same_gradients() {
    // 300 images: two chunks of the pixel index (256 + 44). 37 hidden units: a block of 32,
    // one of 4 and a single column in the first layer; nine lanes of 4 and one left over in
    // the second.
    check_backward(300, 37, 12);
}
