//! What a sweep measured: each run's epochs, and the results table over seeds (mean and
//! sample standard deviation, the gain over the same seed's Normal).

use serde::{Deserialize, Serialize};

use super::Sweep;
use crate::history::TestScore;
use crate::method::Method;
use crate::train::EpochMetrics;

/// What the page keeps of a sweep: its parameters and each run's epochs so far.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SweepRecord {
    pub sweep: Sweep,
    pub results: Vec<JobResult>,
}

/// One run's epochs; `done` once it finished (all epochs, or diverged).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JobResult {
    pub job: usize,
    pub metrics: Vec<EpochMetrics>,
    pub done: bool,
    /// The test figures of a run validated on held-out images, scored once at its end
    /// (see [`crate::history::Run::test`]); absent from results written before them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub test: Option<TestScore>,
}

impl JobResult {
    pub fn diverged(&self) -> bool {
        self.metrics.iter().any(|m| m.diverged_at.is_some())
    }
}

/// Mean and sample standard deviation over seeds (`std` needs two values).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Stat {
    pub mean: f64,
    pub std: Option<f64>,
    pub n: usize,
}

impl Stat {
    /// `None` for no values.
    pub fn of(values: &[f64]) -> Option<Stat> {
        let n = values.len();
        if n == 0 {
            return None;
        }
        let mean = values.iter().sum::<f64>() / n as f64;
        let std = (n > 1).then(|| {
            let square_sum: f64 = values.iter().map(|v| (v - mean).powi(2)).sum();
            (square_sum / (n - 1) as f64).sqrt()
        });
        Some(Stat { mean, std, n })
    }
}

/// One line of the results table: Normal, or one AYLA setting, at one learning rate, over
/// the seeds finished. The statistics cover the finished runs that did not diverge.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Row {
    pub method: Method,
    /// The setting's exponents; `None` for Normal.
    pub n1: Option<f32>,
    pub n2: Option<f32>,
    pub learning_rate: f32,
    pub runs_done: usize,
    pub runs_total: usize,
    pub diverged: usize,
    pub final_val_accuracy: Option<Stat>,
    pub best_val_accuracy: Option<Stat>,
    pub final_val_loss: Option<Stat>,
    pub best_val_loss: Option<Stat>,
    /// The test accuracy scored once at each run's end, over the runs that have one (those
    /// validated on held-out images); absent from the JSON when none has.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub test_accuracy: Option<Stat>,
    /// Final val accuracy minus Normal's at the same learning rate and seed, over seeds
    /// where both finished without diverging. `None` for Normal.
    pub gain: Option<Stat>,
    /// Per seed where both finished without diverging: the first epoch whose val accuracy
    /// beat Normal's at the same epoch (`None`: never). Empty for Normal.
    pub first_beat: Vec<Option<usize>>,
}

impl SweepRecord {
    pub fn parse(json: &str) -> Result<SweepRecord, String> {
        serde_json::from_str(json).map_err(|e| format!("The sweep record is malformed: {e}."))
    }

    /// The table: Normal at each learning rate first, then every setting in grid order
    /// (N1, then N2), each at every learning rate.
    pub fn rows(&self) -> Vec<Row> {
        let sweep = &self.sweep;
        let result = |id: usize| self.results.iter().find(|r| r.job == id && r.done);
        // The runs of one (setting, learning rate), seed by seed.
        let runs = |rate: usize, cell: Option<usize>| -> Vec<Option<&JobResult>> {
            (0..sweep.seeds)
                .map(|s| result(sweep.job_id(s, rate, cell)))
                .collect()
        };
        let rates = 0..sweep.lr.len();
        let normals: Vec<Vec<Option<&JobResult>>> = rates.clone().map(|k| runs(k, None)).collect();
        let mut rows: Vec<Row> = rates
            .clone()
            .map(|k| self.row(Method::Normal, None, k, &normals[k], &normals[k]))
            .collect();
        for (cell, (&n1, &n2)) in self.grid().enumerate() {
            for k in rates.clone() {
                let row = self.row(
                    Method::Ayla,
                    Some((n1, n2)),
                    k,
                    &runs(k, Some(cell)),
                    &normals[k],
                );
                rows.push(row);
            }
        }
        rows
    }

    /// The grid's settings in job order: N1 outer, N2 inner.
    fn grid(&self) -> impl Iterator<Item = (&f32, &f32)> {
        self.sweep
            .n1
            .iter()
            .flat_map(|n1| self.sweep.n2.iter().map(move |n2| (n1, n2)))
    }

    fn row(
        &self,
        method: Method,
        setting: Option<(f32, f32)>,
        rate: usize,
        runs: &[Option<&JobResult>],
        normals: &[Option<&JobResult>],
    ) -> Row {
        let finished: Vec<&JobResult> = runs.iter().flatten().copied().collect();
        let kept: Vec<&JobResult> = finished.iter().filter(|r| !r.diverged()).copied().collect();
        let stat = |pick: &dyn Fn(&JobResult) -> Option<f64>| {
            Stat::of(&kept.iter().filter_map(|r| pick(r)).collect::<Vec<_>>())
        };
        let val_acc = |m: &EpochMetrics| f64::from(m.val_accuracy);
        let val_loss = |m: &EpochMetrics| f64::from(m.val_loss);
        // Seeds where this run and its Normal both finished without diverging.
        let compared: Vec<(&JobResult, &JobResult)> = runs
            .iter()
            .zip(normals)
            .filter_map(|(run, normal)| Some(((*run)?, (*normal)?)))
            .filter(|(run, normal)| !run.diverged() && !normal.diverged())
            .collect();
        let is_ayla = method == Method::Ayla;
        Row {
            method,
            n1: setting.map(|s| s.0),
            n2: setting.map(|s| s.1),
            learning_rate: self.sweep.lr[rate],
            runs_done: finished.len(),
            runs_total: runs.len(),
            diverged: finished.len() - kept.len(),
            final_val_accuracy: stat(&|r| r.metrics.last().map(val_acc)),
            best_val_accuracy: stat(&|r| r.metrics.iter().map(val_acc).reduce(f64::max)),
            final_val_loss: stat(&|r| r.metrics.last().map(val_loss)),
            best_val_loss: stat(&|r| r.metrics.iter().map(val_loss).reduce(f64::min)),
            test_accuracy: stat(&|r| r.test.map(|t| f64::from(t.accuracy))),
            gain: is_ayla
                .then(|| {
                    Stat::of(
                        &compared
                            .iter()
                            .filter_map(|(run, normal)| {
                                Some(val_acc(run.metrics.last()?) - val_acc(normal.metrics.last()?))
                            })
                            .collect::<Vec<_>>(),
                    )
                })
                .flatten(),
            first_beat: if is_ayla {
                compared
                    .iter()
                    .map(|(run, normal)| first_beat(run, normal))
                    .collect()
            } else {
                Vec::new()
            },
        }
    }
}

/// The first epoch (1-based) at which `run`'s val accuracy beat `normal`'s at that epoch.
fn first_beat(run: &JobResult, normal: &JobResult) -> Option<usize> {
    run.metrics
        .iter()
        .zip(&normal.metrics)
        .find(|(a, n)| a.val_accuracy > n.val_accuracy)
        .map(|(a, _)| a.epoch)
}
