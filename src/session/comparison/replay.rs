//! A single run read back from storage: each stored entry is checked against the run's plan
//! and against what came before it, then replayed as the worker message it stands for, so
//! the figure, the log and the rows come back as they were shown.

use super::{row_of, Comparison, METHODS};
use crate::protocol::FromWorker;
use crate::session::stored::{Entry, Event, SavedState, Summary};
use crate::session::{RowState, RowUpdate, Update};
use crate::text::plural;

impl Comparison {
    /// Replays one stored entry; an entry that does not fit is refused with a sentence and
    /// changes nothing.
    pub(in crate::session) fn replay(&mut self, entry: Entry) -> Result<Update, String> {
        let method = *METHODS.get(entry.job).ok_or_else(|| {
            format!(
                "A stored epoch names run {}, which a single run does not have.",
                entry.job
            )
        })?;
        let label = method.label();
        if self.done.contains(&method) {
            return Err(format!(
                "A stored entry of {label} comes after its run had finished."
            ));
        }
        let run = self.run(method);
        let message = match entry.event {
            Event::Epoch {
                method: named,
                metrics,
            } => {
                if named != method {
                    return Err(format!(
                        "A stored epoch of {label} is labelled {}.",
                        named.label()
                    ));
                }
                if run.diverged {
                    return Err(format!(
                        "A stored epoch of {label} comes after it diverged."
                    ));
                }
                let due = run.metrics.len() + 1;
                if metrics.epoch != due || due > self.config.epochs {
                    return Err(format!(
                        "A stored epoch of {label} is numbered {} where epoch {due} of {} \
                         was due.",
                        metrics.epoch, self.config.epochs
                    ));
                }
                FromWorker::epoch(method, metrics)
            }
            Event::Done { test } => {
                if !run.diverged && run.metrics.len() < self.config.epochs {
                    return Err(format!(
                        "{label} is stored as finished after {} of {}.",
                        run.metrics.len(),
                        plural(self.config.epochs, "epoch")
                    ));
                }
                FromWorker::Done { method, test }
            }
        };
        Ok(self.receive(message, 0.0))
    }

    /// Ends a replay. A run whose every method finished is done; otherwise it keeps the
    /// ending it was stored with, and one stored as running (its page closed or crashed)
    /// counts as stopped. Lines still waiting for the other method come out, and the rows
    /// of methods that did not finish say how far they got.
    pub(in crate::session) fn end_replay(&mut self, summary: &Summary) -> Update {
        if !self.is_over() {
            let state = match summary.state {
                SavedState::Error => SavedState::Error,
                _ => SavedState::Stopped,
            };
            self.end(state, &summary.ending);
        }
        let rows = METHODS
            .iter()
            .filter(|m| !self.done.contains(m))
            .map(|&m| RowUpdate {
                row: row_of(m),
                method: Some(m),
                value: 0.0,
                max: 1.0,
                text: format!(
                    "Not finished: {} of {}",
                    self.epochs_of(m),
                    plural(self.config.epochs, "epoch")
                ),
                state: RowState::Stopped,
            })
            .collect();
        Update {
            rows,
            log: self.log.flush(),
            redraw: true,
            ..Update::default()
        }
    }
}
