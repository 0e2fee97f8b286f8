//! What the page hands the chart: the epochs planned and the metrics of each run so far.

use serde::Deserialize;

use super::ChartError;
use crate::history::{Metric, Run};
use crate::method::Method;

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

/// A series' name as the page knows it: "<method> <metric>", e.g. "AYLA val_loss".
pub fn series_name(method: Method, metric: Metric) -> String {
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

    pub fn is_visible(&self, method: Method, metric: Metric) -> bool {
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
    [Method::Normal, Method::Ayla].iter().any(|&method| {
        Metric::ALL
            .iter()
            .any(|&metric| series_name(method, metric) == name)
    })
}
