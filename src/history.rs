//! What a run measured so far: each method's epochs, whether it diverged, and where. The
//! figure, the exports and the sweep's comparisons all read runs in this one shape.

use serde::{Deserialize, Serialize};

use crate::method::Method;
use crate::train::EpochMetrics;
pub use crate::train::TestScore;

/// One method's metrics so far: `{ "method": "AYLA", "metrics": [...], "diverged": false }`,
/// and `"test": {…}` once a run validated on held-out images finished.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Run {
    pub method: Method,
    pub metrics: Vec<EpochMetrics>,
    #[serde(default)]
    pub diverged: bool,
    /// The test figures, scored once after the last epoch; `None` when the test set was
    /// the validation set, for a diverged run, and until the run is over. Absent from
    /// records written before it existed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub test: Option<TestScore>,
}

/// The per-epoch quantities a series can show.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Metric {
    Accuracy,
    ValAccuracy,
    Loss,
    ValLoss,
    GradNorm,
}

impl Metric {
    /// In the order the readout lists them.
    pub const ALL: [Metric; 5] = [
        Metric::Accuracy,
        Metric::ValAccuracy,
        Metric::Loss,
        Metric::ValLoss,
        Metric::GradNorm,
    ];

    /// The metric's part of a series name, as the page writes it in `hidden`.
    pub fn key(self) -> &'static str {
        match self {
            Metric::Accuracy => "accuracy",
            Metric::ValAccuracy => "val_accuracy",
            Metric::Loss => "loss",
            Metric::ValLoss => "val_loss",
            Metric::GradNorm => "grad_norm",
        }
    }

    /// The short name used in the hover readout.
    pub fn short_label(self) -> &'static str {
        match self {
            Metric::Accuracy => "acc",
            Metric::ValAccuracy => "val acc",
            Metric::Loss => "loss",
            Metric::ValLoss => "val loss",
            Metric::GradNorm => "grad",
        }
    }

    /// Validation series are drawn dashed, training series solid.
    pub fn is_validation(self) -> bool {
        matches!(self, Metric::ValAccuracy | Metric::ValLoss)
    }

    pub fn value(self, m: &EpochMetrics) -> f32 {
        match self {
            Metric::Accuracy => m.accuracy,
            Metric::ValAccuracy => m.val_accuracy,
            Metric::Loss => m.loss,
            Metric::ValLoss => m.val_loss,
            Metric::GradNorm => m.grad_norm,
        }
    }
}

impl Run {
    /// A run with no epoch yet.
    pub fn new(method: Method) -> Run {
        Run {
            method,
            metrics: Vec::new(),
            diverged: false,
            test: None,
        }
    }

    /// Adds an epoch's metrics; an epoch that broke marks the run diverged.
    pub fn push(&mut self, metrics: EpochMetrics) {
        self.diverged |= metrics.diverged_at.is_some();
        self.metrics.push(metrics);
    }

    /// The epoch in which the run broke, if it did: the first epoch that reports a
    /// non-finite loss batch, or (when only the flag says so) the first epoch whose loss
    /// is not finite, or else the epoch after its last report.
    pub fn diverged_epoch(&self) -> Option<usize> {
        if let Some(m) = self.metrics.iter().find(|m| m.diverged_at.is_some()) {
            return Some(m.epoch);
        }
        if !self.diverged {
            return None;
        }
        let broken = self.metrics.iter().find(|m| !m.loss.is_finite());
        let after_last = self.metrics.last().map_or(1, |m| m.epoch + 1);
        Some(broken.map_or(after_last, |m| m.epoch))
    }

    pub fn at(&self, epoch: usize) -> Option<&EpochMetrics> {
        self.metrics.iter().find(|m| m.epoch == epoch)
    }

    /// The stretches of consecutive finite (epoch, value) points of one metric: a line is
    /// drawn through each, and nothing where the values are not finite.
    pub fn segments(&self, metric: Metric) -> Vec<Vec<(f64, f64)>> {
        let mut segments = vec![Vec::new()];
        for m in &self.metrics {
            let value = metric.value(m);
            match segments.last_mut() {
                Some(segment) if value.is_finite() => {
                    segment.push((m.epoch as f64, f64::from(value)));
                }
                Some(segment) if !segment.is_empty() => segments.push(Vec::new()),
                _ => {}
            }
        }
        segments.retain(|segment| !segment.is_empty());
        segments
    }

    /// The last finite (epoch, value) of one metric: where a diverged run is marked.
    pub fn last_finite(&self, metric: Metric) -> Option<(f64, f64)> {
        self.segments(metric).last()?.last().copied()
    }
}
