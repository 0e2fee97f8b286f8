//! The worker protocol: every message between the page and a training worker, and the one
//! place they become text and back. No browser types here, so it is tested natively.
//!
//! A run has one worker per method. Each message is a JSON string (`postMessage(text)`),
//! tagged by `"type"`. The page builds and reads them only through wasm exports that call
//! [`ToWorker::encode`] and [`FromWorker::decode`], so JavaScript never guesses a shape.
//!
//! page → worker ([`ToWorker`]):
//! - First, `{module: WebAssembly.Module}`: the page compiles the wasm once and every
//!   worker instantiates that (no text; the worker then posts `Ready`).
//! - `{"type":"Start","config":{…Config…},"method":"AYLA"}` — train this method with this
//!   config. The four IDX files travel beside the text as `Blob`s: they are far too big for
//!   JSON, and a Blob crosses to a worker without a copy (the worker reads its own). So the
//!   page posts `{start: <this text>, data: [four Blobs in DATA_FILES order]}`.
//!   A worker keeps the data for its later runs: a sweep's pool gives a worker one run
//!   after another and sends `data` only with the first.
//!
//! worker → page ([`FromWorker`]):
//! - `{"type":"Ready"}` — the wasm module is loaded; the page may send `Start`.
//! - `{"type":"Progress","method":"AYLA","epoch":1,"batch":40,"batches":469,
//!   "samples_per_sec":5120.5,"loss":0.52}` — after an epoch's first and last batches, and
//!   at most every [`PROGRESS_INTERVAL`] seconds in between; `loss` is the last batch's,
//!   `null` if not finite.
//! - `{"type":"Epoch","method":"AYLA","metrics":{…EpochMetrics…},"log_line":"AYLA   - …"}`
//!   — after every epoch; a diverged epoch has `metrics.diverged_at` set and is the last.
//! - `{"type":"Done","method":"AYLA"}` — the run is over (all epochs, or diverged). A run
//!   validated on held-out images adds its test figures, scored once at its end:
//!   `"test":{"loss":0.2871,"accuracy":0.9195}` (none if it diverged).
//! - `{"type":"Error","method":"AYLA","message":"The image file is empty."}` — the run
//!   cannot go on; `message` is a sentence for the user. `method` is `null` if the `Start`
//!   message itself could not be read.
//!
//! There is no Stop message: the page terminates the worker, which ends it at once, even
//! in the middle of a batch, and frees its memory.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::config::Config;
use crate::history::TestScore;
use crate::method::Method;
use crate::mnist::{TEST_IMAGES, TEST_LABELS, TRAIN_IMAGES, TRAIN_LABELS};
use crate::train::{EpochMetrics, StepReport};

/// The IDX files that travel with `Start`, in the order they are attached.
pub const DATA_FILES: [&str; 4] = [TRAIN_IMAGES, TRAIN_LABELS, TEST_IMAGES, TEST_LABELS];

/// Seconds between two `Progress` messages: often enough for a smooth bar, rare enough
/// that posting costs nothing next to training.
pub const PROGRESS_INTERVAL: f64 = 0.1;

/// One run a worker is given: a method with its config (for a sweep, the seed and
/// exponents filled in). `id` is the run's place in the plan; results refer to it.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Job {
    pub id: usize,
    pub method: Method,
    pub config: Config,
}

/// A message from the page to a worker.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type")]
pub enum ToWorker {
    Start { config: Config, method: Method },
}

/// A message from a worker to the page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type")]
pub enum FromWorker {
    Ready,
    Progress {
        method: Method,
        /// 1-based epoch, and 1-based batch within it out of `batches`.
        epoch: usize,
        batch: usize,
        batches: usize,
        /// Training images per second since the epoch began.
        samples_per_sec: f64,
        /// The last batch's loss; `None` if it was not finite.
        loss: Option<f32>,
    },
    Epoch {
        method: Method,
        metrics: EpochMetrics,
        /// The original's console line for this epoch, made by [`EpochMetrics::log_line`].
        log_line: String,
    },
    Done {
        method: Method,
        /// The test figures of a run validated on held-out images, scored once after its
        /// last epoch; absent otherwise (and for a diverged run).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        test: Option<TestScore>,
    },
    Error {
        method: Option<Method>,
        message: String,
    },
}

