//! A sweep as the page shows it: the pool's runs and their progress, what each run measured
//! (the table, the heat map), the setting chosen for the comparison figure, the log grouped
//! by run, and what the page should change after each worker message.

mod replay;
mod view;

pub use view::TableRow;

use super::stored::{Entry, Plan, SavedState, Summary, SCHEMA};
use super::{EpochRate, Overall, RowState, RowUpdate, Saved, Status, StatusState, Update};
use crate::chart::HeatView;
use crate::history::TestScore;
use crate::method::Method;
use crate::protocol::{FromWorker, Job};
use crate::split::Split;
use crate::sweep::{Column, JobResult, Sweep, SweepRecord};
use crate::text::{duration, plural, thousands};
use crate::train::{test_log_line, EpochMetrics};

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
    /// The (N1, N2) cell shown in the comparison figure, and its learning rate's place.
    selected: Option<(usize, usize)>,
    rate: usize,
    /// What the heat map shows.
    view: HeatView,
    sort: (Column, bool),
    workers: usize,
    /// The run each worker trains, by slot.
    busy: Vec<Option<usize>>,
    idle: usize,
    /// The share of the sweep already done when this page started it (more than 0 when
    /// it resumes a stored sweep), for the ETA.
    done_at_start: f64,
    /// `Running` until it is over; then how it ended.
    state: SavedState,
    /// The status sentence it ended with.
    ending: String,
}

impl SweepSession {
    /// A sweep about to start on `workers` workers, with `loaded_train` training images
    /// loaded.
    pub fn new(sweep: Sweep, loaded_train: usize, workers: usize) -> SweepSession {
        let jobs = sweep.jobs();
        let train_size = sweep.base.images_used(loaded_train);
        let trained = Split::new(&sweep.base, train_size).trained;
        SweepSession {
            batches_per_epoch: trained.div_ceil(sweep.base.batch_size.max(1)),
            train_size,
            batches_done: vec![0; jobs.len()],
            lines: vec![Vec::new(); jobs.len()],
            next_to_log: 0,
            selected: None,
            rate: 0,
            view: HeatView::default_for(&sweep),
            sort: (Column::Gain, true),
            workers: workers.max(1),
            busy: vec![None; workers.max(1)],
            idle: 0,
            done_at_start: 0.0,
            state: SavedState::Running,
            ending: String::new(),
            record: SweepRecord {
                sweep,
                results: Vec::new(),
            },
            jobs,
        }
    }

    /// A sweep measured elsewhere (a page export, or `ayla sweep merge` on a cluster),
    /// opened to be looked at: nothing runs; the first setting with results is shown.
    pub fn opened(record: SweepRecord) -> SweepSession {
        let train_size = record.sweep.base.train_size;
        let mut session = SweepSession::new(record.sweep.clone(), train_size, 1);
        session.state = SavedState::Done;
        if let Some(job) = (record.results.iter())
            .find(|r| r.done && session.cell_of(r.job).is_some())
            .map(|r| r.job)
        {
            session.selected = session.cell_of(job);
            session.rate = session.rate_of(job);
        }
        session.record = record;
        session
    }

    /// The status line of an opened sweep: what it holds.
    pub fn opened_status(&self, file_name: &str) -> Status {
        let done = self.record.results.iter().filter(|r| r.done).count();
        Status::new(
            StatusState::Done,
            format!(
                "Opened {file_name}: {} of {} finished. The inputs hold its parameters: \
                 Run sweep would train it again here.",
                plural(done, "run"),
                self.jobs.len()
            ),
        )
    }

    /// Every run of the plan, finished or not; `id` is the place in this list.
    pub fn jobs(&self) -> &[Job] {
        &self.jobs
    }

    /// The runs not finished yet, in order: what the worker pool trains (all of them,
    /// unless the sweep resumes a stored one).
    pub fn pending_jobs(&self) -> Vec<Job> {
        self.jobs
            .iter()
            .filter(|job| !self.is_done(job.id))
            .copied()
            .collect()
    }

    pub fn record(&self) -> &SweepRecord {
        &self.record
    }

