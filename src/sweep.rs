//! Sweeps: AYLA over a grid of (N1, N2) values and several seeds, each seed with its own
//! Normal baseline. This module plans the runs, estimates how long they take, and sums up
//! what they measured; the page's worker pool runs them. No browser types here.
//!
//! Every run of a seed starts from that seed's initial parameters and sees its batch order
//! (both depend only on the seed), so each AYLA cell is compared with the Normal run that
//! had exactly the same start and data.

use std::fmt::Write as _;

use serde::{Deserialize, Serialize};

use crate::chart::{HeatCell, HeatMap};
use crate::config::{parse_field, Config, FieldError, FieldSpec, FIELDS};
use crate::model::{eval_flops_per_sample, train_flops_per_sample};
use crate::protocol::MethodKind;
use crate::train::EpochMetrics;

/// The number of seeds per setting: seeds `seed`, `seed + 1`, … are used.
pub const SEEDS_FIELD: FieldSpec = FieldSpec {
    key: "seeds",
    input_id: "seeds",
    label: "Seeds",
    default: 1.0,
    min: 1.0,
    max: 10.0,
    min_exclusive: false,
    integer: true,
    help: "Runs per setting, with seeds Seed, Seed + 1, …",
};

/// Values one exponent axis may take: a 12 × 12 grid is already 144 cells.
pub const MAX_AXIS_VALUES: usize = 12;
/// Runs one sweep may plan (AYLA cells × seeds, plus one Normal per seed). Beyond this a
/// sweep takes hours on a laptop and its table stops being readable.
pub const MAX_RUNS: usize = 300;

/// A validated sweep: the shared parameters, the two exponent axes and the seed count.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Sweep {
    /// Every parameter but the exponents (its `n1`, `n2` are the first grid values).
    pub base: Config,
    pub n1: Vec<f32>,
    pub n2: Vec<f32>,
    pub seeds: usize,
}

/// One run of a sweep: a method with a config (seed and exponents filled in).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Job {
    /// Position in [`Sweep::jobs`]; results refer to runs by it.
    pub id: usize,
    pub method: MethodKind,
    pub config: Config,
}

/// Parses an exponent axis: numbers and `start:stop:step` ranges (stop included), separated
/// by commas or spaces, e.g. `0.8, 0.9, 1.0` or `0.5:1.5:0.25`. Every value must pass the
/// field's limits. Returns the values ascending, without repeats.
pub fn parse_axis(spec: &FieldSpec, text: &str) -> Result<Vec<f32>, String> {
    let items: Vec<&str> = text
        .split(|c: char| c == ',' || c == ';' || c.is_whitespace())
        .filter(|item| !item.is_empty())
        .collect();
    if items.is_empty() {
        return Err(format!(
            "{} is empty; enter values like 0.8, 0.9 or a range like 0.5:1.5:0.25.",
            spec.label
        ));
    }
    let mut values = Vec::new();
    for item in items {
        if item.contains(':') {
            values.extend(parse_range(spec, item)?);
        } else {
            values.push(parse_field(spec, item)?);
        }
        if values.len() > MAX_AXIS_VALUES {
            return Err(too_many(spec));
        }
    }
    let mut values: Vec<f32> = values.into_iter().map(|v| v as f32).collect();
    values.sort_by(f32::total_cmp);
    values.dedup();
    Ok(values)
}

/// `start:stop:step`, stop included when the steps land on it (to rounding).
fn parse_range(spec: &FieldSpec, item: &str) -> Result<Vec<f64>, String> {
    let parts: Vec<&str> = item.split(':').collect();
    let [start, stop, step] = parts[..] else {
        return Err(format!(
            "“{item}” is not a range; write start:stop:step, e.g. 0.5:1.5:0.25."
        ));
    };
    let (start, stop) = (parse_field(spec, start)?, parse_field(spec, stop)?);
    let step: f64 = step
        .trim()
        .parse()
        .map_err(|_| format!("The step in “{item}” is not a number."))?;
    if !(step.is_finite() && step > 0.0) {
        return Err(format!("The step in “{item}” must be above 0."));
    }
    if stop < start {
        return Err(format!("In “{item}” the stop is below the start."));
    }
    // Counting steps (not adding them up) keeps 0.1-sized steps from drifting; the small
    // tolerance keeps a stop that rounding puts a hair past the last step.
    let steps = ((stop - start) / step + 1e-9).floor();
    if steps >= MAX_AXIS_VALUES as f64 {
        return Err(too_many(spec));
    }
    Ok((0..=steps as usize)
        .map(|k| round_decimal(start + k as f64 * step))
        .collect())
}

