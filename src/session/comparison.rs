//! A single run as the page shows it: Normal and AYLA trained side by side from one config.
//! It takes the workers' messages and keeps everything they measured (the figure's history,
//! the log in the original's order, each method's progress), and says what the page should
//! change after each message. No browser types: `web::comparison` draws and exports it.

mod replay;

use super::stored::{Entry, Plan, SavedState, Summary, SCHEMA};
use super::{EpochLog, EpochRate, RowState, RowUpdate, Saved, Status, StatusState, Update};
use crate::chart::{series_name, History, Metric};
use crate::config::Config;
use crate::export::Record;
use crate::history::{Run, TestScore};
use crate::method::Method;
use crate::protocol::{FromWorker, Job};
use crate::split::Split;
use crate::text::{duration, listed, plural, thousands};
use crate::train::{test_log_line, EpochMetrics};

/// The methods in the order of the page's progress rows and of the jobs.
pub const METHODS: [Method; 2] = [Method::Normal, Method::Ayla];

#[derive(Debug, Clone)]
pub struct Comparison {
    config: Config,
    /// Training images actually used: the config's, or fewer if the data has fewer.
    train_size: usize,
    history: History,
    log: EpochLog,
    /// Methods that sent `Done`.
    done: Vec<Method>,
    /// `Running` until it is over; then how it ended.
    state: SavedState,
    /// The status sentence it ended with.
    ending: String,
}

impl Comparison {
    /// A comparison about to start, training on `train_size` images.
    pub fn new(config: Config, train_size: usize) -> Comparison {
        let runs = METHODS.iter().map(|&m| Run::new(m)).collect();
        Comparison::with_runs(config, train_size, runs)
    }

    /// A comparison of runs already measured (a sweep's chosen setting and its Normal).
    pub fn with_runs(config: Config, train_size: usize, runs: Vec<Run>) -> Comparison {
        Comparison {
            history: History {
                n1: f64::from(config.n1),
                n2: f64::from(config.n2),
                epochs: config.epochs,
                runs,
                hidden: Vec::new(),
            },
            config,
            train_size,
            log: EpochLog::new(),
            done: Vec::new(),
            state: SavedState::Running,
            ending: String::new(),
        }
    }

    pub fn config(&self) -> &Config {
        &self.config
    }

    /// What the figure draws.
    pub fn history(&self) -> &History {
        &self.history
    }

    /// The two runs, one per method: the pool's jobs (ids are the progress rows).
    pub fn jobs(&self) -> Vec<Job> {
        METHODS
            .iter()
            .enumerate()
            .map(|(id, &method)| Job {
                id,
                method,
                config: self.config,
            })
            .collect()
    }

    /// The line under the status: every parameter of the run.
    pub fn describe(&self, loaded_train: usize) -> String {
        describe(&self.config, self.train_size, loaded_train)
    }

    /// The progress rows before any message: both methods starting.
    pub fn start(&self) -> Update {
        Update {
            rows: METHODS
                .iter()
                .enumerate()
                .map(|(row, &method)| row_update(row, method, (0, 1), "Starting…".into()))
                .collect(),
            status: Some(Status::new(
                StatusState::Training,
                format!(
                    "Training {} on {} images…",
                    plural(self.config.epochs, "epoch"),
                    thousands(self.train_size)
                ),
            )),
            redraw: true,
            saved: Some(self.saved(&[])),
            ..Update::default()
        }
    }

    /// Takes a worker's message; `elapsed` is the seconds since the run started.
    pub fn receive(&mut self, message: FromWorker, elapsed: f64) -> Update {
        if self.is_over() {
            return Update::default();
        }
        let epoch_rate = EpochRate::of(&message, self.config.hidden);
        let update = self.apply(message, elapsed);
        Update {
            epoch_rate,
            ..update
        }
    }