    /// The line under the status: the grid and the shared parameters.
    pub fn describe(&self) -> String {
        describe(&self.record.sweep, self.train_size)
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
            status: Some(Status::new(StatusState::Training, self.start_text())),
            overall: Some(self.overall(0.0)),
            redraw: true,
            saved: Some(self.saved(&[])),
            ..Update::default()
        }
    }

    /// "Sweep: 30 runs of 3 epochs…", or how many are left when it resumes.
    fn start_text(&self) -> String {
        let epochs = plural(self.record.sweep.base.epochs, "epoch");
        let left = self.pending_jobs().len();
        if left < self.jobs.len() {
            format!(
                "Sweep resumed: {} left of {}, of {epochs} each…",
                plural(left, "run"),
                self.jobs.len()
            )
        } else {
            format!("Sweep: {} of {epochs}…", plural(left, "run"))
        }
    }

    /// A worker took a run.
    pub fn job_started(&mut self, job: usize, slot: usize) -> Update {
        if self.is_over() || job >= self.jobs.len() {
            return Update::default();
        }
        self.record.results.push(JobResult {
            job,
            metrics: Vec::new(),
            done: false,
            test: None,
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
        if self.is_over() || job >= self.jobs.len() {
            return Update::default();
        }
        let epoch_rate = EpochRate::of(&message, self.record.sweep.base.hidden);
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
                    self.setting(&self.jobs[job]),
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
                method,
                metrics,
                log_line,
            } => {
                self.add_epoch(job, metrics, &log_line);
                Update {
                    redraw: self.shows(job),
                    saved: Some(self.saved(&[Entry::epoch(job, method, metrics)])),
                    ..Update::default()
                }
            }
            FromWorker::Done { test, .. } => self.run_done(job, test, elapsed),
            FromWorker::Error { message, .. } => {
                let text = format!("{}: {message}", self.setting(&self.jobs[job]));
                self.fail(text)
            }
        }
    }

    fn add_epoch(&mut self, job: usize, metrics: EpochMetrics, log_line: &str) {
        if let Some(result) = self.result_mut(job) {
            result.metrics.push(metrics);
        }
        let line = format!("[{}] {log_line}", self.setting(&self.jobs[job]));
        self.lines[job].push(line);
    }

    fn run_done(&mut self, job: usize, test: Option<TestScore>, elapsed: f64) -> Update {
        self.mark_done(job, test);
        for busy in &mut self.busy {
            if *busy == Some(job) {
                *busy = None;
            }
        }
        Update {
            log: self.release_lines(),
            overall: Some(self.overall(elapsed)),
            redraw: true,
            saved: Some(self.saved(&[Entry::done(job, test)])),
            ..Update::default()
        }
    }

    fn mark_done(&mut self, job: usize, test: Option<TestScore>) {
        if let Some(result) = self.result_mut(job) {
            result.done = true;
            result.test = test;
        }
        if let Some(test) = &test {
            let line = test_log_line(self.jobs[job].method, test);
            let line = format!("[{}] {line}", self.setting(&self.jobs[job]));
            self.lines[job].push(line);
        }
        // A diverged run is over too: all of its batches count as done for the overall bar.
        self.batches_done[job] = self.jobs[job].config.epochs * self.batches_per_epoch;
        if self.selected.is_none() && self.jobs[job].method == Method::Ayla {
            self.selected = self.cell_of(job);
            self.rate = self.rate_of(job);
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
        if self.is_over() {
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
            let text = self.summary(elapsed);
            self.end(SavedState::Done, &text);
            update.finished = true;
            update.status = Some(Status::new(StatusState::Done, text));
            update.saved = Some(self.saved(&[]));
        }
        update
    }

    /// Ends the sweep with a problem a user can read; finished runs stay.
    pub fn fail(&mut self, text: String) -> Update {
        self.end(SavedState::Error, &text);
        self.record.results.retain(|r| r.done);
        Update {
            log: self.release_lines(),
            status: Some(Status::new(StatusState::Error, text)),
            redraw: true,
            saved: Some(self.saved(&[])),
            finished: true,
            ..Update::default()
        }
    }

    /// The user pressed Stop: the runs not finished are dropped, the finished ones stay.
    pub fn stop(&mut self, elapsed: f64) -> Update {
        let text = format!(
            "Stopped after {}. Press Train to start again.",
            duration(elapsed)
        );
        self.end(SavedState::Stopped, &text);
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
            status: Some(Status::new(StatusState::Stopped, text)),
            redraw: true,
            saved: Some(self.saved(&[])),
            finished: true,
            ..Update::default()
        }
    }

    /// What it runs, for its stored head.
    pub fn plan(&self) -> Plan {
        Plan::Sweep {
            sweep: self.record.sweep.clone(),
        }
    }

    /// `Running`, or how it ended.
    pub fn state(&self) -> SavedState {
        self.state
    }

    pub fn is_over(&self) -> bool {
        self.state != SavedState::Running
    }

    fn end(&mut self, state: SavedState, status: &str) {
        self.state = state;
        self.ending = status.to_string();
    }

    /// Where the sweep stands, for the History list.
    pub fn stored_summary(&self) -> Summary {
        Summary {
            schema: SCHEMA,
            state: self.state,
            progress: self.progress(),
            figures: self.figures(),
            ending: self.ending.clone(),
        }
    }

    /// What the page stores after an event: `entries` and the summary now.
    fn saved(&self, entries: &[Entry]) -> Saved {
        Saved::new(entries, &self.stored_summary())
    }

    fn overall(&self, elapsed: f64) -> Overall {
        let fraction = self.fraction_done();
        // From this page's pace: what it did in `elapsed`, and what is left.
        let now_done = fraction - self.done_at_start;
        let eta = if now_done > 0.02 {
            format!(" · ETA {}", duration(elapsed * (1.0 - fraction) / now_done))
        } else {
            String::new()
        };
        Overall {
            fraction,
            text: format!(
                "{} done · {} elapsed{eta}",
                self.progress(),
                duration(elapsed)
            ),
        }
    }

    /// The share of all the sweep's batches trained.
    fn fraction_done(&self) -> f64 {
        let total: usize = self
            .jobs
            .iter()
            .map(|job| job.config.epochs * self.batches_per_epoch)
            .sum();
        (self.batches_done.iter().sum::<usize>() as f64 / total.max(1) as f64).min(1.0)
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

    /// The place of run `job`'s learning rate among the sweep's.
    fn rate_of(&self, job: usize) -> usize {
        let lr = self.jobs[job].config.learning_rate;
        let rates = &self.record.sweep.lr;
        rates.iter().position(|&r| r == lr).unwrap_or(0)
    }

    /// "Normal, seed 5" or "N1 0.9, N2 4, seed 5"; with several learning rates, the run's
    /// too ("N1 0.9, N2 4, lr 0.1, seed 5").
    fn setting(&self, job: &Job) -> String {
        let c = &job.config;
        let lr = if self.record.sweep.lr.len() > 1 {
            format!(", lr {}", c.learning_rate)
        } else {
            String::new()
        };
        match job.method {
            Method::Normal => format!("Normal{lr}, seed {}", c.seed),
            Method::Ayla => format!("N1 {}, N2 {}{lr}, seed {}", c.n1, c.n2, c.seed),
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

/// The grid and the shared parameters, as the line under the status and the History list
/// write them.
pub(super) fn describe(s: &Sweep, train_size: usize) -> String {
    let list = |v: &[f32]| v.iter().map(f32::to_string).collect::<Vec<_>>().join(", ");
    let rates = (s.lr.len() > 1).then(|| format!("lr {}", list(&s.lr)));
    [
        Some(format!("Sweep: N1 {}", list(&s.n1))),
        Some(format!("N2 {}", list(&s.n2))),
        rates,
        Some(plural(s.seeds, "seed")),
        Some(format!("from seed {}", s.base.seed)),
        Some(plural(s.base.epochs, "epoch")),
        Some(s.base.optimizer.label().to_string()),
        Some(format!("{} training images", thousands(train_size))),
        Some(Split::new(&s.base, train_size).describe()),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join(" · ")
}
