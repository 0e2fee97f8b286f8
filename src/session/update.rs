//! What a run or a sweep tells the page after each worker message: which progress rows,
//! log lines and status change, whether the figure needs a redraw, and whether it is over.
//! The page applies an update as it is; it decides nothing itself.

use serde::Serialize;

use super::Saved;
use crate::method::Method;
use crate::protocol::FromWorker;
use crate::shape::Hidden;
use crate::sweep::relative_cost;

/// The changes one event brings.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Update {
    pub rows: Vec<RowUpdate>,
    /// Lines to append to the log, in order.
    pub log: Vec<String>,
    pub status: Option<Status>,
    /// The figure (or the sweep's table and heat map) changed.
    pub redraw: bool,
    /// A method's training speed over a whole epoch, when one ended (the page keeps it
    /// for its sweep estimates).
    pub epoch_rate: Option<EpochRate>,
    /// A sweep's overall progress, when it changed.
    pub overall: Option<Overall>,
    /// The run or sweep is over: finished, or stopped by an error.
    pub finished: bool,
    /// What the page should store now (see `super::stored`).
    pub saved: Option<Saved>,
}

/// How fast a method trained over a whole epoch.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct EpochRate {
    pub method: Method,
    /// In training images of the network sweep estimates are measured on
    /// (`sweep::MEASURED_ON`, the original's): a run of another shape has its own rate
    /// converted, so one kept speed serves every shape.
    pub samples_per_sec: f64,
}

impl EpochRate {
    /// The rate a Progress message reports at the end of an epoch (the epoch's average),
    /// for a run of a network with these hidden layers.
    pub fn of(message: &FromWorker, hidden: Hidden) -> Option<EpochRate> {
        match *message {
            FromWorker::Progress {
                method,
                batch,
                batches,
                samples_per_sec,
                ..
            } if batch == batches && samples_per_sec > 0.0 => Some(EpochRate {
                method,
                samples_per_sec: samples_per_sec * relative_cost(hidden),
            }),
            _ => None,
        }
    }
}

/// A sweep's progress over all its runs.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Overall {
    pub fraction: f64,
    pub text: String,
}

/// One progress row: a method's (single run) or a worker's (sweep).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RowUpdate {
    pub row: usize,
    /// What the row trains now, for its colour; `None` when it trains nothing.
    pub method: Option<Method>,
    /// Progress within the epoch: `value` batches of `max`.
    pub value: f64,
    pub max: f64,
    pub text: String,
    pub state: RowState,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum RowState {
    Running,
    Done,
    Diverged,
    Stopped,
}

/// The status line: its state (the page styles it) and its sentence.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Status {
    pub state: StatusState,
    pub text: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum StatusState {
    Training,
    Done,
    Stopped,
    Error,
}

impl Status {
    pub fn new(state: StatusState, text: impl Into<String>) -> Status {
        Status {
            state,
            text: text.into(),
        }
    }
}

impl Update {
    /// An update that only sets the status.
    pub fn status(state: StatusState, text: impl Into<String>) -> Update {
        Update {
            status: Some(Status::new(state, text)),
            ..Update::default()
        }
    }
}
