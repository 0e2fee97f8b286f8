//! A sweep run as separate tasks, one per run: the elements of a Slurm array job, or a
//! local pool. The plan file names the sweep; each task writes one result file; merging
//! turns the results into the page's [`SweepRecord`]. Native only (it reads and writes
//! files); the command line (`src/bin/ayla`) is its user.
//!
//! Task `i` is the run `sweep.jobs()[i]`, and its result is `RUNS/i.json`. A result is
//! written to a temporary file in the same folder and renamed into place, so a task killed
//! at any moment leaves its whole result or nothing. Every result carries its plan's hash
//! (SHA-256 of the sweep's page query): results of another plan are refused, never mixed.

use std::fmt;
use std::io::Write as _;
use std::ops::ControlFlow;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::config::FieldError;
use crate::method::Method;
use crate::mnist::Dataset;
use crate::sweep::{Job, JobResult, Sweep, SweepRecord};
use crate::train::{EpochMetrics, StepReport, Trainer};

/// The `format` of a plan file and of a task's result file, so that a wrong file is
/// recognised as such.
const PLAN_FORMAT: &str = "ayla sweep plan";
const RESULT_FORMAT: &str = "ayla sweep task result";

/// A validated sweep with its identity.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    pub sweep: Sweep,
    /// SHA-256 of the sweep's page query, as hex.
    pub hash: String,
}

/// The plan file: the sweep as the page's link query (read back through the page's own
/// parser, so a plan obeys the page's limits), its hash and task count.
#[derive(Serialize, Deserialize)]
struct PlanFile {
    format: String,
    query: String,
    hash: String,
    tasks: usize,
}

/// Why a plan or a task's result could not be used.
#[derive(Debug, Clone, PartialEq)]
pub enum TaskError {
    /// A file or folder could not be read or written.
    Io { path: PathBuf, message: String },
    /// A file that is not what it should be (not a plan, not a result of this plan's task).
    Malformed { path: PathBuf, message: String },
    /// A result written for another plan.
    OtherPlan {
        path: PathBuf,
        found: String,
        expected: String,
    },
    /// A task number the plan does not have.
    NoSuchTask { task: usize, tasks: usize },
}

impl fmt::Display for TaskError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TaskError::Io { path, message } => write!(f, "{}: {message}.", path.display()),
            TaskError::Malformed { path, message } => write!(f, "{}: {message}", path.display()),
            TaskError::OtherPlan {
                path,
                found,
                expected,
            } => write!(
                f,
                "{} is a result of another plan ({}, not {}): give each plan its own runs \
                 folder, or delete the old results.",
                path.display(),
                short(found),
                short(expected)
            ),
            TaskError::NoSuchTask { task, tasks } => write!(
                f,
                "There is no task {task}: the plan has {tasks} tasks, numbered 0 to {}.",
                tasks.saturating_sub(1)
            ),
        }
    }
}

/// The first 12 hex digits of a hash, for messages.
pub fn short(hash: &str) -> &str {
    hash.get(..12).unwrap_or(hash)
}

fn io_error(path: &Path) -> impl Fn(std::io::Error) -> TaskError + '_ {
    move |e| TaskError::Io {
        path: path.to_path_buf(),
        message: e.to_string(),
    }
}

fn malformed(path: &Path, message: impl Into<String>) -> TaskError {
    TaskError::Malformed {
        path: path.to_path_buf(),
        message: message.into(),
    }
}

/// The key → value pairs of a page link (`http://…/?mode=sweep&n1=0.8,0.9`) or of its
/// query alone, percent-decoded. Like the page, it ignores keys it does not know.
pub fn query_pairs(link: &str) -> Vec<(String, String)> {
    let query = link.split_once('?').map_or(link, |(_, query)| query);
    let query = query.split('#').next().unwrap_or_default();
    form_urlencoded::parse(query.as_bytes())
        .map(|(key, value)| (key.into_owned(), value.into_owned()))
        .collect()
}

/// A sweep from a page link or query, validated as the page validates its inputs.
pub fn sweep_from_query(link: &str) -> Result<Sweep, Vec<FieldError>> {
    let pairs = query_pairs(link);
    Sweep::parse(|key| {
        pairs
            .iter()
            .rev() // the last of repeated keys wins, as on the page
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    })
}

/// Every field's problem as one sentence per line, e.g. `n1: N1 must be above 0 …`.
pub fn field_errors(errors: &[FieldError]) -> String {
    errors
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("\n")
}

impl Plan {
    pub fn new(sweep: Sweep) -> Plan {
        let digest = Sha256::digest(sweep.query().as_bytes());
        let hash = digest.iter().map(|b| format!("{b:02x}")).collect();
        Plan { sweep, hash }
    }

    /// Tasks in all: one per run of the sweep.
    pub fn tasks(&self) -> usize {
        self.sweep.run_count()
    }

    /// The run of task `task`.
    pub fn job(&self, task: usize) -> Result<Job, TaskError> {
        self.sweep
            .jobs()
            .get(task)
            .copied()
            .ok_or(TaskError::NoSuchTask {
                task,
                tasks: self.tasks(),
            })
    }

