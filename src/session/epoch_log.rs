//! The log of a comparison in the original's order: for each epoch, AYLA's line and then
//! Normal's (and after the last epoch, each method's test line, when the test set is scored
//! once at the end). Workers finish epochs in any order; lines wait here until their epoch
//! is complete, so the same run prints the same log every time.

use std::collections::BTreeMap;

use crate::method::Method;

#[derive(Debug, Clone, Default)]
pub struct EpochLog {
    /// Lines not printed yet, by epoch, then by method.
    waiting: BTreeMap<usize, BTreeMap<Method, String>>,
    /// Methods that will report no more epochs, with the last epoch they reported.
    finished: BTreeMap<Method, usize>,
    /// The last epoch each method reported.
    reported: BTreeMap<Method, usize>,
    /// The next epoch to print.
    next: usize,
}

impl EpochLog {
    pub fn new() -> EpochLog {
        EpochLog {
            next: 1,
            ..EpochLog::default()
        }
    }

    /// Takes a method's line for an epoch; returns the lines that can now be printed.
    pub fn add(&mut self, method: Method, epoch: usize, line: String) -> Vec<String> {
        self.waiting.entry(epoch).or_default().insert(method, line);
        self.reported.insert(method, epoch);
        self.release()
    }

    /// Takes a line that follows a method's last epoch (its test score at the end): it is
    /// printed after every method's last epoch line, in the same order; returns the lines
    /// that can now be printed.
    pub fn add_after_last(&mut self, method: Method, line: String) -> Vec<String> {
        let after = self.reported.get(&method).copied().unwrap_or(0) + 1;
        self.add(method, after, line)
    }

    /// A method reports no more epochs (all done, diverged, or stopped by an error):
    /// returns the lines that were waiting only for it.
    pub fn finish(&mut self, method: Method) -> Vec<String> {
        let last = self.reported.get(&method).copied().unwrap_or(0);
        self.finished.insert(method, last);
        self.release()
    }

    /// Every line still waiting, in order (when the run ends early, e.g. on Stop).
    pub fn flush(&mut self) -> Vec<String> {
        let waiting = std::mem::take(&mut self.waiting);
        waiting.into_values().flat_map(in_log_order).collect()
    }

    /// Prints every epoch that both methods have reported, or that a finished method will
    /// never report.
    fn release(&mut self) -> Vec<String> {
        let mut lines = Vec::new();
        while let Some(epoch_lines) = self.waiting.get(&self.next) {
            let complete = Method::LOG_ORDER.iter().all(|method| {
                epoch_lines.contains_key(method)
                    || self
                        .finished
                        .get(method)
                        .is_some_and(|&last| last < self.next)
            });
            if !complete {
                break;
            }
            let epoch_lines = self.waiting.remove(&self.next).unwrap_or_default();
            lines.extend(in_log_order(epoch_lines));
            self.next += 1;
        }
        lines
    }
}

fn in_log_order(mut lines: BTreeMap<Method, String>) -> Vec<String> {
    Method::LOG_ORDER
        .iter()
        .filter_map(|method| lines.remove(method))
        .collect()
}
