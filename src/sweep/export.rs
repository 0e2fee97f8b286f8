//! A sweep as files: the table as CSV (with the verdict's choices and paired differences),
//! and as JSON with every parameter, the page link, the table, the verdict and every run's
//! epochs.

use serde::Serialize;

use super::verdict::{Choice, Edge, Verdict};
use super::{Row, Sweep, SweepRecord, AXES, SEEDS_FIELD};
use crate::history::TestScore;
use crate::method::Method;
use crate::text::csv_field;
use crate::train::EpochMetrics;

/// The exported sweep: every parameter, the page link that reproduces it, the table, the
/// verdict and every run's epochs.
#[derive(Serialize)]
struct SweepExport<'a> {
    parameters: &'a Sweep,
    query: String,
    rows: Vec<Row>,
    verdict: Verdict,
    runs: Vec<RunExport<'a>>,
}

#[derive(Serialize)]
struct RunExport<'a> {
    method: Method,
    seed: u64,
    n1: Option<f32>,
    n2: Option<f32>,
    lr: f32,
    done: bool,
    diverged: bool,
    metrics: &'a [EpochMetrics],
    /// Scored once at the run's end when it validated on held-out images.
    #[serde(skip_serializing_if = "Option::is_none")]
    test: Option<TestScore>,
}

/// The table's columns after the shared parameters.
const ROW_COLUMNS: [&str; 26] = [
    "method",
    "n1",
    "n2",
    "lr",
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
    // The verdict: whether this row's rate is its method's choice, where that sits on the
    // grid, and for a chosen AYLA row the paired test difference to Normal's choice.
    "chosen",
    "chosen_edge",
    "tuned_difference_mean",
    "tuned_difference_ci_low",
    "tuned_difference_ci_high",
    "tuned_seeds",
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
                    lr: job.config.learning_rate,
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
            verdict: self.verdict(),
            runs,
        };
        serde_json::to_string_pretty(&export).expect("a sweep export is plain data")
    }

    /// The table as CSV: one line per row (a setting at a learning rate), each carrying the
    /// shared parameters and the seed count. A missing statistic is an empty field; first-beat epochs are listed per
    /// seed, separated by spaces ("never" when a seed's run never beat Normal).
    pub fn to_csv(&self) -> String {
        let shared: Vec<(&str, String)> = self
            .sweep
            .base
            .to_pairs()
            .into_iter()
            .filter(|(key, _)| !AXES.iter().any(|axis| axis.key == *key))
            .chain([(SEEDS_FIELD.key, self.sweep.seeds.to_string())])
            .collect();
        let header: Vec<&str> = shared.iter().map(|(k, _)| *k).chain(ROW_COLUMNS).collect();
        let mut csv = header.join(",") + "\n";
        let verdict = self.verdict();
        for row in self.rows() {
            let mut fields: Vec<String> = shared.iter().map(|(_, v)| csv_field(v)).collect();
            let number = |v: Option<f32>| v.map_or(String::new(), |v| v.to_string());
            fields.extend([
                row.method.label().to_string(),
                number(row.n1),
                number(row.n2),
                row.learning_rate.to_string(),
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
            fields.extend(verdict_fields(&verdict, &row));
            csv += &fields.join(",");
            csv.push('\n');
        }
        csv
    }
}

/// A row's verdict columns: "yes" and the choice's edge when the row's rate is its method's
/// choice; for a chosen AYLA row, the paired difference to Normal's choice (mean, 95 %
/// interval, seeds). Empty fields otherwise.
fn verdict_fields(verdict: &Verdict, row: &Row) -> [String; 6] {
    let choice: Option<&Choice> = match (row.n1, row.n2) {
        (Some(n1), Some(n2)) => verdict.setting(n1, n2).and_then(|s| s.choice.as_ref()),
        _ => verdict.normal.as_ref(),
    };
    let Some(choice) = choice.filter(|c| c.learning_rate == row.learning_rate) else {
        return Default::default();
    };
    let edge = choice.edge.map_or("", Edge::name).to_string();
    let difference = (row.n1.zip(row.n2)).and_then(|(n1, n2)| verdict.setting(n1, n2)?.difference);
    let number = |v: Option<f64>| v.map_or(String::new(), |v| v.to_string());
    [
        "yes".to_string(),
        edge,
        number(difference.map(|d| d.mean)),
        number(difference.and_then(|d| d.interval).map(|i| i.0)),
        number(difference.and_then(|d| d.interval).map(|i| i.1)),
        difference.map_or(String::new(), |d| d.n.to_string()),
    ]
}
