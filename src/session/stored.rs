//! What the page keeps of a run or a sweep in the browser's storage (IndexedDB), so that a
//! reload, a crash or a closed tab loses nothing: a head written when it starts (what runs,
//! on which data), an entry per finished epoch and per finished run, and a summary for the
//! History list, rewritten as it goes. Each is JSON text carrying the format's version; the
//! page stores the texts as they come and hands them back to be read here, where anything
//! foreign or damaged is refused with a sentence (and the rest still read).

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::config::Config;
use crate::data_identity::DataIdentity;
use crate::history::TestScore;
use crate::method::Method;
use crate::sweep::Sweep;
use crate::train::EpochMetrics;

/// The version of the stored format. A record of another version is not read (and says so).
pub const SCHEMA: u32 = 1;

/// What was started, written once.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Head {
    pub schema: u32,
    pub plan: Plan,
    pub data: DataIdentity,
    /// Training images in the data set at the start (a run uses its config's count or
    /// fewer).
    pub loaded_train: usize,
}

/// A single run or a sweep; both validate when read (see `Config`, `Sweep`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum Plan {
    Run { config: Config },
    Sweep { sweep: Sweep },
}

/// One stored step of a run: `job` is the run's place in the plan (for a single run, 0 is
/// Normal and 1 AYLA).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    pub schema: u32,
    pub job: usize,
    pub event: Event,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type")]
pub enum Event {
    /// An epoch finished with these metrics.
    Epoch {
        method: Method,
        metrics: EpochMetrics,
    },
    /// The run finished: all its epochs, or it diverged; with its test figures when it
    /// validated on held-out images (absent from entries written before they existed).
    Done {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        test: Option<TestScore>,
    },
}

/// Where a run or sweep stands, for the History list; rewritten with every entry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    pub schema: u32,
    pub state: SavedState,
    /// "3 of 5 epochs", "12 of 30 runs".
    pub progress: String,
    /// The final figures so far, e.g. "Final val acc: Normal 0.9088, AYLA 0.9090." (empty
    /// before any).
    pub figures: String,
    /// The status sentence it ended with, once it ended.
    pub ending: String,
}

/// `Running` while a page trains it, or when the page that trained it closed or crashed
/// (the page tells which by asking who holds it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SavedState {
    Running,
    Done,
    Stopped,
    Error,
}

/// What the page writes after an event, in one transaction: new entries (in order) and the
/// summary that replaces the last one. Both are JSON texts.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Saved {
    pub entries: Vec<String>,
    pub summary: String,
}

impl Saved {
    pub fn new(entries: &[Entry], summary: &Summary) -> Saved {
        Saved {
            entries: entries.iter().map(write).collect(),
            summary: write(summary),
        }
    }
}

impl Head {
    pub fn new(plan: Plan, data: DataIdentity, loaded_train: usize) -> Head {
        Head {
            schema: SCHEMA,
            plan,
            data,
            loaded_train,
        }
    }

    pub fn read(text: &str) -> Result<Head, String> {
        read(text, "record")
    }

    pub fn to_json(&self) -> String {
        write(self)
    }
}

impl Entry {
    pub fn epoch(job: usize, method: Method, metrics: EpochMetrics) -> Entry {
        Entry {
            schema: SCHEMA,
            job,
            event: Event::Epoch { method, metrics },
        }
    }

    pub fn done(job: usize, test: Option<TestScore>) -> Entry {
        Entry {
            schema: SCHEMA,
            job,
            event: Event::Done { test },
        }
    }

    pub fn read(text: &str) -> Result<Entry, String> {
        read(text, "epoch")
    }
}

impl Summary {
    pub fn read(text: &str) -> Result<Summary, String> {
        read(text, "summary")
    }
}

fn write(value: &impl Serialize) -> String {
    serde_json::to_string(value).expect("stored records are plain data")
}

/// Reads a stored text: first its version, so that a record of another version of the page
/// says so rather than failing on some field.
fn read<T: DeserializeOwned>(text: &str, what: &str) -> Result<T, String> {
    let damaged = |e: serde_json::Error| format!("A stored {what} is damaged ({e}).");
    let value: serde_json::Value = serde_json::from_str(text).map_err(damaged)?;
    match value.get("schema").and_then(serde_json::Value::as_u64) {
        Some(version) if version == u64::from(SCHEMA) => {
            serde_json::from_value(value).map_err(damaged)
        }
        Some(other) => Err(format!(
            "A stored {what} was written by another version of this page (format {other}; \
             this one reads format {SCHEMA})."
        )),
        None => Err(format!(
            "A stored {what} has no format version: this page did not write it."
        )),
    }
}