/// Drops the binary noise of `start + k · step` (0.30000000000000004 → 0.3).
fn round_decimal(value: f64) -> f64 {
    (value * 1e9).round() / 1e9
}

fn too_many(spec: &FieldSpec) -> String {
    format!(
        "{} has more than {MAX_AXIS_VALUES} values; use a coarser step.",
        spec.label
    )
}

fn field(key: &str) -> &'static FieldSpec {
    FIELDS
        .iter()
        .find(|f| f.key == key)
        .expect("the exponent fields exist")
}

impl Sweep {
    /// Validates a sweep's inputs: the same keys as a single run, with `n1` and `n2` as
    /// axes (see [`parse_axis`]) and `seeds`. Reports every bad field at once; a grid over
    /// [`MAX_RUNS`] is reported on the N1 field (where the grid starts).
    pub fn parse<'a>(lookup: impl Fn(&str) -> Option<&'a str>) -> Result<Sweep, Vec<FieldError>> {
        let mut errors = Vec::new();
        let mut note = |spec: &FieldSpec, message: String| {
            errors.push(FieldError {
                key: spec.key,
                input_id: spec.input_id,
                message,
            })
        };
        let axis = |key: &str| {
            let spec = field(key);
            let text = lookup(key).unwrap_or("");
            let parsed = if text.trim().is_empty() && lookup(key).is_none() {
                Ok(vec![spec.default as f32])
            } else {
                parse_axis(spec, text)
            };
            parsed.map_err(|message| (spec, message))
        };
        let (n1, n2) = (axis("n1"), axis("n2"));
        let seeds = lookup(SEEDS_FIELD.key)
            .map_or(Ok(SEEDS_FIELD.default), |t| parse_field(&SEEDS_FIELD, t));
        // The other fields as a single run reads them; the exponents are checked above.
        let base = Config::parse(|key| match key {
            "n1" | "n2" => None,
            _ => lookup(key),
        });
        for (spec, message) in [&n1, &n2].into_iter().filter_map(|a| a.clone().err()) {
            note(spec, message);
        }
        if let Err(message) = &seeds {
            note(&SEEDS_FIELD, message.clone());
        }
        if let Err(field_errors) = &base {
            errors.extend(field_errors.iter().cloned());
        }
        let (Ok(n1), Ok(n2), Ok(seeds), Ok(mut base)) = (n1, n2, seeds, base) else {
            errors.sort_by_key(|e| input_order(e.key));
            return Err(errors);
        };
        (base.n1, base.n2) = (n1[0], n2[0]);
        let sweep = Sweep {
            base,
            n1,
            n2,
            seeds: seeds as usize,
        };
        if sweep.run_count() > MAX_RUNS {
            let spec = field("n1");
            return Err(vec![FieldError {
                key: spec.key,
                input_id: spec.input_id,
                message: format!(
                    "The sweep would be {} runs ({} × {} settings × {} seeds, plus Normal); \
                     the limit is {MAX_RUNS}. Use fewer values or seeds.",
                    sweep.run_count(),
                    sweep.n1.len(),
                    sweep.n2.len(),
                    sweep.seeds
                ),
            }]);
        }
        Ok(sweep)
    }

    /// The seeds used, from the base seed up (wrapping within the seed field's range).
    pub fn seed_values(&self) -> Vec<u64> {
        let modulus = field("seed").max as u64 + 1;
        (0..self.seeds as u64)
            .map(|k| (self.base.seed + k) % modulus)
            .collect()
    }

    /// AYLA settings in the grid.
    pub fn cells(&self) -> usize {
        self.n1.len() * self.n2.len()
    }

    /// Runs in all: every setting for every seed, plus one Normal per seed.
    pub fn run_count(&self) -> usize {
        (self.cells() + 1) * self.seeds
    }

    /// Every run, seed by seed, each seed's Normal baseline first (so a comparison can be
    /// made as soon as a seed's first AYLA run ends); within a seed, N1 then N2 ascending.
    pub fn jobs(&self) -> Vec<Job> {
        let mut jobs = Vec::with_capacity(self.run_count());
        for seed in self.seed_values() {
            let config = Config { seed, ..self.base };
            jobs.push((MethodKind::Normal, config));
            for &n1 in &self.n1 {
                for &n2 in &self.n2 {
                    jobs.push((MethodKind::Ayla, Config { n1, n2, ..config }));
                }
            }
        }
        jobs.into_iter()
            .enumerate()
            .map(|(id, (method, config))| Job { id, method, config })
            .collect()
    }

    /// The page's URL query for this sweep: `mode=sweep`, the shared parameters, the axes
    /// as lists and the seed count.
    pub fn query(&self) -> String {
        let list = |values: &[f32]| {
            values
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(",")
        };
        let mut query = String::from("mode=sweep");
        for (key, value) in self.base.to_pairs() {
            let value = match key {
                "n1" => list(&self.n1),
                "n2" => list(&self.n2),
                _ => value,
            };
            let _ = write!(query, "&{key}={value}");
        }
        let _ = write!(query, "&{}={}", SEEDS_FIELD.key, self.seeds);
        query
    }

    /// Seconds the sweep should take on `workers` parallel workers, each training at
    /// `speed`: every run's epochs (training plus the validation pass), dealt to whichever
    /// worker frees up first, as the page's pool does.
    pub fn estimate_seconds(
        &self,
        train_len: usize,
        test_len: usize,
        speed: Speed,
        workers: usize,
    ) -> f64 {
        let train = self.base.train_size.min(train_len) as f64;
        // Validation is a forward pass only: cheaper per image by the ratio of their work.
        let hidden = self.base.hidden;
        let eval_share = eval_flops_per_sample(hidden) / train_flops_per_sample(hidden);
        let images = self.base.epochs as f64 * (train + test_len as f64 * eval_share);
        let mut free_at = vec![speed.start_up; workers.max(1)];
        for job in self.jobs() {
            let rate = match job.method {
                MethodKind::Normal => speed.normal,
                MethodKind::Ayla => speed.ayla,
            };
            let soonest = free_at
                .iter_mut()
                .min_by(|a, b| a.total_cmp(b))
                .expect("at least one worker");
            *soonest += images / rate;
        }
        free_at.into_iter().fold(0.0, f64::max)
    }
}

