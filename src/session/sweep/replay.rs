//! A sweep read back from storage, and resumed. Each stored entry is checked against the
//! plan and against what came before it; the finished runs come back into the table, the
//! heat map and the exports, and a resumed sweep trains only the others (a run that had not
//! finished starts again from its first epoch: runs are deterministic, so the end result is
//! the same as if nothing had happened).

use super::SweepSession;
use crate::session::stored::{Entry, Event, SavedState, Summary};
use crate::session::{Overall, Update};
use crate::sweep::JobResult;
use crate::text::plural;

impl SweepSession {
    /// Replays one stored entry; an entry that does not fit is refused with a sentence and
    /// changes nothing.
    pub(in crate::session) fn replay(&mut self, entry: Entry) -> Result<(), String> {
        let job = *self.jobs.get(entry.job).ok_or_else(|| {
            format!(
                "A stored epoch names run {}, which this sweep of {} does not have.",
                entry.job + 1,
                plural(self.jobs.len(), "run")
            )
        })?;
        let name = self.setting(&job);
        let (count, diverged, done) = self.result(job.id).map_or((0, false, false), |r| {
            (r.metrics.len(), r.diverged(), r.done)
        });
        if done {
            return Err(format!(
                "A stored entry of {name} comes after its run had finished."
            ));
        }
        match entry.event {
            Event::Epoch { method, metrics } => {
                if method != job.method {
                    return Err(format!(
                        "A stored epoch of {name} is labelled {}.",
                        method.label()
                    ));
                }
                if diverged {
                    return Err(format!("A stored epoch of {name} comes after it diverged."));
                }
                let (due, epochs) = (count + 1, job.config.epochs);
                if metrics.epoch != due || due > epochs {
                    return Err(format!(
                        "A stored epoch of {name} is numbered {} where epoch {due} of \
                         {epochs} was due.",
                        metrics.epoch
                    ));
                }
                if count == 0 {
                    self.record.results.push(JobResult {
                        job: job.id,
                        metrics: Vec::new(),
                        done: false,
                        test: None,
                    });
                }
                self.add_epoch(job.id, metrics, &metrics.log_line(method));
            }
            Event::Done { test } => {
                if !diverged && count < job.config.epochs {
                    return Err(format!(
                        "{name} is stored as finished after {count} of {}.",
                        plural(job.config.epochs, "epoch")
                    ));
                }
                self.mark_done(job.id, test);
            }
        }
        Ok(())
    }

    /// Ends a replay: runs that had not finished are left out (a resume runs them again
    /// from the start). The sweep is done if every run is; otherwise it keeps an error it
    /// was stored with, and counts as stopped (its page was closed or crashed, or Stop was
    /// pressed). The log has every finished run whole, in plan order.
    pub(in crate::session) fn end_replay(&mut self, summary: &Summary) -> Update {
        self.record.results.retain(|r| r.done);
        for job in 0..self.jobs.len() {
            if !self.is_done(job) {
                self.lines[job].clear();
                self.batches_done[job] = 0;
            }
        }
        let state = match summary.state {
            _ if self.pending_jobs().is_empty() => SavedState::Done,
            SavedState::Error => SavedState::Error,
            _ => SavedState::Stopped,
        };
        self.end(state, &summary.ending);
        let log = (0..self.jobs.len())
            .filter(|&job| self.is_done(job))
            .flat_map(|job| self.lines[job].iter().cloned())
            .collect();
        Update {
            log,
            overall: Some(Overall {
                fraction: self.fraction_done(),
                text: format!("{} done", self.progress()),
            }),
            redraw: true,
            ..Update::default()
        }
    }

    /// This sweep going on with `workers` workers: they train the runs not finished; the
    /// finished ones stay in the table, the heat map, the log and the exports.
    pub fn resume(&self, workers: usize) -> SweepSession {
        let workers = workers.max(1);
        SweepSession {
            workers,
            busy: vec![None; workers],
            idle: 0,
            next_to_log: 0,
            done_at_start: self.fraction_done(),
            state: SavedState::Running,
            ending: String::new(),
            ..self.clone()
        }
    }

    /// Whether a resume has runs left to train.
    pub fn can_resume(&self) -> bool {
        self.state != SavedState::Done && !self.pending_jobs().is_empty()
    }
}
