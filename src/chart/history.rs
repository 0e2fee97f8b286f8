//! What the page hands the chart: the epochs planned and the metrics of each run so far.

use serde::Deserialize;

use super::ChartError;
use crate::train::EpochMetrics;

/// The whole history of a comparison, as the page sends it (JSON):
/// `{ "n1": 0.95, "n2": 1.0, "epochs": 5, "runs": [Run...], "hidden": ["AYLA val_loss"] }`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct History {
    pub n1: f64,
    pub n2: f64,
    /// Epochs planned: fixes the x axis before the first epoch ends.
    pub epochs: usize,
    pub runs: Vec<Run>,
    /// Series the user toggled off, named "<method> <metric>", e.g. "AYLA val_loss".
    #[serde(default)]
    pub hidden: Vec<String>,
}

/// One method's metrics so far: `{ "method": "AYLA", "metrics": [...], "diverged": false }`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Run {
    pub method: MethodName,
    pub metrics: Vec<EpochMetrics>,
    #[serde(default)]
    pub diverged: bool,
}

/// The two methods under their chart names (`Method::label()` in the core).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub enum MethodName {
    Normal,
    #[serde(rename = "AYLA")]
    Ayla,
}

impl MethodName {
    pub const ALL: [MethodName; 2] = [MethodName::Normal, MethodName::Ayla];

    pub fn label(self) -> &'static str {
        match self {
            MethodName::Normal => "Normal",
            MethodName::Ayla => "AYLA",
        }
    }
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

/// A series' name as the page knows it: "<method> <metric>", e.g. "AYLA val_loss".
pub fn series_name(method: MethodName, metric: Metric) -> String {
    format!("{} {}", method.label(), metric.key())
}

impl History {
    /// Reads the page's JSON and checks what serde cannot: at least one epoch planned and
    /// only known series names in `hidden` (a typo there would silently hide nothing).
    pub fn parse(json: &str) -> Result<History, ChartError> {
        let history: History = serde_json::from_str(json)?;
        if history.epochs == 0 {
            return Err(ChartError::NoEpochs);
        }
        if let Some(unknown) = history.hidden.iter().find(|name| !is_series_name(name)) {
            return Err(ChartError::UnknownSeries(unknown.clone()));
        }
        Ok(history)
    }

    pub fn is_visible(&self, method: MethodName, metric: Metric) -> bool {
        let name = series_name(method, metric);
        !self.hidden.contains(&name)
    }

    /// The last epoch on the x axis: the epochs planned, or more if a run reports more.
    pub fn last_epoch(&self) -> usize {
        let reported = self.runs.iter().flat_map(|run| &run.metrics);
        reported.map(|m| m.epoch).fold(self.epochs, usize::max)
    }

    /// Every finite value of the visible series of these metrics, to fit an axis to. The
    /// epoch in which a run diverged is left out: its means cover the batches up to the
    /// break, where the loss may already be astronomically large (1e34) yet finite, and
    /// fitting the axis to it would flatten every real epoch.
    pub fn visible_values(&self, metrics: &[Metric]) -> Vec<f32> {
        let mut values = Vec::new();
        for run in &self.runs {
            for &metric in metrics {
                if self.is_visible(run.method, metric) {
                    let whole = run.metrics.iter().filter(|m| m.diverged_at.is_none());
                    let all = whole.map(|m| metric.value(m));
                    values.extend(all.filter(|v| v.is_finite()));
                }
            }
        }
        values
    }
}

fn is_series_name(name: &str) -> bool {
    MethodName::ALL.iter().any(|&method| {
        Metric::ALL
            .iter()
            .any(|&metric| series_name(method, metric) == name)
    })
}

impl Run {
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