/// The fields' order on the page, so errors are listed as the user reads them.
fn input_order(key: &str) -> usize {
    FIELDS
        .iter()
        .position(|f| f.key == key)
        .unwrap_or(FIELDS.len())
}

/// How fast one worker trains, in training images per second, while the others are busy
/// too; and the seconds a worker needs to start (load wasm, take and index the data).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Speed {
    pub normal: f64,
    pub ayla: f64,
    pub start_up: f64,
}

impl Speed {
    /// From `make bench` on a 2-core machine (README, Performance): one epoch of both
    /// methods in parallel took 1.05 s (Normal) and 1.32 s (AYLA) for 60,000 training and
    /// 10,000 validation images, and a worker 1.5 s to its first batch. Used until this
    /// browser has measured its own speed.
    pub const BENCH: Speed = Speed {
        normal: 62_000.0,
        ayla: 49_000.0,
        start_up: 1.5,
    };
}

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

/// One line of the results table: Normal, or one AYLA setting, over the seeds finished.
/// The statistics cover the finished runs that did not diverge.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Row {
    pub method: MethodKind,
    /// The setting's exponents; `None` for Normal.
    pub n1: Option<f32>,
    pub n2: Option<f32>,
    pub runs_done: usize,
    pub runs_total: usize,
    pub diverged: usize,
    pub final_val_accuracy: Option<Stat>,
    pub best_val_accuracy: Option<Stat>,
    pub final_val_loss: Option<Stat>,
    pub best_val_loss: Option<Stat>,
    /// Final val accuracy minus the same seed's Normal's, over seeds where both finished
    /// without diverging. `None` for Normal.
    pub gain: Option<Stat>,
    /// Per seed where both finished without diverging: the first epoch whose val accuracy
    /// beat Normal's at the same epoch (`None`: never). Empty for Normal.
    pub first_beat: Vec<Option<usize>>,
}

