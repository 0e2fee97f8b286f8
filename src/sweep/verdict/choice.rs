//! Choosing a method's learning rate: the best mean validation accuracy over seeds, as a
//! practitioner tuning on held-out data would, never the test accuracy.

use serde::Serialize;

use crate::sweep::Stat;

/// One run's final figures: validation accuracy (chooses) and test accuracy (reports; none
/// when the run has no test score).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Score {
    pub seed: u64,
    pub val_accuracy: f64,
    pub test_accuracy: Option<f64>,
}

/// A method setting at one learning rate: the scores of its runs that finished without
/// diverging, and how many diverged.
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    pub learning_rate: f32,
    pub scores: Vec<Score>,
    pub diverged: usize,
}

/// Where a chosen learning rate sits on the grid tried.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Edge {
    Smallest,
    Largest,
    /// The grid has one rate: nothing was tuned.
    Only,
}

impl Edge {
    /// As the exports write it: "smallest", "largest", "only".
    pub fn name(self) -> &'static str {
        match self {
            Edge::Smallest => "smallest",
            Edge::Largest => "largest",
            Edge::Only => "only",
        }
    }
}

/// The learning rate a method would be given: the best mean validation accuracy.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Choice {
    pub learning_rate: f32,
    pub val_accuracy: Stat,
    /// Over the runs with a test score; none if none has.
    pub test_accuracy: Option<Stat>,
    /// Set when the choice is the grid's smallest or largest rate (or its only one): the
    /// optimum may lie beyond it.
    pub edge: Option<Edge>,
    pub scores: Vec<Score>,
}

/// The rate with the best mean validation accuracy (ties: the smaller rate), among those
/// where no run diverged (a rate that blows training up is not one a tuner would pick);
/// `None` if no rate has a finished run without divergence.
pub fn choose(candidates: &[Candidate]) -> Option<Choice> {
    let mut rates: Vec<f32> = candidates.iter().map(|c| c.learning_rate).collect();
    rates.sort_by(f32::total_cmp);
    rates.dedup();
    let mut best: Option<(&Candidate, Stat)> = None;
    for candidate in candidates.iter().filter(|c| c.diverged == 0) {
        let vals: Vec<f64> = candidate.scores.iter().map(|s| s.val_accuracy).collect();
        let Some(val) = Stat::of(&vals) else {
            continue;
        };
        let better = best.as_ref().is_none_or(|(b, b_val)| {
            val.mean > b_val.mean
                || (val.mean == b_val.mean && candidate.learning_rate < b.learning_rate)
        });
        if better {
            best = Some((candidate, val));
        }
    }
    let (candidate, val_accuracy) = best?;
    let lr = candidate.learning_rate;
    let tests: Vec<f64> = candidate
        .scores
        .iter()
        .filter_map(|s| s.test_accuracy)
        .collect();
    let edge = match rates[..] {
        [_] => Some(Edge::Only),
        [smallest, ..] if lr == smallest => Some(Edge::Smallest),
        [.., largest] if lr == largest => Some(Edge::Largest),
        _ => None,
    };
    Some(Choice {
        learning_rate: lr,
        val_accuracy,
        test_accuracy: Stat::of(&tests),
        edge,
        scores: candidate.scores.clone(),
    })
}
