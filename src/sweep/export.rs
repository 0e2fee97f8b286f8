//! A sweep as files: the table as CSV, and as JSON with every parameter, the page link and
//! every run's epochs.

use serde::Serialize;

use super::{Row, Sweep, SweepRecord, SEEDS_FIELD};
use crate::history::TestScore;
use crate::method::Method;
use crate::train::EpochMetrics;

/// The exported sweep: every parameter, the page link that reproduces it, the table and
/// every run's epochs.
#[derive(Serialize)]
struct SweepExport<'a> {
    parameters: &'a Sweep,
    query: String,
    rows: Vec<Row>,
    runs: Vec<RunExport<'a>>,
}

#[derive(Serialize)]
struct RunExport<'a> {
    method: Method,
    seed: u64,
    n1: Option<f32>,
    n2: Option<f32>,
    done: bool,
    diverged: bool,
    metrics: &'a [EpochMetrics],
    /// Scored once at the run's end when it validated on held-out images.
    #[serde(skip_serializing_if = "Option::is_none")]
    test: Option<TestScore>,
}

/// The table's columns after the shared parameters.
const ROW_COLUMNS: [&str; 19] = [
    "method",
    "n1",
    "n2",
    "runs_done",
    "runs_total",
    "diverged",
    "final_val_accuracy_mean",
    "final_val_accuracy_std",
    "best_val_accuracy_mean",
    "best_val_accuracy_std",
    "final_val_loss_mean",
    "final_val_loss_std",
    "best_val_loss_mean",
    "best_val_loss_std",
    "test_accuracy_mean",
    "test_accuracy_std",
    "gain_mean",
    "gain_std",
    "first_beat_epochs",
];

impl SweepRecord {
    /// Pretty JSON (see [`SweepExport`]); values that are not finite are `null`.
    pub fn to_json(&self) -> String {
        let jobs = self.sweep.jobs();
        let runs = self
            .results
            .iter()
            .filter_map(|r| {
                let job = jobs.get(r.job)?;
                let ayla = job.method == Method::Ayla;
                Some(RunExport {
                    method: job.method,
                    seed: job.config.seed,
                    n1: ayla.then_some(job.config.n1),
                    n2: ayla.then_some(job.config.n2),
                    done: r.done,
                    diverged: r.diverged(),
                    metrics: &r.metrics,
                    test: r.test,
                })
            })
            .collect();
        let export = SweepExport {
            parameters: &self.sweep,
            query: self.sweep.query(),
            rows: self.rows(),
            runs,
        };
        serde_json::to_string_pretty(&export).expect("a sweep export is plain data")
    }

    /// The table as CSV: one line per row, each carrying the shared parameters and the
    /// seed count. A missing statistic is an empty field; first-beat epochs are listed per
    /// seed, separated by spaces ("never" when a seed's run never beat Normal).
    pub fn to_csv(&self) -> String {
        let shared: Vec<(&str, String)> = self
            .sweep
            .base
            .to_pairs()
            .into_iter()
            .filter(|(key, _)| !matches!(*key, "n1" | "n2"))
            .chain([(SEEDS_FIELD.key, self.sweep.seeds.to_string())])
            .collect();
        let header: Vec<&str> = shared.iter().map(|(k, _)| *k).chain(ROW_COLUMNS).collect();
        let mut csv = header.join(",") + "\n";
        for row in self.rows() {
            let mut fields: Vec<String> = shared.iter().map(|(_, v)| v.clone()).collect();
            let number = |v: Option<f32>| v.map_or(String::new(), |v| v.to_string());
            fields.extend([
                row.method.label().to_string(),
                number(row.n1),
                number(row.n2),
                row.runs_done.to_string(),
                row.runs_total.to_string(),
                row.diverged.to_string(),
            ]);
            for stat in [
                row.final_val_accuracy,
                row.best_val_accuracy,
                row.final_val_loss,
                row.best_val_loss,
                row.test_accuracy,
                row.gain,
            ] {
                fields.push(stat.map_or(String::new(), |s| s.mean.to_string()));
                fields.push(
                    stat.and_then(|s| s.std)
                        .map_or(String::new(), |s| s.to_string()),
                );
            }
            let beats: Vec<String> = row
                .first_beat
                .iter()
                .map(|e| e.map_or("never".to_string(), |e| e.to_string()))
                .collect();
            fields.push(beats.join(" "));
            csv += &fields.join(",");
            csv.push('\n');
        }
        csv
    }
}