    fn apply(&mut self, message: FromWorker, elapsed: f64) -> Update {
        match message {
            FromWorker::Ready => Update::default(),
            FromWorker::Progress {
                method,
                epoch,
                batch,
                batches,
                samples_per_sec,
                loss,
            } => {
                let trained = Split::new(&self.config, self.train_size).trained;
                let left = (batches - batch) * self.config.batch_size
                    + (self.config.epochs.saturating_sub(epoch)) * trained;
                let eta = if samples_per_sec > 0.0 {
                    format!("ETA {}", duration(left as f64 / samples_per_sec))
                } else {
                    "ETA …".to_string()
                };
                let text = [
                    format!("Epoch {epoch}/{}", self.config.epochs),
                    format!("batch {batch}/{batches}"),
                    format!("{} img/s", thousands(samples_per_sec.round() as usize)),
                    loss.map_or("loss not finite".into(), |l| format!("loss {l:.4}")),
                    eta,
                ]
                .join(" · ");
                Update {
                    rows: vec![row_update(row_of(method), method, (batch, batches), text)],
                    ..Update::default()
                }
            }
            FromWorker::Epoch {
                method,
                metrics,
                log_line,
            } => self.add_epoch(method, metrics, log_line),
            FromWorker::Done { method, test } => self.method_done(method, test, elapsed),
            FromWorker::Error { method, message } => {
                let text = match method {
                    Some(method) => format!("{}: {message}", method.label()),
                    None => message,
                };
                self.fail(text)
            }
        }
    }

    fn add_epoch(&mut self, method: Method, metrics: EpochMetrics, line: String) -> Update {
        let epoch = metrics.epoch;
        self.run_mut(method).push(metrics);
        let entry = Entry::epoch(row_of(method), method, metrics);
        let done: Vec<String> = METHODS
            .iter()
            .map(|&m| format!("{} {}/{}", m.label(), self.epochs_of(m), self.config.epochs))
            .collect();
        Update {
            log: self.log.add(method, epoch, line),
            status: Some(Status::new(
                StatusState::Training,
                format!("Training: {} epochs done.", done.join(", ")),
            )),
            redraw: true,
            saved: Some(self.saved(&[entry])),
            ..Update::default()
        }
    }

    fn method_done(&mut self, method: Method, test: Option<TestScore>, elapsed: f64) -> Update {
        if !self.done.contains(&method) {
            self.done.push(method);
        }
        self.run_mut(method).test = test;
        let mut log = Vec::new();
        if let Some(test) = &test {
            log = self.log.add_after_last(method, test_log_line(method, test));
        }
        log.extend(self.log.finish(method));
        let last = self.run(method).metrics.last().copied();
        let (text, state) = match last {
            Some(m) if m.diverged_at.is_some() => (
                format!(
                    "Diverged in epoch {} at batch {}",
                    m.epoch,
                    m.diverged_at.unwrap_or(0)
                ),
                RowState::Diverged,
            ),
            Some(m) => {
                let test = test.map_or(String::new(), |t| format!(", test acc {:.4}", t.accuracy));
                let epochs = plural(m.epoch, "epoch");
                let text = format!("Done: {epochs}, val acc {:.4}{test}", m.val_accuracy);
                (text, RowState::Done)
            }
            None => ("Done: no epoch".to_string(), RowState::Done),
        };
        let mut update = Update {
            rows: vec![RowUpdate {
                row: row_of(method),
                method: Some(method),
                value: 1.0,
                max: 1.0,
                text,
                state,
            }],
            log,
            ..Update::default()
        };
        if self.done.len() == METHODS.len() {
            let took = format!("Done in {}.", duration(elapsed));
            let text = [took, self.figures()].join(" ").trim_end().to_string();
            self.end(SavedState::Done, &text);
            update.finished = true;
            update.status = Some(Status::new(StatusState::Done, text));
        }
        update.saved = Some(self.saved(&[Entry::done(row_of(method), test)]));
        update
    }

    /// "Final val acc: Normal 0.9088, AYLA 0.9090." (and who diverged; "Latest" until both
    /// methods finished), then with held-out validation "Test acc (once at the end): Normal
    /// 0.9075, AYLA 0.9102." once there are test scores; empty before any epoch.
    pub fn figures(&self) -> String {
        let mut parts = Vec::new();
        let finals: Vec<String> = METHODS
            .iter()
            .filter(|&&m| !self.run(m).diverged)
            .filter_map(|&m| {
                let last = self.run(m).metrics.last()?;
                Some(format!("{} {:.4}", m.label(), last.val_accuracy))
            })
            .collect();
        if !finals.is_empty() {
            let which = if self.done.len() == METHODS.len() {
                "Final"
            } else {
                "Latest"
            };
            parts.push(format!("{which} val acc: {}.", finals.join(", ")));
        }
        let tests: Vec<String> = METHODS
            .iter()
            .filter_map(|&m| Some(format!("{} {:.4}", m.label(), self.run(m).test?.accuracy)))
            .collect();
        if !tests.is_empty() {
            parts.push(format!("Test acc (once at the end): {}.", tests.join(", ")));
        }
        for &m in &METHODS {
            if self.run(m).diverged {
                parts.push(format!("{} diverged.", m.label()));
            }
        }
        parts.join(" ")
    }

