//! A fair verdict between AYLA and Normal: each method's learning rate chosen on held-out
//! validation accuracy (mean over seeds), then test accuracy at the chosen rates compared per
//! seed (same start, same batches), with a 95 % t-interval of the paired difference.
//! Optimizer benchmarks settle comparisons this way (DeepOBS; AlgoPerf; Schmidt, Schneider &
//! Hennig 2021): tune on validation, report test, over seeds, with the spread.
//!
//! Its parts: choosing a rate (`choice`), the paired statistics (`stats`), the sentences
//! (`sentence`); here, the verdict of a sweep's results.

mod choice;
mod sentence;
mod stats;

pub use choice::{choose, Candidate, Choice, Edge, Score};
pub use sentence::{baseline_sentence, sentence};
pub use stats::{difference, t_975, Difference};

use serde::Serialize;

use super::{JobResult, SweepRecord};
use crate::config::Validation;
use crate::text::plural;

/// What a sweep says about "is AYLA better?": Normal's tuned choice and, for each setting,
/// its own and the paired comparison, in numbers and in words. A sweep validated on the
/// test set gets only a note saying why there is no verdict.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Verdict {
    /// Said before the sentences: why there is no verdict, that nothing was tuned, or how
    /// much of the sweep it rests on so far.
    pub note: Option<String>,
    /// Normal at its best learning rate; none before one of its runs finished well.
    pub normal: Option<Choice>,
    /// Normal's sentence (its choice and test accuracy).
    pub baseline: Option<String>,
    /// One per AYLA setting, in grid order (N1, then N2); empty without a verdict.
    pub settings: Vec<SettingVerdict>,
}

/// One AYLA setting at its best learning rate against Normal at its best.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SettingVerdict {
    pub n1: f32,
    pub n2: f32,
    pub choice: Option<Choice>,
    /// Test accuracy at the two choices, AYLA − Normal, paired by seed.
    pub difference: Option<Difference>,
    pub sentence: String,
}

/// Why a sweep validated on the test set has no verdict.
pub const TEST_SET_NOTE: &str = "These runs validated on the test set: choosing each method's \
    learning rate (or the best setting) on it and reporting that same test accuracy would \
    overstate the winner. For a verdict, sweep several learning rates with Validate on: the \
    last K training images (held out).";

/// Why a sweep of one learning rate has no verdict.
pub const ONE_RATE_NOTE: &str = "One learning rate: neither method was tuned. Sweep several \
    (e.g. 0.01:3:×10^(1/3)) for a fair verdict.";

impl Verdict {
    /// Normal's sentence, then each setting's: the page's list.
    pub fn items(&self) -> Vec<String> {
        let settings = self.settings.iter().map(|s| s.sentence.clone());
        self.baseline.iter().cloned().chain(settings).collect()
    }

    /// The note, then every sentence: what the command line prints.
    pub fn lines(&self) -> Vec<String> {
        self.note.iter().cloned().chain(self.items()).collect()
    }

    /// The verdict of the setting (N1, N2).
    pub fn setting(&self, n1: f32, n2: f32) -> Option<&SettingVerdict> {
        self.settings.iter().find(|s| s.n1 == n1 && s.n2 == n2)
    }
}

impl SweepRecord {
    /// The verdict on the runs finished so far.
    pub fn verdict(&self) -> Verdict {
        let sweep = &self.sweep;
        if sweep.base.validation == Validation::Test {
            return Verdict {
                note: Some(TEST_SET_NOTE.to_string()),
                normal: None,
                baseline: None,
                settings: Vec::new(),
            };
        }
        let normal = choose(&self.candidates(None));
        let settings = (sweep.n1.iter())
            .flat_map(|&n1| sweep.n2.iter().map(move |&n2| (n1, n2)))
            .enumerate()
            .map(|(cell, setting)| self.setting_verdict(cell, setting, normal.as_ref()))
            .collect();
        let done = self.results.iter().filter(|r| r.done).count();
        let note = if sweep.lr.len() == 1 {
            Some(ONE_RATE_NOTE.to_string())
        } else if done < sweep.run_count() {
            Some(format!(
                "So far: {} of {} finished.",
                done,
                plural(sweep.run_count(), "run")
            ))
        } else {
            None
        };
        Verdict {
            note,
            baseline: normal.as_ref().map(baseline_sentence),
            normal,
            settings,
        }
    }

    fn setting_verdict(
        &self,
        cell: usize,
        (n1, n2): (f32, f32),
        normal: Option<&Choice>,
    ) -> SettingVerdict {
        let choice = choose(&self.candidates(Some(cell)));
        let difference = choice
            .as_ref()
            .zip(normal)
            .and_then(|(ayla, normal)| difference(&ayla.scores, &normal.scores));
        let sentence = match (&choice, normal) {
            (Some(ayla), Some(normal)) => sentence((n1, n2), ayla, normal, difference.as_ref()),
            (None, _) => format!(
                "AYLA ({n1}, {n2}): no verdict yet: no run finished without diverging at any \
                 learning rate."
            ),
            (Some(_), None) => format!(
                "AYLA ({n1}, {n2}): no verdict yet: no Normal run finished without diverging."
            ),
        };
        SettingVerdict {
            n1,
            n2,
            choice,
            difference,
            sentence,
        }
    }

    /// Normal's (`cell` `None`) or a setting's runs at each learning rate.
    fn candidates(&self, cell: Option<usize>) -> Vec<Candidate> {
        let sweep = &self.sweep;
        let seeds = sweep.seed_values();
        (sweep.lr.iter().enumerate())
            .map(|(rate, &learning_rate)| {
                let finished: Vec<(u64, &JobResult)> = (seeds.iter().enumerate())
                    .filter_map(|(s, &seed)| {
                        let id = sweep.job_id(s, rate, cell);
                        let result = self.results.iter().find(|r| r.job == id && r.done)?;
                        Some((seed, result))
                    })
                    .collect();
                Candidate {
                    learning_rate,
                    scores: (finished.iter())
                        .filter(|(_, r)| !r.diverged())
                        .filter_map(|&(seed, r)| score(seed, r))
                        .collect(),
                    diverged: finished.iter().filter(|(_, r)| r.diverged()).count(),
                }
            })
            .collect()
    }
}

/// A finished run's final validation accuracy and its test accuracy (if scored).
fn score(seed: u64, result: &JobResult) -> Option<Score> {
    Some(Score {
        seed,
        val_accuracy: f64::from(result.metrics.last()?.val_accuracy),
        test_accuracy: result.test.map(|t| f64::from(t.accuracy)),
    })
}
