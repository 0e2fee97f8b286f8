//! The console line of each epoch, written out as the original script prints it.

use ayla::history::TestScore;
use ayla::method::Method;
use ayla::train::{test_log_line, EpochMetrics};

fn metrics(diverged_at: Option<usize>) -> EpochMetrics {
    EpochMetrics {
        epoch: 3,
        loss: 0.412_34,
        accuracy: 0.88,
        val_loss: 0.398_71,
        val_accuracy: 0.892_09,
        grad_norm: 1.234_49,
        seconds: 0.5,
        diverged_at,
    }
}

#[test]
fn log_lines_match_the_originals_format() {
    assert_eq!(
        metrics(None).log_line(Method::Ayla),
        "AYLA   - Epoch 3: Loss=0.4123, Val Loss=0.3987, Val Acc=0.8921, Grad Norm=1.2345"
    );
    assert_eq!(
        metrics(None).log_line(Method::Normal),
        "Normal - Epoch 3: Loss=0.4123, Val Loss=0.3987, Val Acc=0.8921, Grad Norm=1.2345"
    );
}

#[test]
fn a_diverged_epoch_says_where_it_broke() {
    assert_eq!(
        metrics(Some(7)).log_line(Method::Ayla),
        "AYLA   - Epoch 3: diverged at batch 7 (the loss is no longer finite)"
    );
}

#[test]
fn the_test_score_at_the_end_has_a_line_of_its_own() {
    let score = TestScore {
        loss: 0.287_13,
        accuracy: 0.919_48,
    };
    assert_eq!(
        test_log_line(Method::Ayla, &score),
        "AYLA   - Test set, scored once after the last epoch: Test Loss=0.2871, Test Acc=0.9195"
    );
    assert_eq!(
        test_log_line(Method::Normal, &score),
        "Normal - Test set, scored once after the last epoch: Test Loss=0.2871, Test Acc=0.9195"
    );
}