/// A message that could not be read, with what was wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProtocolError(String);

impl fmt::Display for ProtocolError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ProtocolError {}

impl ToWorker {
    pub fn encode(&self) -> String {
        encode(self)
    }

    /// Reads a page message. Its config is checked against the fields' limits as it is read
    /// (see [`Config`]): the core never trains on parameters the page's inputs would refuse.
    pub fn decode(text: &str) -> Result<ToWorker, ProtocolError> {
        decode("page", text)
    }
}

impl FromWorker {
    pub fn encode(&self) -> String {
        encode(self)
    }

    pub fn decode(text: &str) -> Result<FromWorker, ProtocolError> {
        decode("worker", text)
    }

    /// The message's `"type"` tag.
    pub fn type_name(&self) -> &'static str {
        match self {
            FromWorker::Ready => "Ready",
            FromWorker::Progress { .. } => "Progress",
            FromWorker::Epoch { .. } => "Epoch",
            FromWorker::Done { .. } => "Done",
            FromWorker::Error { .. } => "Error",
        }
    }

    /// The `Epoch` message for a finished epoch, with its log line.
    pub fn epoch(method: Method, metrics: EpochMetrics) -> FromWorker {
        FromWorker::Epoch {
            method,
            log_line: metrics.log_line(method),
            metrics,
        }
    }
}

/// Every message type is plain data (numbers, strings, options), which serde_json always
/// writes; a failure here would be a bug in this module, not bad input.
fn encode(message: &impl Serialize) -> String {
    serde_json::to_string(message).expect("protocol messages are plain data")
}

fn decode<T: for<'de> Deserialize<'de>>(from: &str, text: &str) -> Result<T, ProtocolError> {
    serde_json::from_str(text)
        .map_err(|e| ProtocolError(format!("Malformed message from the {from}: {e}.")))
}

/// Decides when a worker posts `Progress` and what it says: one per
/// [`PROGRESS_INTERVAL`], plus the epoch's first batch so the bar moves as soon as training
/// starts, and its last so the bar ends full.
#[derive(Debug, Clone)]
pub struct ProgressMeter {
    method: Method,
    epoch: usize,
    batch_size: usize,
    train_len: usize,
    started: f64,
    last_sent: f64,
}

impl ProgressMeter {
    /// A meter for 1-based `epoch` over `train_len` images, started at `now` (seconds).
    pub fn new(
        method: Method,
        epoch: usize,
        batch_size: usize,
        train_len: usize,
        now: f64,
    ) -> ProgressMeter {
        ProgressMeter {
            method,
            epoch,
            batch_size,
            train_len,
            started: now,
            last_sent: now,
        }
    }

    /// Counts a finished batch; returns the message to post, if one is due: after an
    /// epoch's first batch (the page shows training has begun at once), its last, and at
    /// most every [`PROGRESS_INTERVAL`] in between.
    pub fn on_step(&mut self, report: &StepReport, now: f64) -> Option<FromWorker> {
        let edge = report.batch == 1 || report.batch == report.batches;
        if !edge && now - self.last_sent < PROGRESS_INTERVAL {
            return None;
        }
        self.last_sent = now;
        // Every batch is full except possibly the last, which holds the remainder.
        let samples = (report.batch * self.batch_size).min(self.train_len);
        let elapsed = now - self.started;
        Some(FromWorker::Progress {
            method: self.method,
            epoch: self.epoch,
            batch: report.batch,
            batches: report.batches,
            samples_per_sec: if elapsed > 0.0 {
                samples as f64 / elapsed
            } else {
                0.0
            },
            loss: report.loss.is_finite().then_some(report.loss),
        })
    }
}
