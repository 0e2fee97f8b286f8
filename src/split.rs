//! Which of a run's training images it trains on, and which validate it. Validated on the
//! test set (the original), a run trains on every training image it uses. Validated on
//! held-out images, the last K of those are set aside: never in a batch, they give every
//! epoch's validation figures, and the test set is scored once, at the run's end.

use std::ops::Range;

use crate::config::{Config, Validation};
use crate::text::plural;

/// How the first `images` training images of a run divide.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Split {
    /// Images `0..trained` are trained on (in a seeded order per epoch).
    pub trained: usize,
    /// The images after them, held out to validate each epoch; `None` when the test set
    /// validates.
    pub held_out: Option<Range<usize>>,
}

impl Split {
    /// The split of a run's first `images` training images. Every way into a run refuses a
    /// K that leaves nothing to train on ([`Config::check_holdout`]); were one to slip
    /// through, at least one image is still trained on rather than none.
    pub fn new(config: &Config, images: usize) -> Split {
        match config.validation {
            Validation::Test => Split {
                trained: images,
                held_out: None,
            },
            Validation::HeldOut => {
                let trained = images.saturating_sub(config.holdout).max(1).min(images);
                Split {
                    trained,
                    held_out: Some(trained..images),
                }
            }
        }
    }

    /// Whether the test set is kept for one score at the end of the run.
    pub fn scores_test_at_end(&self) -> bool {
        self.held_out.is_some()
    }

    /// What "val" means, as the line under the status says: "val = test set", or "val =
    /// last 10,000 training images (held out, not trained on); test scored once at the end".
    pub fn describe(&self) -> String {
        match &self.held_out {
            None => "val = test set".to_string(),
            Some(rows) => format!(
                "val = last {} (held out, not trained on); test scored once at the end",
                plural(rows.len(), "training image")
            ),
        }
    }
}
