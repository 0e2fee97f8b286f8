//! Held-out validation: which training images are held out, that none of them is ever in a
//! batch, and that the test set is scored once, only at the end.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use std::ops::ControlFlow;
use std::sync::Arc;

use ayla::config::{Config, Validation};
use ayla::method::Method;
use ayla::mnist::Dataset;
use ayla::split::Split;
use ayla::train::{epoch_order, EpochMetrics, StepReport, Trainer};

fn held_out(train_size: usize, holdout: usize) -> Config {
    Config {
        validation: Validation::HeldOut,
        train_size,
        holdout,
        ..Config::default()
    }
}

#[test]
fn validated_on_the_test_set_every_image_trains() {
    let split = Split::new(&Config::default(), 60_000);
    assert_eq!(
        split,
        Split {
            trained: 60_000,
            held_out: None
        }
    );
    assert!(!split.scores_test_at_end());
    assert_eq!(split.describe(), "val = test set");
}

#[test]
fn the_last_k_training_images_in_use_are_held_out() {
    let split = Split::new(&held_out(60_000, 10_000), 60_000);
    assert_eq!(
        (split.trained, split.held_out.clone()),
        (50_000, Some(50_000..60_000))
    );
    assert!(split.scores_test_at_end());
    assert_eq!(
        split.describe(),
        "val = last 10,000 training images (held out, not trained on); test scored once at \
         the end"
    );
    // Of the first 3,000 images the run uses, not of the whole file.
    let small = Split::new(&held_out(3_000, 1_000), 3_000);
    assert_eq!((small.trained, small.held_out), (2_000, Some(2_000..3_000)));
}

#[test]
fn k_one_below_the_training_images_leaves_one_to_train_on() {
    let split = Split::new(&held_out(3_000, 2_999), 3_000);
    assert_eq!((split.trained, split.held_out.clone()), (1, Some(1..3_000)));
    assert_eq!(
        split.describe(),
        "val = last 2,999 training images (held out, not trained on); test scored once at \
         the end"
    );
}

#[test]
fn a_k_that_slipped_past_the_checks_still_trains_on_one_image() {
    // Every way in refuses it (tests/config.rs); the split itself never leaves nothing.
    let split = Split::new(&held_out(3_000, 2_999), 2_000);
    assert_eq!((split.trained, split.held_out.clone()), (1, Some(1..2_000)));
}

#[test]
fn every_epoch_orders_only_the_trained_images() {
    let split = Split::new(&held_out(3_000, 1_000), 3_000);
    for epoch in 0..3 {
        let mut order = epoch_order(42, epoch, split.trained, true);
        assert_ne!(order, (0..2_000).collect::<Vec<u32>>(), "shuffled");
        order.sort_unstable();
        assert_eq!(order, (0..2_000).collect::<Vec<u32>>());
    }
}

/// Every step's report and every epoch's training figures of a run.
fn train(config: Config, data: Arc<Dataset>) -> (Trainer, Vec<StepReport>, Vec<EpochMetrics>) {
    let test = common::mnist_test();
    let mut trainer = Trainer::new(config, Method::Ayla, data, test, common::no_clock);
    let (mut steps, mut epochs) = (Vec::new(), Vec::new());
    while !trainer.is_finished() {
        let metrics = trainer.run_epoch(|r| {
            steps.push(*r);
            ControlFlow::Continue(())
        });
        epochs.extend(metrics);
    }
    (trainer, steps, epochs)
}

/// A copy of `data` whose images from `from` on are replaced by others (the first ones,
/// with other labels): a batch that took any of them would see it.
fn scrambled_after(data: &Dataset, from: usize) -> Dataset {
    let (mut pixels, mut labels) = (Vec::new(), Vec::new());
    for i in 0..data.len() {
        let source = if i < from { i } else { i - from };
        pixels.extend_from_slice(&data.image(source));
        labels.push(if i < from {
            data.label(i)
        } else {
            (data.label(source) + 1) % 10
        });
    }
    Dataset::new(pixels, labels).unwrap()
}

#[test]
fn a_held_out_run_trains_exactly_as_a_run_on_the_first_train_minus_k_images() {
    let mnist = common::mnist_train();
    let config = Config {
        epochs: 2,
        n2: 0.8,
        ..held_out(3_000, 1_000)
    };
    let data = Arc::new(mnist.first(3_000));
    let (held, held_steps, held_epochs) = train(config, Arc::clone(&data));
    assert_eq!(held.batches_per_epoch(), 16); // 2,000 images in batches of 128
    assert_eq!(held_steps.len(), 32);
    // The same seed on the first 2,000 images alone, validated on the test set.
    let plain = Config {
        validation: Validation::Test,
        train_size: 2_000,
        ..config
    };
    let (alone, alone_steps, alone_epochs) = train(plain, Arc::new(mnist.first(2_000)));
    assert_eq!(held_steps, alone_steps);
    assert_eq!(held.model(), alone.model());
    for (h, a) in held_epochs.iter().zip(&alone_epochs) {
        assert_eq!(
            (h.loss, h.accuracy, h.grad_norm),
            (a.loss, a.accuracy, a.grad_norm)
        );
        // Validated on other images: the held-out ones, not the test set.
        assert_ne!(h.val_loss, a.val_loss);
    }
    // Other held-out images change the validation figures, never a step.
    let scrambled = Arc::new(scrambled_after(&data, 2_000));
    let (other, other_steps, other_epochs) = train(config, scrambled);
    assert_eq!(other_steps, held_steps);
    assert_eq!(other.model(), held.model());
    assert_ne!(other_epochs[1].val_accuracy, held_epochs[1].val_accuracy);
}

#[test]
fn the_test_set_is_scored_only_after_the_last_epoch() {
    let config = Config {
        epochs: 2,
        ..held_out(1_500, 500)
    };
    let data = Arc::new(common::mnist_train().first(1_500));
    let test = common::mnist_test();
    let mut trainer = Trainer::new(config, Method::Normal, data, test, common::no_clock);
    trainer.run_epoch(|_| ControlFlow::Continue(())).unwrap();
    assert_eq!(trainer.test_score(), None);
    trainer.run_epoch(|_| ControlFlow::Continue(())).unwrap();
    assert!(trainer.is_finished());
    let score = trainer.test_score().expect("a test score at the end");
    // Of the final model on the test set (tests/validation.rs checks its value).
    assert_eq!(score, trainer.evaluate_test());
}

#[test]
fn validated_on_the_test_set_there_is_no_separate_test_score() {
    let config = Config {
        epochs: 1,
        train_size: 1_000,
        ..Config::default()
    };
    let data = Arc::new(common::mnist_train().first(1_000));
    let (trainer, _, _) = train(config, data);
    assert_eq!(trainer.test_score(), None);
}

#[test]
fn a_diverged_held_out_run_has_no_test_score() {
    // N1 = 10 overflows L' = L^10 at once on the first batches (L ≈ 2.3).
    let config = Config {
        epochs: 3,
        n1: 10.0,
        learning_rate: 10.0,
        ..held_out(1_000, 200)
    };
    let data = Arc::new(common::mnist_train().first(1_000));
    let (trainer, _, epochs) = train(config, data);
    assert!(trainer.is_diverged());
    assert!(epochs.last().unwrap().diverged_at.is_some());
    assert_eq!(trainer.test_score(), None);
}
