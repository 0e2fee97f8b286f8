//! Validation loss and accuracy against an independent float64 pass over the whole test set,
//! or over the held-out training images (and then the test score at the end, likewise).
#![cfg(not(target_arch = "wasm32"))]

mod common;

use std::ops::{ControlFlow, Range};
use std::sync::Arc;

use ayla::config::{Config, Validation};
use ayla::method::Method;
use ayla::mnist::Dataset;
use ayla::model::Mlp;
use ayla::train::Trainer;

/// Mean cross-entropy and accuracy of `model` over every image of `data`, image by image in
/// float64 (no batches, no workspace: nothing shared with the trainer's code).
fn reference_evaluation(model: &Mlp, data: &Dataset) -> (f64, f64) {
    reference_evaluation_of(model, data, 0..data.len())
}

/// [`reference_evaluation`] over the images `rows` of `data`.
fn reference_evaluation_of(model: &Mlp, data: &Dataset, rows: Range<usize>) -> (f64, f64) {
    let params = common::f64_parameters(model);
    let (mut loss_sum, mut correct) = (0.0, 0usize);
    let n = rows.len() as f64;
    for i in rows {
        let logits = common::reference_logits(&params, &data.image(i));
        let label = data.label(i);
        loss_sum += common::reference_cross_entropy(&logits, label);
        let predicted =
            (0..logits.len()).fold(0, |best, c| if logits[c] > logits[best] { c } else { best });
        correct += usize::from(predicted == usize::from(label));
    }
    (loss_sum / n, correct as f64 / n)
}

/// `figures` (loss, accuracy) agree with the reference's within float32 rounding.
fn assert_close(what: &str, figures: (f32, f32), (loss, accuracy): (f64, f64)) {
    assert!(
        (f64::from(figures.0) - loss).abs() < 1e-5,
        "{what} loss {} vs {loss}",
        figures.0
    );
    assert!(
        (f64::from(figures.1) - accuracy).abs() < 1e-5,
        "{what} accuracy {} vs {accuracy}",
        figures.1
    );
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
    let reference = reference_evaluation(trainer.model(), &test);
    assert_close("val", (m.val_loss, m.val_accuracy), reference);
}

#[test]
fn held_out_validation_and_the_test_score_match_independent_float64_passes() {
    let test = common::mnist_test();
    // 1,000 = 7 × 128 + 104 held-out images: a mean over batches would show here too.
    let config = Config {
        epochs: 2,
        train_size: 3_000,
        validation: Validation::HeldOut,
        holdout: 1_000,
        ..Config::default()
    };
    let train = Arc::new((*common::mnist_train()).clone().take(config.train_size));
    let mut trainer = Trainer::new(
        config,
        Method::Ayla,
        Arc::clone(&train),
        Arc::clone(&test),
        common::no_clock,
    );
    for _ in 0..config.epochs {
        assert_eq!(trainer.test_score(), None);
        let m = trainer.run_epoch(|_| ControlFlow::Continue(())).unwrap();
        let held_out = reference_evaluation_of(trainer.model(), &train, 2_000..3_000);
        assert_close("val", (m.val_loss, m.val_accuracy), held_out);
        let test_set = reference_evaluation(trainer.model(), &test);
        assert!((f64::from(m.val_accuracy) - test_set.1).abs() > 1e-5);
    }
    let score = trainer.test_score().expect("scored at the end");
    let reference = reference_evaluation(trainer.model(), &test);
    assert_close("test", (score.loss, score.accuracy), reference);
}
