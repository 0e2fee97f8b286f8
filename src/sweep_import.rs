//! A sweep's exported JSON (`mnist_sweep.json`, from the page or from `ayla sweep merge`)
//! read back into the record it was made from, so the page can open it. Whatever the file
//! holds, the answer is a validated record or one sentence saying what is wrong.

use serde::Deserialize;
use serde_json::Value;

use crate::protocol::MethodKind;
use crate::sweep::{Job, JobResult, Sweep, SweepRecord};
use crate::train::EpochMetrics;

/// The parts of the export (see `SweepRecord::to_json`) that the record is rebuilt from;
/// the table (`rows`) is recomputed from the runs, the link from the parameters.
#[derive(Deserialize)]
struct Export {
    parameters: Sweep,
    runs: Vec<RunExport>,
}

#[derive(Deserialize)]
struct RunExport {
    method: MethodKind,
    seed: u64,
    n1: Option<f32>,
    n2: Option<f32>,
    done: bool,
    metrics: Vec<EpochMetrics>,
}

impl SweepRecord {
    /// Reads a sweep export back. A file that is not JSON, a single run's export
    /// (`mnist_comparison.json`), parameters outside the page's limits, or a run that is
    /// not in the sweep's grid are refused with a sentence.
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
        let export: Export = serde_json::from_value(value)
            .map_err(|e| format!("This file is not a sweep export: {e}."))?;
        let sweep = validated(export.parameters)?;
        let jobs = sweep.jobs();
        let mut results: Vec<JobResult> = Vec::with_capacity(export.runs.len());
        for (k, run) in export.runs.into_iter().enumerate() {
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
            });
        }
        Ok(SweepRecord { sweep, results })
    }
}

/// The parameters as the page would accept them: they must survive the page's own
/// parser unchanged (limits, grid size, runs).
fn validated(sweep: Sweep) -> Result<Sweep, String> {
    let query = sweep.query();
    let pairs: Vec<(&str, &str)> = query
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .collect();
    let lookup = |key: &str| pairs.iter().find(|(k, _)| *k == key).map(|(_, v)| *v);
    match Sweep::parse(lookup) {
        Ok(parsed) if parsed == sweep => Ok(sweep),
        Ok(_) => Err(
            "The sweep's parameters in this file are not ones the page makes \
                      (an axis out of order or repeated, or a changed shuffle)."
                .to_string(),
        ),
        Err(errors) => Err(format!(
            "The sweep's parameters in this file are refused: {}",
            errors
                .iter()
                .map(|e| e.message.as_str())
                .collect::<Vec<_>>()
                .join(" ")
        )),
    }
}

fn find_job<'a>(jobs: &'a [Job], run: &RunExport) -> Option<&'a Job> {
    jobs.iter().find(|job| {
        let config = &job.config;
        job.method == run.method
            && config.seed == run.seed
            && match run.method {
                MethodKind::Normal => run.n1.is_none() && run.n2.is_none(),
                MethodKind::Ayla => run.n1 == Some(config.n1) && run.n2 == Some(config.n2),
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
    match run.method {
        MethodKind::Normal => format!("Normal, seed {}", run.seed),
        MethodKind::Ayla => format!(
            "AYLA N1={} N2={}, seed {}",
            number(run.n1),
            number(run.n2),
            run.seed
        ),
    }
}
