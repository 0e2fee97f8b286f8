//! A stored run or sweep coming back: the History list's line for it, and the session
//! rebuilt from its entries for the page to show (and, for a sweep, to resume). The stored
//! texts are validated on the way in; an entry that cannot be read or does not fit is
//! skipped and named, and the rest still comes back.

use serde::Serialize;

use super::comparison::{self, Comparison};
use super::stored::{Entry, Head, Plan, SavedState, Summary};
use super::sweep::{self, SweepSession};
use super::Update;
use crate::data_identity::DataIdentity;
use crate::export;

/// The session a stored record rebuilds.
#[derive(Debug, Clone)]
pub enum RestoredSession {
    Run(Comparison),
    Sweep(SweepSession),
}

/// What the page shows of a restored session besides the session itself.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Restored {
    /// Log lines, progress rows and a redraw, applied as any update is. It has no status:
    /// the status line tells what the page is doing now.
    pub update: Update,
    /// What is shown, e.g. "Interrupted after 2 of 5 runs: the page was closed or crashed.
    /// Resume runs the 3 left."
    pub caption: String,
    /// Whether Resume can go on with it (a sweep with runs left, not running elsewhere).
    pub resumable: bool,
    /// The page's URL query of the run or sweep: its link runs it again.
    pub query: String,
    /// Every parameter, as the line under the status writes them.
    pub parameters: String,
    /// The data it trained on: a sweep resumes on the same data only.
    pub data: DataIdentity,
    /// One sentence per stored entry skipped.
    pub skipped: Vec<String>,
}

/// A stored session's line in the History list.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Listing {
    /// "run" or "sweep".
    pub kind: &'static str,
    /// Every parameter, as the line under the status writes them.
    pub parameters: String,
    pub progress: String,
    pub figures: String,
    /// "Running", "Interrupted", "Done", "Stopped" or "Error".
    pub state: &'static str,
}

/// The History line of a stored session from its head and summary texts; `live` says
/// whether a page (this one or another tab) is training it now.
pub fn listing(head: &str, summary: &str, live: bool) -> Result<Listing, String> {
    let head = Head::read(head)?;
    let summary = Summary::read(summary)?;
    let (kind, parameters) = match &head.plan {
        Plan::Run { config } => {
            let train_size = config.train_size.min(head.loaded_train);
            let text = comparison::describe(config, train_size, head.loaded_train);
            ("run", text)
        }
        Plan::Sweep { sweep } => {
            let train_size = sweep.base.train_size.min(head.loaded_train);
            ("sweep", sweep::describe(sweep, train_size))
        }
    };
    let state = match (summary.state, live) {
        (SavedState::Running, true) => "Running",
        (SavedState::Running, false) => "Interrupted",
        (SavedState::Done, _) => "Done",
        (SavedState::Stopped, _) => "Stopped",
        (SavedState::Error, _) => "Error",
    };
    Ok(Listing {
        kind,
        parameters: format!("{}: {parameters}", head.data.name),
        progress: summary.progress,
        figures: summary.figures,
        state,
    })
}

