//! A sweep as the page shows it: the pool's runs and their progress, what each run measured
//! (the table, the heat map), the setting chosen for the comparison figure, the log grouped
//! by run, and what the page should change after each worker message.

mod replay;

use super::stored::{Entry, Plan, SavedState, Summary, SCHEMA};
use super::{
    Comparison, EpochRate, Overall, RowState, RowUpdate, Saved, Status, StatusState, Update,
};
use crate::chart::HeatMap;
use crate::history::Run;
use crate::method::Method;
use crate::protocol::{FromWorker, Job};
use crate::sweep::{gain_text, sorted, Column, JobResult, Row, Sweep, SweepRecord};
use crate::text::{duration, plural, thousands};
use crate::train::EpochMetrics;

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
            FromWorker::Done { .. } => self.run_done(job, elapsed),
            FromWorker::Error { message, .. } => {
                let text = format!("{}: {message}", setting(&self.jobs[job]));
                self.fail(text)
            }
        }
    }

    fn add_epoch(&mut self, job: usize, metrics: EpochMetrics, log_line: &str) {
        if let Some(result) = self.result_mut(job) {
            result.metrics.push(metrics);
        }
        self.lines[job].push(format!("[{}] {log_line}", setting(&self.jobs[job])));
    }

    fn run_done(&mut self, job: usize, elapsed: f64) -> Update {
        self.mark_done(job);
        for busy in &mut self.busy {
            if *busy == Some(job) {
                *busy = None;
            }
        }
        Update {
            log: self.release_lines(),
            overall: Some(self.overall(elapsed)),
            redraw: true,
            saved: Some(self.saved(&[Entry::done(job)])),
            ..Update::default()
        }
    }

    fn mark_done(&mut self, job: usize) {
        if let Some(result) = self.result_mut(job) {
            result.done = true;
        }
        // A diverged run is over too: all of its batches count as done for the overall bar.
        self.batches_done[job] = self.jobs[job].config.epochs * self.batches_per_epoch;
        if self.selected.is_none() && self.jobs[job].method == Method::Ayla {
            self.selected = self.cell_of(job);
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

    /// "Sweep done in 1:02: 30 runs. Best: N1 0.8, N2 0.8 (+1.84 ± 0.05 points against
    /// Normal)." — or that no setting beat Normal — and how many settings diverged. A
    /// resumed sweep says so (the time is this page's part).
    pub fn summary(&self, elapsed: f64) -> String {
        let done = if self.done_at_start > 0.0 {
            "Sweep resumed and done"
        } else {
            "Sweep done"
        };
        let runs = plural(self.record.results.len(), "run");
        let took = format!("{done} in {}: {runs}.", duration(elapsed));
        [took, self.figures()].join(" ").trim_end().to_string()
    }

    /// The best setting against Normal (or that none beat it) and how many settings
    /// diverged; empty before any setting can be compared.
    pub fn figures(&self) -> String {
        let rows = self.record.rows();
        let settings: Vec<&Row> = rows.iter().filter(|r| r.method == Method::Ayla).collect();
        let mut parts = Vec::new();
        let best = settings
            .iter()
            .filter_map(|r| Some((r, r.gain?)))
            .max_by(|a, b| a.1.mean.total_cmp(&b.1.mean));
        if let Some((row, gain)) = best {
            let name = format!("N1 {}, N2 {}", exponent(row.n1), exponent(row.n2));
            parts.push(if gain.mean > 0.0 {
                format!("Best: {name} ({} points against Normal).", gain_text(&gain))
            } else {
                format!(
                    "No setting beat Normal; the closest: {name} ({} points).",
                    gain_text(&gain)
                )
            });
        }
        let diverged = settings.iter().filter(|r| r.diverged > 0).count();
        if diverged > 0 {
            parts.push(format!("{} diverged.", plural(diverged, "setting")));
        }
        parts.join(" ")
    }

    /// "12 of 30 runs" finished.
    pub fn progress(&self) -> String {
        let done = self.record.results.iter().filter(|r| r.done).count();
        format!("{done} of {}", plural(self.jobs.len(), "run"))
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

    pub fn is_over(&self) -> bool {
        self.state != SavedState::Running
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

    fn end(&mut self, state: SavedState, status: &str) {
        self.state = state;
        self.ending = status.to_string();
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

    /// Whether any run finished (the exports have something to say).
    pub fn has_results(&self) -> bool {
        self.record.results.iter().any(|r| r.done)
    }

    /// The table's rows in the chosen order, as text, with which cell each shows.
    pub fn table(&self) -> Vec<TableRow> {
        let (column, descending) = self.sort;
        sorted(self.record.rows(), column, descending)
            .iter()
            .map(|row| {
                let cell = self.cell_at(row.n1, row.n2);
                TableRow {
                    cells: Column::ALL.iter().map(|c| c.text(row)).collect(),
                    cell,
                    baseline: row.method == Method::Normal,
                    diverged: row.diverged > 0,
                    selected: cell.is_some() && cell == self.selected,
                }
            })
            .collect()
    }

    /// The column sorted by and whether descending.
    pub fn sort(&self) -> (Column, bool) {
        self.sort
    }

    /// Sorts by `column`: again on the same column turns the order round.
    pub fn sort_by(&mut self, column: Column) {
        self.sort = if self.sort.0 == column {
            (column, !self.sort.1)
        } else {
            (column, column.first_descending())
        };
    }

    pub fn heat_map(&self) -> HeatMap {
        HeatMap::of_sweep(&self.record, self.selected)
    }

    /// Shows cell (i, j) in the comparison figure; false if there is no such cell.
    pub fn select(&mut self, i: usize, j: usize) -> bool {
        let s = &self.record.sweep;
        if i >= s.n1.len() || j >= s.n2.len() {
            return false;
        }
        self.selected = Some((i, j));
        true
    }

    /// Moves the chosen cell by (di, dj) within the grid (up is a higher N2, as drawn).
    pub fn move_selection(&mut self, di: isize, dj: isize) {
        let s = &self.record.sweep;
        let (i, j) = self.selected.unwrap_or((0, 0));
        let clamp =
            |v: usize, d: isize, n: usize| (v as isize + d).clamp(0, n as isize - 1) as usize;
        self.selected = Some((clamp(i, di, s.n1.len()), clamp(j, dj, s.n2.len())));
    }

    /// The chosen setting against Normal, for the figure (the first seed that has epochs
    /// of both), and the sentence that says so.
    pub fn selection(&self) -> (Option<Comparison>, String) {
        let Some((i, j)) = self.selected else {
            return (
                None,
                "Click a heat map cell or a table row to compare that setting with Normal in \
                 the figure below."
                    .into(),
            );
        };
        let s = &self.record.sweep;
        let (n1, n2) = (s.n1[i], s.n2[j]);
        let Some((seed, normal, ayla)) = self.runs_of(n1, n2) else {
            return (None, format!("N1 {n1}, N2 {n2}: no epoch finished yet."));
        };
        let config = ayla.config;
        let runs = [(normal, Method::Normal), (ayla, Method::Ayla)]
            .map(|(job, method)| {
                let mut run = Run::new(method);
                for &m in self.result(job.id).map_or(&[][..], |r| &r.metrics) {
                    run.push(m);
                }
                run
            })
            .to_vec();
        let others = if s.seeds > 1 {
            format!(" (of {}; the table has all)", plural(s.seeds, "seed"))
        } else {
            String::new()
        };
        (
            Some(Comparison::with_runs(config, self.train_size, runs)),
            format!(
                "Comparison figure below: N1 {n1}, N2 {n2} against Normal, seed {seed}{others}."
            ),
        )
    }

    /// The comparison figure with no run yet, for before a setting is chosen.
    pub fn blank_figure(&self) -> Comparison {
        let base = self.record.sweep.base;
        Comparison::new(base, self.train_size)
    }

    /// The first seed whose Normal run and (n1, n2) run both have results, the AYLA one at
    /// least one epoch.
    fn runs_of(&self, n1: f32, n2: f32) -> Option<(u64, &Job, &Job)> {
        self.record
            .sweep
            .seed_values()
            .into_iter()
            .find_map(|seed| {
                let of = |method: Method| {
                    self.jobs.iter().find(|job| {
                        job.config.seed == seed
                            && job.method == method
                            && (method == Method::Normal
                                || (job.config.n1 == n1 && job.config.n2 == n2))
                            && self.result(job.id).is_some()
                    })
                };
                let (normal, ayla) = (of(Method::Normal)?, of(Method::Ayla)?);
                let measured = self.result(ayla.id).is_some_and(|r| !r.metrics.is_empty());
                measured.then_some((seed, normal, ayla))
            })
    }

    /// Whether the comparison figure shows run `job` (the chosen setting or its Normal).
    fn shows(&self, job: usize) -> bool {
        let Some((i, j)) = self.selected else {
            return false;
        };
        let s = &self.record.sweep;
        match self.runs_of(s.n1[i], s.n2[j]) {
            Some((_, normal, ayla)) => job == normal.id || job == ayla.id,
            // Nothing shown yet: this epoch may be the first of the chosen setting.
            None => true,
        }
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

/// One line of the results table as the page shows it.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct TableRow {
    /// Each column's text, in `Column::ALL` order.
    pub cells: Vec<String>,
    /// The heat map cell (i, j) of an AYLA setting; `None` for Normal.
    pub cell: Option<(usize, usize)>,
    pub baseline: bool,
    pub diverged: bool,
    pub selected: bool,
}

/// "Normal, seed 5" or "N1 0.9, N2 4, seed 5".
fn setting(job: &Job) -> String {
    let c = &job.config;
    match job.method {
        Method::Normal => format!("Normal, seed {}", c.seed),
        Method::Ayla => format!("N1 {}, N2 {}, seed {}", c.n1, c.n2, c.seed),
    }
}

fn exponent(value: Option<f32>) -> String {
    value.map_or(String::new(), |v| v.to_string())
}

/// The grid and the shared parameters, as the line under the status and the History list
/// write them.
pub(super) fn describe(s: &Sweep, train_size: usize) -> String {
    let list = |v: &[f32]| v.iter().map(f32::to_string).collect::<Vec<_>>().join(", ");
    [
        format!("Sweep: N1 {}", list(&s.n1)),
        format!("N2 {}", list(&s.n2)),
        plural(s.seeds, "seed"),
        format!("from seed {}", s.base.seed),
        plural(s.base.epochs, "epoch"),
        format!("{} training images", thousands(train_size)),
    ]
    .join(" · ")
}
