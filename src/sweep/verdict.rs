//! A fair verdict between AYLA and Normal: each method's learning rate chosen on held-out
//! validation accuracy (mean over seeds), then test accuracy at the chosen rates compared per
//! seed (same start, same batches), with a 95 % t-interval of the paired difference.
//! Optimizer benchmarks settle comparisons this way (DeepOBS; AlgoPerf; Schmidt, Schneider &
//! Hennig 2021): tune on validation, report test, over seeds, with the spread.

use serde::Serialize;

use super::Stat;

/// One run's final figures: validation accuracy (chooses) and test accuracy (reports).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Score {
    pub seed: u64,
    pub val_accuracy: f64,
    pub test_accuracy: f64,
}

/// A method setting at one learning rate, over the seeds that finished without diverging.
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    pub learning_rate: f32,
    pub scores: Vec<Score>,
}

/// Where a chosen learning rate sits on the grid tried.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Edge {
    Smallest,
    Largest,
}

/// The learning rate a method would be given: the best mean validation accuracy.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Choice {
    pub learning_rate: f32,
    pub val_accuracy: Stat,
    pub test_accuracy: Stat,
    /// Set when the choice is the grid's smallest or largest rate (and the grid has more
    /// than one): the optimum may lie beyond it.
    pub edge: Option<Edge>,
    pub scores: Vec<Score>,
}

/// AYLA minus Normal test accuracy, paired by seed.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Difference {
    pub mean: f64,
    pub n: usize,
    /// The 95 % t-interval (mean ± t(0.975, n − 1) · sd / √n); none for one seed.
    pub interval: Option<(f64, f64)>,
}

/// The rate with the best mean validation accuracy (ties: the smaller rate); `None` if no
/// rate has a finished run.
pub fn choose(candidates: &[Candidate]) -> Option<Choice> {
    let rates: Vec<f32> = candidates.iter().map(|c| c.learning_rate).collect();
    let (smallest, largest) = (
        rates.iter().copied().fold(f32::INFINITY, f32::min),
        rates.iter().copied().fold(f32::NEG_INFINITY, f32::max),
    );
    let mut best: Option<Choice> = None;
    let mut sorted: Vec<&Candidate> = candidates.iter().collect();
    sorted.sort_by(|a, b| a.learning_rate.total_cmp(&b.learning_rate));
    for candidate in sorted {
        let vals: Vec<f64> = candidate.scores.iter().map(|s| s.val_accuracy).collect();
        let tests: Vec<f64> = candidate.scores.iter().map(|s| s.test_accuracy).collect();
        let (Some(val), Some(test)) = (Stat::of(&vals), Stat::of(&tests)) else {
            continue;
        };
        if best
            .as_ref()
            .is_some_and(|b| b.val_accuracy.mean >= val.mean)
        {
            continue;
        }
        let lr = candidate.learning_rate;
        best = Some(Choice {
            learning_rate: lr,
            val_accuracy: val,
            test_accuracy: test,
            edge: if smallest == largest {
                None
            } else if lr == smallest {
                Some(Edge::Smallest)
            } else if lr == largest {
                Some(Edge::Largest)
            } else {
                None
            },
            scores: candidate.scores.clone(),
        });
    }
    best
}

/// AYLA's test accuracy minus Normal's, over the seeds both have.
pub fn difference(ayla: &[Score], normal: &[Score]) -> Option<Difference> {
    let pairs: Vec<f64> = ayla
        .iter()
        .filter_map(|a| {
            let n = normal.iter().find(|n| n.seed == a.seed)?;
            Some(a.test_accuracy - n.test_accuracy)
        })
        .collect();
    let stat = Stat::of(&pairs)?;
    let interval = stat.std.map(|sd| {
        let half = t_975(stat.n - 1) * sd / (stat.n as f64).sqrt();
        (stat.mean - half, stat.mean + half)
    });
    Some(Difference {
        mean: stat.mean,
        n: stat.n,
        interval,
    })
}

/// The 97.5 % quantile of Student's t with `df` degrees of freedom (two-sided 95 %), from
/// the standard tables for 1 to 30, then the normal quantile's Cornish–Fisher expansion.
pub fn t_975(df: usize) -> f64 {
    const TABLE: [f64; 30] = [
        12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160,
        2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056,
        2.052, 2.048, 2.045, 2.042,
    ];
    match df {
        0 => f64::INFINITY,
        1..=30 => TABLE[df - 1],
        _ => {
            let (z, v): (f64, f64) = (1.959_964, df as f64);
            z + (z.powi(3) + z) / (4.0 * v)
                + (5.0 * z.powi(5) + 16.0 * z.powi(3) + 3.0 * z) / (96.0 * v * v)
        }
    }
}

/// "+0.30" percentage points with a sign (− for negatives), from an accuracy difference.
fn points(delta: f64) -> String {
    let sign = if delta < 0.0 { '−' } else { '+' };
    format!("{sign}{:.2}", (delta * 100.0).abs())
}

/// The verdict's sentence for one AYLA setting, e.g. "AYLA (1.2, 0.8) at lr 0.01: +0.30
/// points over Normal at its best lr 0.1 (95 % CI −0.20 to +0.80, 5 seeds): within seed
/// noise." A choice at the grid's edge gets that said instead of a conclusion.
pub fn sentence(
    setting: (f32, f32),
    ayla: &Choice,
    normal: &Choice,
    diff: Option<&Difference>,
) -> String {
    let head = format!(
        "AYLA ({}, {}) at lr {}",
        setting.0, setting.1, ayla.learning_rate
    );
    let edge = |who: &str, choice: &Choice| {
        choice.edge.map(|edge| {
            let end = match edge {
                Edge::Smallest => "smallest",
                Edge::Largest => "largest",
            };
            format!("{who}'s best lr is the {end} tried: widen the grid.")
        })
    };
    if let Some(text) = edge("Normal", normal).or_else(|| edge(&head, ayla)) {
        return format!("{head}: no verdict. {text}");
    }
    let Some(diff) = diff else {
        return format!("{head}: no seed finished both runs yet.");
    };
    let versus = format!(
        "{} points {} Normal at its best lr {}",
        points(diff.mean),
        if diff.mean < 0.0 { "under" } else { "over" },
        normal.learning_rate
    );
    let seeds = if diff.n == 1 {
        "1 seed".to_string()
    } else {
        format!("{} seeds", diff.n)
    };
    match diff.interval {
        None => format!("{head}: {versus} ({seeds}: no interval, run more seeds)."),
        Some((low, high)) => {
            let reading = if low <= 0.0 && high >= 0.0 {
                "within seed noise"
            } else if low > 0.0 {
                "better beyond seed noise"
            } else {
                "worse beyond seed noise"
            };
            format!(
                "{head}: {versus} (95 % CI {} to {}, {seeds}): {reading}.",
                points(low),
                points(high)
            )
        }
    }
}
