//! A sweep as the page shows it: the pool's runs and their progress, what each run measured
//! (the table, the heat map), the setting chosen for the comparison figure, the log grouped
//! by run, and what the page should change after each worker message.

mod view;

pub use view::TableRow;

use super::{EpochRate, Overall, RowState, RowUpdate, Status, StatusState, Update};
use crate::method::Method;
use crate::protocol::{FromWorker, Job};
use crate::sweep::{Column, JobResult, Sweep, SweepRecord};
use crate::text::{duration, plural, thousands};

#[derive(Debug, Clone)]
pub struct SweepSession {
    record: SweepRecord,
    jobs: Vec<Job>,
    /// Training images each run uses, and so its batches per epoch.
    train_size: usize,
    batches_per_epoch: usize,
    /// Batches trained so far, by job: the overall bar.
    batches_done: Vec<usize>,
    /// Each run's log lines; a run's lines are printed together, in plan order.
    lines: Vec<Vec<String>>,
    next_to_log: usize,
    /// The (N1, N2) cell shown in the comparison figure.
    selected: Option<(usize, usize)>,
    sort: (Column, bool),
    workers: usize,
    /// The run each worker trains, by slot.
    busy: Vec<Option<usize>>,
    idle: usize,
    over: bool,
}

impl SweepSession {
    /// A sweep about to start on `workers` workers, with `loaded_train` training images
    /// loaded.
    pub fn new(sweep: Sweep, loaded_train: usize, workers: usize) -> SweepSession {
        let jobs = sweep.jobs();
        let train_size = sweep.base.train_size.min(loaded_train);
        SweepSession {
            batches_per_epoch: train_size.div_ceil(sweep.base.batch_size.max(1)),
            train_size,
            batches_done: vec![0; jobs.len()],
            lines: vec![Vec::new(); jobs.len()],
            next_to_log: 0,
            selected: None,
            sort: (Column::Gain, true),
            workers: workers.max(1),
            busy: vec![None; workers.max(1)],
            idle: 0,
            over: false,
            record: SweepRecord {
                sweep,
                results: Vec::new(),
            },
            jobs,
        }
    }

    pub fn jobs(&self) -> &[Job] {
        &self.jobs
    }

    pub fn record(&self) -> &SweepRecord {
        &self.record
    }

    /// The line under the status: the grid and the shared parameters.
    pub fn describe(&self) -> String {
        let s = &self.record.sweep;
        let list = |v: &[f32]| v.iter().map(f32::to_string).collect::<Vec<_>>().join(", ");
        [
            format!("Sweep: N1 {}", list(&s.n1)),
            format!("N2 {}", list(&s.n2)),
            plural(s.seeds, "seed"),
            format!("from seed {}", s.base.seed),
            plural(s.base.epochs, "epoch"),
            format!("{} training images", thousands(self.train_size)),
        ]
        .join(" · ")
    }

    /// The workers' rows and the status before any message.
    pub fn start(&self) -> Update {
        Update {
            rows: (0..self.workers)
                .map(|slot| RowUpdate {
                    row: slot,
                    method: None,
                    value: 0.0,
                    max: 1.0,
                    text: "Starting…".into(),
                    state: RowState::Running,
                })
                .collect(),
            status: Some(Status::new(
                StatusState::Training,
                format!(
                    "Sweep: {} of {}…",
                    plural(self.jobs.len(), "run"),
                    plural(self.record.sweep.base.epochs, "epoch")
                ),
            )),
            overall: Some(self.overall(0.0)),
            redraw: true,
            ..Update::default()
        }
    }

    /// A worker took a run.
    pub fn job_started(&mut self, job: usize, slot: usize) -> Update {
        if self.over || job >= self.jobs.len() {
            return Update::default();
        }
        self.record.results.push(JobResult {
            job,
            metrics: Vec::new(),
            done: false,
        });
        if let Some(busy) = self.busy.get_mut(slot) {
            *busy = Some(job);
        }
        Update {
            rows: vec![self.row(slot, job, (0, 1), "Starting…".into())],
            ..Update::default()
        }
    }

    /// Takes a message of the worker in `slot` about run `job`.
    pub fn receive(
        &mut self,
        job: usize,
        slot: usize,
        message: FromWorker,
        elapsed: f64,
    ) -> Update {
        if self.over || job >= self.jobs.len() {
            return Update::default();
        }
        let epoch_rate = EpochRate::of(&message);
        let update = self.apply(job, slot, message, elapsed);
        Update {
            epoch_rate,
            ..update
        }
    }

    fn apply(&mut self, job: usize, slot: usize, message: FromWorker, elapsed: f64) -> Update {
        match message {
            FromWorker::Ready => Update::default(),
            FromWorker::Progress {
                epoch,
                batch,
                batches,
                samples_per_sec,
                ..
            } => {
                self.batches_done[job] = (epoch - 1) * batches + batch;
                let text = [
                    setting(&self.jobs[job]),
                    format!("epoch {epoch}/{}", self.jobs[job].config.epochs),
                    format!("batch {batch}/{batches}"),
                    format!("{} img/s", thousands(samples_per_sec.round() as usize)),
                ]
                .join(" · ");
                Update {
                    rows: vec![self.row(slot, job, (batch, batches), text)],
                    overall: Some(self.overall(elapsed)),
                    ..Update::default()
                }
            }
            FromWorker::Epoch {
                metrics, log_line, ..
            } => {
                if let Some(result) = self.result_mut(job) {
                    result.metrics.push(metrics);
                }
                self.lines[job].push(format!("[{}] {log_line}", setting(&self.jobs[job])));
                Update {
                    redraw: self.shows(job),
                    ..Update::default()
                }
            }
            FromWorker::Done { .. } => self.run_done(job, elapsed),
            FromWorker::Error { message, .. } => {
                let text = format!("{}: {message}", setting(&self.jobs[job]));
                self.fail(text)
            }
        }
    }