/// Rebuilds a stored session from its head, summary and entries (texts, in the order they
/// were written). `elsewhere` says another tab is training it now. Fails only if the head
/// or the summary cannot be read; entries that cannot be are skipped.
pub fn restore(
    head: &str,
    summary: &str,
    entries: &[String],
    elsewhere: bool,
) -> Result<(RestoredSession, Restored), String> {
    let head = Head::read(head)?;
    let summary = Summary::read(summary)?;
    let mut skipped = Vec::new();
    match head.plan {
        Plan::Run { config } => {
            let train_size = config.train_size.min(head.loaded_train);
            let mut run = Comparison::new(config, train_size);
            let mut update = Update::default();
            replay_all(entries, &mut skipped, |entry| {
                merge(&mut update, run.replay(entry)?);
                Ok(())
            });
            merge(&mut update, run.end_replay(&summary));
            let state = ended(&summary, run.state(), elsewhere);
            let caption = caption(state, &summary, &run.progress(), &run.figures(), None);
            let restored = Restored {
                update,
                caption,
                resumable: false,
                query: export::query(&config),
                parameters: run.describe(head.loaded_train),
                data: head.data,
                skipped,
            };
            Ok((RestoredSession::Run(run), restored))
        }
        Plan::Sweep { sweep } => {
            let mut session = SweepSession::new(sweep, head.loaded_train, 1);
            replay_all(entries, &mut skipped, |entry| session.replay(entry));
            let update = session.end_replay(&summary);
            let left = session.pending_jobs().len();
            let resumable = !elsewhere && session.can_resume();
            let state = ended(&summary, session.state(), elsewhere);
            let caption = caption(
                state,
                &summary,
                &session.progress(),
                &session.figures(),
                resumable.then_some(left),
            );
            let restored = Restored {
                update,
                caption,
                resumable,
                query: session.record().sweep.query(),
                parameters: session.describe(),
                data: head.data,
                skipped,
            };
            Ok((RestoredSession::Sweep(session), restored))
        }
    }
}

/// Reads each entry and gives it to `replay`, in order; an entry that cannot be read or
/// that `replay` refuses is named in `skipped`.
fn replay_all(
    entries: &[String],
    skipped: &mut Vec<String>,
    mut replay: impl FnMut(Entry) -> Result<(), String>,
) {
    for text in entries {
        if let Err(reason) = Entry::read(text).and_then(&mut replay) {
            skipped.push(reason);
        }
    }
}

/// Adds `next`'s rows (the latest per row wins) and log lines to `update`.
fn merge(update: &mut Update, next: Update) {
    for row in next.rows {
        update.rows.retain(|r| r.row != row.row);
        update.rows.push(row);
    }
    update.log.extend(next.log);
    update.redraw |= next.redraw;
}

/// How a restored session stands, for its caption.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ended {
    /// Another tab trains it now.
    Elsewhere,
    /// Stored as running, but no page trains it: it was closed or crashed.
    Interrupted,
    /// Stored as finished, but part of what was kept could not be read.
    Incomplete,
    As(SavedState),
}

/// A session whose every run was replayed to its end is done, whatever its summary says;
/// otherwise it stands as stored.
fn ended(summary: &Summary, replayed: SavedState, elsewhere: bool) -> Ended {
    match (replayed, summary.state) {
        (SavedState::Done, _) => Ended::As(SavedState::Done),
        (_, SavedState::Running) if elsewhere => Ended::Elsewhere,
        (_, SavedState::Running) => Ended::Interrupted,
        (_, SavedState::Done) => Ended::Incomplete,
        (_, stored) => Ended::As(stored),
    }
}

/// The sentence above a restored session: how it ended or how far it got, and what can be
/// done with it (`left`: runs a resume would train).
fn caption(
    state: Ended,
    summary: &Summary,
    progress: &str,
    figures: &str,
    left: Option<usize>,
) -> String {
    let then = |text: String| [text, figures.to_string()].join(" ").trim_end().to_string();
    let next = match left {
        Some(1) => " Resume runs the one left.".to_string(),
        Some(n) => format!(" Resume runs the {n} left."),
        None => String::new(),
    };
    match state {
        Ended::Elsewhere => then(format!("Running in another tab: {progress} so far.")),
        Ended::Interrupted => {
            then(format!(
                "Interrupted after {progress}: the page was closed or crashed."
            )) + &next
        }
        Ended::Incomplete => then(format!(
            "Finished, but part of what was kept could not be read: {progress} are shown."
        )),
        Ended::As(SavedState::Done) if summary.state == SavedState::Done => summary.ending.clone(),
        Ended::As(SavedState::Done) => then(format!("Finished: {progress}.")),
        Ended::As(SavedState::Error) => format!(
            "Ended by an error after {progress}: {}.{next}",
            summary.ending.trim_end_matches('.')
        ),
        Ended::As(_) => then(format!("Stopped after {progress}.")) + &next,
    }
}
