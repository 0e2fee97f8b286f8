//! Forward and backward against central finite differences of an independent f64 loss.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use ayla::mnist::{Dataset, PIXELS};
use ayla::model::{Mlp, Workspace};
use ayla::shape::Hidden;
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
fn reference_loss(params: &[Vec<f64>], data: &Dataset) -> f64 {
    let total: f64 = (0..data.len())
        .map(|i| {
            let logits = common::reference_logits(params, &data.image(i));
            common::reference_cross_entropy(&logits, data.label(i))
        })
        .sum();
    total / data.len() as f64
}

/// A model of the given hidden widths from seed 3, with every bias set so that every
/// hidden unit is active for some images and gradients are large.
fn model(widths: &[usize]) -> Mlp {
    let mut model = Mlp::glorot(Hidden::new(widths).unwrap(), 3);
    let last = model.layers().len() - 1;
    for (l, layer) in model.layers_mut().iter_mut().enumerate() {
        for (j, b) in layer.bias.iter_mut().enumerate() {
            *b = if l == last { 0.01 * j as f32 } else { 0.05 };
        }
    }
    model
}

/// Checks the loss and about `per_tensor` elements of each gradient tensor (every one of a
/// tensor that small) against central differences of [`reference_loss`].
fn check_backward(count: usize, widths: &[usize], per_tensor: usize) {
    let data = batch(count);
    let model = model(widths);
    let hidden = model.hidden();
    let mut ws = Workspace::new(count, hidden);
    ws.forward(&model, &data, 0..count);
    let stats = ws.loss_and_gradient(true);
    let mut grads = Mlp::zeros(hidden);
    ws.backward(&data, &mut grads);

    let params = common::f64_parameters(&model);
    assert_eq!(
        params.len(),
        2 * (widths.len() + 1),
        "a kernel and a bias per layer"
    );
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
                "{widths:?}: tensor {t} element {i}: backward {analytic}, finite difference \
                 {numeric}"
            );
            checked += usize::from(numeric.abs() > 1e-4);
        }
        assert!(
            checked > 0,
            "{widths:?}: tensor {t}: no non-trivial gradient was checked"
        );
    }
}

/// The logits of every image against the independent f64 forward pass.
fn check_forward(count: usize, widths: &[usize]) {
    let data = batch(count);
    let model = model(widths);
    let mut ws = Workspace::new(count, model.hidden());
    ws.forward(&model, &data, 0..count);
    let params = common::f64_parameters(&model);
    for (i, logits) in ws.logits().chunks_exact(10).enumerate() {
        let reference = common::reference_logits(&params, &data.image(i));
        for (c, (&got, want)) in logits.iter().zip(reference).enumerate() {
            assert!(
                (f64::from(got) - want).abs() <= 1e-5 * want.abs().max(1.0),
                "{widths:?}: image {i} logit {c}: {got} vs {want}"
            );
        }
    }
}

#[test]
fn backward_matches_finite_differences_for_every_parameter_tensor() {
    check_backward(7, &[5], 40);
}

#[test]
fn a_batch_walked_in_chunks_of_hidden_unit_blocks_has_the_same_gradients() {
    // 300 images: two chunks of the pixel index (256 + 44). 37 hidden units: a block of 32,
    // one of 4 and a single column in the first layer; nine lanes of 4 and one left over in
    // the output layer.
    check_backward(300, &[37], 12);
}

#[test]
fn two_hidden_layers_have_the_gradients_of_finite_differences() {
    // 45 → 13: the dense hidden layer has 11 vectors of inputs (a block of 8, three alone)
    // and one left over, and a block of 8 outputs then five alone; the output layer reads 3
    // vectors and one left over.
    check_backward(9, &[45, 13], 30);
}

#[test]
fn three_hidden_layers_have_the_gradients_of_finite_differences() {
    check_backward(6, &[11, 36, 7], 30);
}

#[test]
fn deeper_networks_compute_the_logits_of_an_independent_forward_pass() {
    check_forward(20, &[5]);
    check_forward(20, &[64, 33]);
    check_forward(20, &[40, 17, 9]);
}
