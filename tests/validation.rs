//! Validation loss and accuracy against an independent float64 pass over the whole test set.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use std::ops::ControlFlow;
use std::sync::Arc;

use ayla::config::Config;
use ayla::method::Method;
use ayla::mnist::Dataset;
use ayla::model::Mlp;
use ayla::train::Trainer;

/// Mean cross-entropy and accuracy of `model` over every image of `data`, image by image in
/// float64 (no batches, no workspace: nothing shared with the trainer's code).
fn reference_evaluation(model: &Mlp, data: &Dataset) -> (f64, f64) {
    let params = common::f64_parameters(model);
    let (mut loss_sum, mut correct) = (0.0, 0usize);
    for i in 0..data.len() {
        let logits = common::reference_logits(&params, &data.image(i));
        let label = data.label(i);
        loss_sum += common::reference_cross_entropy(&logits, label);
        let predicted =
            (0..logits.len()).fold(0, |best, c| if logits[c] > logits[best] { c } else { best });
        correct += usize::from(predicted == usize::from(label));
    }
    let n = data.len() as f64;
    (loss_sum / n, correct as f64 / n)
}

#[test]
fn validation_metrics_match_an_independent_float64_pass_over_the_test_set() {
    let test = common::mnist_test();
    // 10,000 = 78 × 128 + 16: the last validation batch is much smaller than the others, so
    // a mean over batches instead of over images would show.
    assert_eq!(test.len() % 128, 16);
    let config = Config {
        epochs: 1,
        train_size: 3_000,
        ..Config::default()
    };
    let train = Arc::new((*common::mnist_train()).clone().take(config.train_size));
    let mut trainer = Trainer::new(
        config,
        Method::Ayla,
        train,
        Arc::clone(&test),
        common::no_clock,
    );
    let m = trainer.run_epoch(|_| ControlFlow::Continue(())).unwrap();
    let (loss, accuracy) = reference_evaluation(trainer.model(), &test);
    assert!(
        (f64::from(m.val_loss) - loss).abs() < 1e-5,
        "val loss {} vs {loss}",
        m.val_loss
    );
    assert!(
        (f64::from(m.val_accuracy) - accuracy).abs() < 1e-5,
        "val accuracy {} vs {accuracy}",
        m.val_accuracy
    );
}
