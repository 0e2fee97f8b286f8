//! A finished (or stopped) run as files a researcher keeps: the per-epoch metrics of both
//! methods together with the parameters that produced them, as JSON and as CSV.

use serde::{Deserialize, Serialize};

use crate::config::Config;
use crate::history::Run;
use crate::text::csv_field;

/// The parameters of a run and what each method measured.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Record {
    pub parameters: Config,
    /// The page's URL query for these parameters: appended to the page's address, it
    /// reproduces the run.
    pub query: String,
    pub runs: Vec<Run>,
}

/// The CSV columns after the parameters' keys. The test figures, scored once at a run's end
/// (with held-out validation), are on the row of its last epoch and empty elsewhere.
const METRIC_COLUMNS: [&str; 11] = [
    "method",
    "epoch",
    "loss",
    "accuracy",
    "val_loss",
    "val_accuracy",
    "grad_norm",
    "seconds",
    "diverged_at",
    "test_loss",
    "test_accuracy",
];

/// The page's URL query for a config, e.g. `epochs=5&n1=0.95&…&hidden=256,128&…` (the
/// values are plain numbers, names and comma-separated lists: nothing needs escaping).
pub fn query(config: &Config) -> String {
    config
        .to_pairs()
        .iter()
        .map(|(key, value)| format!("{key}={value}"))
        .collect::<Vec<_>>()
        .join("&")
}

impl Record {
    pub fn new(parameters: Config, runs: Vec<Run>) -> Record {
        Record {
            query: query(&parameters),
            parameters,
            runs,
        }
    }

    /// Pretty JSON; values that are not finite (a diverged run) are `null`.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("a record is plain data")
    }

    /// One row per epoch and method, each row carrying the parameters (so rows of several
    /// runs can be concatenated; a list of hidden widths is quoted); values that are not
    /// finite are `NaN`.
    pub fn to_csv(&self) -> String {
        let pairs = self.parameters.to_pairs();
        let keys = pairs.iter().map(|(key, _)| *key);
        let mut csv = keys.chain(METRIC_COLUMNS).collect::<Vec<_>>().join(",") + "\n";
        let params: Vec<String> = pairs.iter().map(|(_, value)| csv_field(value)).collect();
        for run in &self.runs {
            for (k, m) in run.metrics.iter().enumerate() {
                let test = run.test.filter(|_| k + 1 == run.metrics.len());
                let metrics = [
                    run.method.label().to_string(),
                    m.epoch.to_string(),
                    m.loss.to_string(),
                    m.accuracy.to_string(),
                    m.val_loss.to_string(),
                    m.val_accuracy.to_string(),
                    m.grad_norm.to_string(),
                    m.seconds.to_string(),
                    m.diverged_at.map_or(String::new(), |b| b.to_string()),
                    test.map_or(String::new(), |t| t.loss.to_string()),
                    test.map_or(String::new(), |t| t.accuracy.to_string()),
                ];
                let row: Vec<&str> = params.iter().chain(&metrics).map(String::as_str).collect();
                csv += &row.join(",");
                csv.push('\n');
            }
        }
        csv
    }
}