    pub fn to_json(&self) -> String {
        let file = PlanFile {
            format: PLAN_FORMAT.to_string(),
            query: self.sweep.query(),
            hash: self.hash.clone(),
            tasks: self.tasks(),
        };
        serde_json::to_string_pretty(&file).expect("a plan is plain data") + "\n"
    }

    /// Reads a plan file back: its query must pass the page's checks and still have the
    /// hash and task count written beside it (an edited plan would mix runs of two sweeps).
    pub fn parse(path: &Path, json: &str) -> Result<Plan, TaskError> {
        let file: PlanFile = serde_json::from_str(json)
            .map_err(|e| malformed(path, format!("this is not a sweep plan ({e}).")))?;
        if file.format != PLAN_FORMAT {
            return Err(malformed(
                path,
                format!(
                    "this is not a sweep plan (its format is “{}”).",
                    file.format
                ),
            ));
        }
        let sweep = sweep_from_query(&file.query).map_err(|errors| {
            malformed(
                path,
                format!(
                    "the plan's parameters are refused:\n{}",
                    field_errors(&errors)
                ),
            )
        })?;
        let plan = Plan::new(sweep);
        if plan.hash != file.hash || plan.tasks() != file.tasks {
            return Err(malformed(
                path,
                "the plan was edited (its hash or task count no longer matches its query); \
                 make a new one with `ayla sweep plan`.",
            ));
        }
        Ok(plan)
    }

    pub fn read(path: &Path) -> Result<Plan, TaskError> {
        let json = std::fs::read_to_string(path).map_err(io_error(path))?;
        Plan::parse(path, &json)
    }
}

/// What one run is, for people: `AYLA N1=0.9 N2=1, lr 0.01, seed 42` or `Normal, lr 0.01,
/// seed 42`.
pub fn describe(job: &Job) -> String {
    let config = &job.config;
    let (lr, seed) = (config.learning_rate, config.seed);
    match job.method {
        Method::Normal => format!("Normal, lr {lr}, seed {seed}"),
        Method::Ayla => format!(
            "AYLA N1={} N2={}, lr {lr}, seed {seed}",
            config.n1, config.n2
        ),
    }
}

/// A list of task numbers in Slurm's `--array` syntax: `0-2,5,7-8`.
pub fn array_spec(tasks: &[usize]) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut k = 0;
    while k < tasks.len() {
        let start = tasks[k];
        while k + 1 < tasks.len() && tasks[k + 1] == tasks[k] + 1 {
            k += 1;
        }
        parts.push(if tasks[k] == start {
            start.to_string()
        } else {
            format!("{start}-{}", tasks[k])
        });
        k += 1;
    }
    parts.join(",")
}

/// The training and test sets a task trains on.
pub struct TaskData {
    pub train: Arc<Dataset>,
    pub test: Arc<Dataset>,
}

impl TaskData {
    /// Refuses a sweep whose held-out images (K) would leave nothing to train on in this
    /// data, as the page does before it starts one.
    pub fn check(&self, sweep: &Sweep) -> Result<(), String> {
        sweep
            .base
            .check_data(self.train.len())
            .map_err(|e| e.to_string())
    }
}

/// Trains one run of the sweep exactly as a page worker does (same config, same data),
/// calling `on_step` after every batch and `on_epoch` after every epoch.
pub fn run_job(
    job: &Job,
    data: &TaskData,
    clock: fn() -> f64,
    mut on_step: impl FnMut(&StepReport),
    mut on_epoch: impl FnMut(&EpochMetrics),
) -> JobResult {
    let config = job.config;
    // A smaller training set is a copy of the first images, as in the page's worker.
    let train = if config.train_size < data.train.len() {
        Arc::new(data.train.first(config.train_size))
    } else {
        Arc::clone(&data.train)
    };
    let mut trainer = Trainer::new(config, job.method, train, Arc::clone(&data.test), clock);
    let mut metrics = Vec::new();
    while !trainer.is_finished() {
        let epoch = trainer.run_epoch(|report| {
            on_step(report);
            ControlFlow::Continue(())
        });
        // Never asked to stop, so every call ends its epoch.
        if let Some(epoch) = epoch {
            on_epoch(&epoch);
            metrics.push(epoch);
        }
    }
    JobResult {
        job: job.id,
        metrics,
        done: true,
        test: trainer.test_score(),
    }
}

/// A task's result file: the finished run, stamped with its plan.
#[derive(Serialize, Deserialize)]
struct ResultFile {
    format: String,
    plan: String,
    task: usize,
    /// What the task trained, for people reading the file (see [`describe`]).
    run: String,
    result: JobResult,
}

/// Where task `task`'s result goes.
pub fn result_path(runs: &Path, task: usize) -> PathBuf {
    runs.join(format!("{task}.json"))
}