    fn run_done(&mut self, job: usize, elapsed: f64) -> Update {
        if let Some(result) = self.result_mut(job) {
            result.done = true;
        }
        for busy in &mut self.busy {
            if *busy == Some(job) {
                *busy = None;
            }
        }
        // A diverged run is over too: all of its batches count as done for the overall bar.
        self.batches_done[job] = self.jobs[job].config.epochs * self.batches_per_epoch;
        if self.selected.is_none() && self.jobs[job].method == Method::Ayla {
            self.selected = self.cell_of(job);
        }
        Update {
            log: self.release_lines(),
            overall: Some(self.overall(elapsed)),
            redraw: true,
            ..Update::default()
        }
    }

    /// The lines of every finished run not printed yet, in plan order.
    fn release_lines(&mut self) -> Vec<String> {
        let mut lines = Vec::new();
        while self.next_to_log < self.jobs.len() && self.is_done(self.next_to_log) {
            lines.append(&mut self.lines[self.next_to_log]);
            self.next_to_log += 1;
        }
        lines
    }

    /// The worker in `slot` has nothing left to do; the sweep is over once all are idle.
    pub fn idle(&mut self, slot: usize, elapsed: f64) -> Update {
        if self.over {
            return Update::default();
        }
        self.idle += 1;
        let mut update = Update {
            rows: vec![RowUpdate {
                row: slot,
                method: None,
                value: 1.0,
                max: 1.0,
                text: "Idle: no runs left".into(),
                state: RowState::Done,
            }],
            ..Update::default()
        };
        if self.idle >= self.workers {
            self.over = true;
            update.finished = true;
            update.status = Some(Status::new(StatusState::Done, self.summary(elapsed)));
        }
        update
    }

    /// Ends the sweep with a problem a user can read; finished runs stay.
    pub fn fail(&mut self, text: String) -> Update {
        self.over = true;
        self.record.results.retain(|r| r.done);
        Update {
            log: self.release_lines(),
            status: Some(Status::new(StatusState::Error, text)),
            redraw: true,
            finished: true,
            ..Update::default()
        }
    }

    /// The user pressed Stop: the runs not finished are dropped, the finished ones stay.
    pub fn stop(&mut self, elapsed: f64) -> Update {
        self.over = true;
        self.record.results.retain(|r| r.done);
        let rows = (self.busy.iter().enumerate())
            .filter_map(|(slot, job)| Some((slot, (*job)?)))
            .map(|(slot, job)| RowUpdate {
                state: RowState::Stopped,
                ..self.row(slot, job, (0, 1), "Stopped".into())
            })
            .collect();
        Update {
            rows,
            status: Some(Status::new(
                StatusState::Stopped,
                format!(
                    "Stopped after {}. Press Train to start again.",
                    duration(elapsed)
                ),
            )),
            redraw: true,
            finished: true,
            ..Update::default()
        }
    }

    fn overall(&self, elapsed: f64) -> Overall {
        let total: usize = self
            .jobs
            .iter()
            .map(|job| job.config.epochs * self.batches_per_epoch)
            .sum();
        let fraction =
            (self.batches_done.iter().sum::<usize>() as f64 / total.max(1) as f64).min(1.0);
        let finished = self.record.results.iter().filter(|r| r.done).count();
        let eta = if fraction > 0.02 {
            format!(" · ETA {}", duration(elapsed * (1.0 - fraction) / fraction))
        } else {
            String::new()
        };
        Overall {
            fraction,
            text: format!(
                "{finished} of {} done · {} elapsed{eta}",
                plural(self.jobs.len(), "run"),
                duration(elapsed)
            ),
        }
    }

    /// The row of the worker in `slot`, training run `job`, `batch` of `batches` done.
    fn row(
        &self,
        slot: usize,
        job: usize,
        (batch, batches): (usize, usize),
        text: String,
    ) -> RowUpdate {
        RowUpdate {
            row: slot,
            method: Some(self.jobs[job].method),
            value: batch as f64,
            max: batches.max(1) as f64,
            text,
            state: RowState::Running,
        }
    }

    fn cell_of(&self, job: usize) -> Option<(usize, usize)> {
        let config = &self.jobs[job].config;
        match self.jobs[job].method {
            Method::Normal => None,
            Method::Ayla => self.cell_at(Some(config.n1), Some(config.n2)),
        }
    }

    fn cell_at(&self, n1: Option<f32>, n2: Option<f32>) -> Option<(usize, usize)> {
        let s = &self.record.sweep;
        let i = s.n1.iter().position(|&v| Some(v) == n1)?;
        let j = s.n2.iter().position(|&v| Some(v) == n2)?;
        Some((i, j))
    }

    fn is_done(&self, job: usize) -> bool {
        self.result(job).is_some_and(|r| r.done)
    }

    fn result(&self, job: usize) -> Option<&JobResult> {
        self.record.results.iter().find(|r| r.job == job)
    }

    fn result_mut(&mut self, job: usize) -> Option<&mut JobResult> {
        self.record.results.iter_mut().find(|r| r.job == job)
    }
}

/// "Normal, seed 5" or "N1 0.9, N2 4, seed 5".
fn setting(job: &Job) -> String {
    let c = &job.config;
    match job.method {
        Method::Normal => format!("Normal, seed {}", c.seed),
        Method::Ayla => format!("N1 {}, N2 {}, seed {}", c.n1, c.n2, c.seed),
    }
}