    /// "3 of 5 epochs": how far the method furthest along got.
    pub fn progress(&self) -> String {
        format!(
            "{} of {}",
            self.epochs_measured(),
            plural(self.config.epochs, "epoch")
        )
    }

    /// Where the run stands, for the History list.
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
        Plan::Run {
            config: self.config,
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

    /// Ends the run with a problem a user can read (a worker's Error, or a failure the page
    /// saw); lines already measured stay in the log.
    pub fn fail(&mut self, text: String) -> Update {
        self.end(SavedState::Error, &text);
        Update {
            log: self.log.flush(),
            status: Some(Status::new(StatusState::Error, text)),
            saved: Some(self.saved(&[])),
            finished: true,
            ..Update::default()
        }
    }

    /// The user pressed Stop: what was measured stays.
    pub fn stop(&mut self, elapsed: f64) -> Update {
        let text = format!(
            "Stopped after {}. Press Train to start again.",
            duration(elapsed)
        );
        self.end(SavedState::Stopped, &text);
        let rows = METHODS
            .iter()
            .filter(|m| !self.done.contains(m))
            .map(|&m| RowUpdate {
                row: row_of(m),
                method: Some(m),
                value: 0.0,
                max: 1.0,
                text: "Stopped".into(),
                state: RowState::Stopped,
            })
            .collect();
        Update {
            rows,
            log: self.log.flush(),
            status: Some(Status::new(StatusState::Stopped, text)),
            saved: Some(self.saved(&[])),
            finished: true,
            ..Update::default()
        }
    }

    /// Shows or hides one series ("<method> <metric>", e.g. "AYLA val_loss").
    pub fn set_visible(&mut self, series: &str, visible: bool) -> Result<(), String> {
        let known = METHODS
            .iter()
            .any(|&m| Metric::ALL.iter().any(|&k| series_name(m, k) == series));
        if !known {
            return Err(format!("There is no series named “{series}”."));
        }
        self.history.hidden.retain(|name| name != series);
        if !visible {
            self.history.hidden.push(series.to_string());
        }
        Ok(())
    }

    /// Epochs measured by the method furthest along.
    pub fn epochs_measured(&self) -> usize {
        METHODS
            .iter()
            .map(|&m| self.epochs_of(m))
            .max()
            .unwrap_or(0)
    }

    /// The metrics and parameters, for the JSON and CSV exports.
    pub fn record(&self) -> Record {
        Record::new(self.config, self.history.runs.clone())
    }

    fn epochs_of(&self, method: Method) -> usize {
        self.run(method).metrics.len()
    }

    fn run(&self, method: Method) -> &Run {
        &self.history.runs[row_of(method)]
    }

    fn run_mut(&mut self, method: Method) -> &mut Run {
        &mut self.history.runs[row_of(method)]
    }
}

/// A method's progress row (and its run's place in the history).
fn row_of(method: Method) -> usize {
    METHODS.iter().position(|&m| m == method).unwrap_or(0)
}

/// A running method's row, `batch` of `batches` done.
fn row_update(
    row: usize,
    method: Method,
    (batch, batches): (usize, usize),
    text: String,
) -> RowUpdate {
    RowUpdate {
        row,
        method: Some(method),
        value: batch as f64,
        max: batches.max(1) as f64,
        text,
        state: RowState::Running,
    }
}

/// Every parameter of a run training on `train_size` of `loaded_train` images, and what its
/// "val" is, as the line under the status and the History list write them.
pub(super) fn describe(c: &Config, train_size: usize, loaded_train: usize) -> String {
    let images = format!(
        "{} of {} training images",
        thousands(train_size),
        thousands(loaded_train)
    );
    [
        format!("Seed {}", c.seed),
        format!("N1 {}", c.n1),
        format!("N2 {}", c.n2),
        plural(c.epochs, "epoch"),
        format!("batch {}", c.batch_size),
        format!("lr {}", c.learning_rate),
        c.optimizer.label().to_string(),
        format!("{} hidden units", listed(c.hidden.widths())),
        images,
        Split::new(c, train_size).describe(),
    ]
    .join(" · ")
}