/// Writes a finished run as `RUNS/TASK.json`, atomically: a temporary file in the same
/// folder, flushed to disk, then renamed over the final name.
pub fn write_result(plan: &Plan, runs: &Path, result: &JobResult) -> Result<PathBuf, TaskError> {
    let job = plan.job(result.job)?;
    let file = ResultFile {
        format: RESULT_FORMAT.to_string(),
        plan: plan.hash.clone(),
        task: result.job,
        run: describe(&job),
        result: result.clone(),
    };
    let json = serde_json::to_string_pretty(&file).expect("a result is plain data") + "\n";
    let path = result_path(runs, result.job);
    write_atomically(&path, json.as_bytes())?;
    Ok(path)
}

/// Writes `bytes` to `path` through a temporary file in the same folder and a rename, so
/// that `path` never holds a partial file, whenever the process is killed.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), TaskError> {
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    std::fs::create_dir_all(dir).map_err(io_error(dir))?;
    let name = path.file_name().map_or_else(
        || "file".to_string(),
        |name| name.to_string_lossy().into_owned(),
    );
    let prefix = format!(".{name}.");
    let mut builder = tempfile::Builder::new();
    builder.prefix(&prefix).suffix(".part");
    // A plain file's permissions (the umask applies), not a temporary file's 0600.
    #[cfg(unix)]
    builder.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o666));
    let mut temp = builder.tempfile_in(dir).map_err(io_error(dir))?;
    temp.write_all(bytes).map_err(io_error(temp.path()))?;
    temp.as_file().sync_all().map_err(io_error(temp.path()))?;
    temp.persist(path).map_err(|e| io_error(path)(e.error))?;
    Ok(())
}

/// Task `task`'s finished run, if its result file is there. A file that is malformed,
/// of another task, or of another plan is an error, not a missing result.
pub fn read_result(plan: &Plan, runs: &Path, task: usize) -> Result<Option<JobResult>, TaskError> {
    let path = result_path(runs, task);
    let json = match std::fs::read_to_string(&path) {
        Ok(json) => json,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(io_error(&path)(e)),
    };
    let file: ResultFile = serde_json::from_str(&json)
        .map_err(|e| malformed(&path, format!("this is not a task's result ({e}).")))?;
    if file.format != RESULT_FORMAT {
        return Err(malformed(&path, "this is not a task's result."));
    }
    if file.plan != plan.hash {
        return Err(TaskError::OtherPlan {
            path,
            found: file.plan,
            expected: plan.hash.clone(),
        });
    }
    let result = file.result;
    if file.task != task || result.job != task {
        return Err(malformed(
            &path,
            format!("it holds task {}, not task {task}.", result.job),
        ));
    }
    check_finished(&path, plan, result).map(Some)
}

/// A result holds every epoch of its run, numbered from 1, or the epochs up to the one
/// that diverged.
fn check_finished(path: &Path, plan: &Plan, result: JobResult) -> Result<JobResult, TaskError> {
    let epochs = plan.sweep.base.epochs;
    let numbered = result
        .metrics
        .iter()
        .enumerate()
        .all(|(k, m)| m.epoch == k + 1);
    let complete =
        result.metrics.len() == epochs || (result.metrics.len() < epochs && result.diverged());
    if result.done && numbered && complete {
        Ok(result)
    } else {
        Err(malformed(
            path,
            format!(
                "its run is unfinished ({} of {epochs} epochs).",
                result.metrics.len()
            ),
        ))
    }
}

/// The finished runs of a plan, as the page's record, and the tasks still missing.
#[derive(Debug, Clone, PartialEq)]
pub struct Merged {
    /// Results in task order.
    pub record: SweepRecord,
    pub missing: Vec<usize>,
}

/// Reads every task's result from `runs` (a folder not made yet has none). Any result that cannot be used (malformed, of
/// another plan, numbered past the plan's tasks) is reported, and nothing is merged then.
pub fn merge(plan: &Plan, runs: &Path) -> Result<Merged, Vec<TaskError>> {
    let mut errors = strays(plan, runs)?;
    let (mut results, mut missing) = (Vec::new(), Vec::new());
    for task in 0..plan.tasks() {
        match read_result(plan, runs, task) {
            Ok(Some(result)) => results.push(result),
            Ok(None) => missing.push(task),
            Err(e) => errors.push(e),
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(Merged {
        record: SweepRecord {
            sweep: plan.sweep.clone(),
            results,
        },
        missing,
    })
}

/// Result files numbered past the plan's last task: results of a bigger plan. A folder
/// not made yet holds none.
fn strays(plan: &Plan, runs: &Path) -> Result<Vec<TaskError>, Vec<TaskError>> {
    let entries = match std::fs::read_dir(runs) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(vec![io_error(runs)(e)]),
    };
    let mut errors = Vec::new();
    for entry in entries.flatten() {
        let name = entry.file_name();
        let number = name
            .to_str()
            .and_then(|n| n.strip_suffix(".json"))
            .and_then(|n| n.parse::<usize>().ok());
        if let Some(task) = number.filter(|&task| task >= plan.tasks()) {
            errors.push(match read_result(plan, runs, task) {
                Err(e @ TaskError::OtherPlan { .. }) => e,
                _ => malformed(
                    &entry.path(),
                    format!("the plan has no task {task} (it has {}).", plan.tasks()),
                ),
            });
        }
    }
    Ok(errors)
}
