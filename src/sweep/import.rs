//! A sweep's exported JSON (`mnist_sweep.json`, from the page or from `ayla sweep merge`)
//! read back into the record it was made from, so the page can open it. Whatever the file
//! holds, the answer is a validated record or one sentence saying what is wrong.

use serde::Deserialize;
use serde_json::Value;

use super::{Job, JobResult, Sweep, SweepRecord};
use crate::history::TestScore;
use crate::method::Method;
use crate::train::EpochMetrics;

/// One run as the export lists it (see `SweepRecord::to_json`); the record is rebuilt from
/// these and the parameters, while the table (`rows`) and the link are recomputed.
#[derive(Deserialize)]
struct RunExport {
    method: Method,
    seed: u64,
    n1: Option<f32>,
    n2: Option<f32>,
    /// Absent from exports written before the learning rate was a sweep axis: then the
    /// sweep's one rate.
    #[serde(default)]
    lr: Option<f32>,
    done: bool,
    metrics: Vec<EpochMetrics>,
    /// Absent from exports of runs validated on the test set, and of older pages.
    #[serde(default)]
    test: Option<TestScore>,
}

impl SweepRecord {
    /// Reads a sweep export back. A file that is not JSON, a single run's export
    /// (`mnist_comparison.json`), parameters the page would refuse, or a run that is not
    /// in the sweep's grid are refused with a sentence.
    pub fn from_export(json: &str) -> Result<SweepRecord, String> {
        let value: Value = serde_json::from_str(json)
            .map_err(|e| format!("This file is not a sweep export: it is not JSON ({e})."))?;
        if !value.is_object() {
            return Err("This file is not a sweep export: it is not a JSON object.".to_string());
        }
        if value["parameters"]["n1"].is_number() {
            return Err(
                "This file is a single run's export (mnist_comparison.json), not a \
                        sweep's (mnist_sweep.json)."
                    .to_string(),
            );
        }
        let (Some(parameters), Some(runs)) = (value.get("parameters"), value.get("runs")) else {
            return Err("This file is not a sweep export: it has no parameters and runs.".into());
        };
        // Deserialising a `Sweep` checks it as the page checks its inputs.
        let sweep = Sweep::deserialize(parameters).map_err(|e| {
            format!(
                "The sweep's parameters in this file are refused: {}.",
                sentence(&e)
            )
        })?;
        let runs = Vec::<RunExport>::deserialize(runs)
            .map_err(|e| format!("The runs in this file are malformed: {}.", sentence(&e)))?;
        let jobs = sweep.jobs();
        let mut results: Vec<JobResult> = Vec::with_capacity(runs.len());
        for (k, run) in runs.into_iter().enumerate() {
            let job = find_job(&jobs, &run).ok_or_else(|| {
                format!(
                    "Run {} of the file ({}) is not part of its sweep's grid.",
                    k + 1,
                    describe(&run)
                )
            })?;
            if results.iter().any(|r| r.job == job.id) {
                return Err(format!("The file holds the run {} twice.", describe(&run)));
            }
            check_epochs(&run, sweep.base.epochs)?;
            results.push(JobResult {
                job: job.id,
                metrics: run.metrics,
                done: run.done,
                test: run.test,
            });
        }
        Ok(SweepRecord { sweep, results })
    }
}

/// A serde message without its closing full stop, to end a sentence of ours.
fn sentence(error: &serde_json::Error) -> String {
    error.to_string().trim_end_matches('.').to_string()
}

fn find_job<'a>(jobs: &'a [Job], run: &RunExport) -> Option<&'a Job> {
    jobs.iter().find(|job| {
        let config = &job.config;
        job.method == run.method
            && config.seed == run.seed
            && run.lr.is_none_or(|lr| lr == config.learning_rate)
            && match run.method {
                Method::Normal => run.n1.is_none() && run.n2.is_none(),
                Method::Ayla => run.n1 == Some(config.n1) && run.n2 == Some(config.n2),
            }
    })
}

/// Epochs numbered 1, 2, … and no more than the sweep has.
fn check_epochs(run: &RunExport, epochs: usize) -> Result<(), String> {
    let numbered = run
        .metrics
        .iter()
        .enumerate()
        .all(|(k, m)| m.epoch == k + 1);
    if numbered && run.metrics.len() <= epochs {
        Ok(())
    } else {
        Err(format!(
            "The epochs of the run {} are not numbered 1 to at most {epochs}.",
            describe(run)
        ))
    }
}

fn describe(run: &RunExport) -> String {
    let number = |v: Option<f32>| v.map_or("none".to_string(), |v| v.to_string());
    let rate = run.lr.map_or(String::new(), |lr| format!(", lr {lr}"));
    match run.method {
        Method::Normal => format!("Normal{rate}, seed {}", run.seed),
        Method::Ayla => format!(
            "AYLA N1={} N2={}{rate}, seed {}",
            number(run.n1),
            number(run.n2),
            run.seed
        ),
    }
}