impl SweepRecord {
    pub fn parse(json: &str) -> Result<SweepRecord, String> {
        serde_json::from_str(json).map_err(|e| format!("The sweep record is malformed: {e}."))
    }

    /// The table: Normal first, then every setting in grid order (N1, then N2).
    pub fn rows(&self) -> Vec<Row> {
        let jobs = self.sweep.jobs();
        let result = |id: usize| self.results.iter().find(|r| r.job == id && r.done);
        // Each seed's Normal run, by the seed's position.
        let per_seed = self.sweep.cells() + 1;
        let normals: Vec<Option<&JobResult>> = (0..self.sweep.seeds)
            .map(|s| result(s * per_seed))
            .collect();
        let mut rows = vec![self.row(MethodKind::Normal, None, &normals, &normals)];
        for (k, (&n1, &n2)) in self.grid().enumerate() {
            let runs: Vec<Option<&JobResult>> = (0..self.sweep.seeds)
                .map(|s| result(s * per_seed + 1 + k))
                .collect();
            debug_assert!(runs
                .iter()
                .flatten()
                .all(|r| jobs[r.job].config.n1 == n1 && jobs[r.job].config.n2 == n2));
            rows.push(self.row(MethodKind::Ayla, Some((n1, n2)), &runs, &normals));
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
        method: MethodKind,
        setting: Option<(f32, f32)>,
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
        let is_ayla = method == MethodKind::Ayla;
        Row {
            method,
            n1: setting.map(|s| s.0),
            n2: setting.map(|s| s.1),
            runs_done: finished.len(),
            runs_total: runs.len(),
            diverged: finished.len() - kept.len(),
            final_val_accuracy: stat(&|r| r.metrics.last().map(val_acc)),
            best_val_accuracy: stat(&|r| r.metrics.iter().map(val_acc).reduce(f64::max)),
            final_val_loss: stat(&|r| r.metrics.last().map(val_loss)),
            best_val_loss: stat(&|r| r.metrics.iter().map(val_loss).reduce(f64::min)),
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

    /// The heat map of each setting's gain over Normal (see [`crate::chart::HeatMap`]).
    pub fn heat_map(&self, selected: Option<(usize, usize)>) -> HeatMap {
        let rows = self.rows();
        let (columns, lines) = (self.sweep.n1.len(), self.sweep.n2.len());
        // Rows are N1-major; the heat map is row-major over N2 (cells[j * columns + i]).
        let cells = (0..lines)
            .flat_map(|j| (0..columns).map(move |i| (i, j)))
            .map(|(i, j)| heat_cell(&rows[1 + i * lines + j]))
            .collect();
        let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
        HeatMap {
            title: format!(
                "Final val accuracy − Normal ({}, {})",
                plural(self.sweep.seeds, "seed"),
                plural(self.sweep.base.epochs, "epoch")
            ),
            n1: self.sweep.n1.clone(),
            n2: self.sweep.n2.clone(),
            cells,
            selected,
        }
    }
}

fn heat_cell(row: &Row) -> HeatCell {
    if row.diverged > 0 {
        HeatCell::Diverged {
            diverged: row.diverged,
            runs: row.runs_done,
        }
    } else if let Some(gain) = row.gain {
        HeatCell::Value {
            delta: gain.mean,
            std: gain.std,
            runs: gain.n,
        }
    } else {
        HeatCell::Pending
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
    method: MethodKind,
    seed: u64,
    n1: Option<f32>,
    n2: Option<f32>,
    done: bool,
    diverged: bool,
    metrics: &'a [EpochMetrics],
}

/// The table's columns after the shared parameters.
const ROW_COLUMNS: [&str; 17] = [
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
                let ayla = job.method == MethodKind::Ayla;
                Some(RunExport {
                    method: job.method,
                    seed: job.config.seed,
                    n1: ayla.then_some(job.config.n1),
                    n2: ayla.then_some(job.config.n2),
                    done: r.done,
                    diverged: r.diverged(),
                    metrics: &r.metrics,
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
