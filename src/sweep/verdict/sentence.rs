//! The verdict in words: one plain sentence per AYLA setting, and one for Normal.

use super::{Choice, Difference, Edge};
use crate::text::plural;

/// "+0.30" or "−0.20" percentage points with a sign, from an accuracy difference.
pub(super) fn points(delta: f64) -> String {
    let sign = if delta < 0.0 { '−' } else { '+' };
    format!("{sign}{:.2}", (delta * 100.0).abs())
}

/// "0.9712 ± 0.0010", or "0.9712" for one seed.
fn stat_text(mean: f64, std: Option<f64>) -> String {
    match std {
        Some(std) => format!("{mean:.4} ± {std:.4}"),
        None => format!("{mean:.4}"),
    }
}

/// Normal's line: "Normal: best lr 0.1 (val acc 0.9712 ± 0.0010), test acc 0.9705 ±
/// 0.0012 over 3 seeds.", its edge said after the rate ("best lr 1, the largest tried").
pub fn baseline_sentence(normal: &Choice) -> String {
    let val = &normal.val_accuracy;
    let test = normal
        .test_accuracy
        .map_or("no test figures".to_string(), |t| {
            format!(
                "test acc {} over {}",
                stat_text(t.mean, t.std),
                plural(t.n, "seed")
            )
        });
    let edge = normal
        .edge
        .map_or(String::new(), |edge| format!(", {}", edge_text(edge)));
    format!(
        "Normal: best lr {}{edge} (val acc {}), {test}.",
        normal.learning_rate,
        stat_text(val.mean, val.std)
    )
}

/// Where a choice sits, in words: "the largest tried".
fn edge_text(edge: Edge) -> &'static str {
    match edge {
        Edge::Smallest => "the smallest tried",
        Edge::Largest => "the largest tried",
        Edge::Only => "the only one tried",
    }
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
    let name = format!("AYLA ({}, {})", setting.0, setting.1);
    let head = format!("{name} at lr {}", ayla.learning_rate);
    if ayla.edge == Some(Edge::Only) || normal.edge == Some(Edge::Only) {
        return format!(
            "{head}: no verdict: one learning rate was tried, so neither method was tuned; \
             sweep several."
        );
    }
    let edges: Vec<String> = [("Normal", normal), (name.as_str(), ayla)]
        .into_iter()
        .filter_map(|(who, choice)| Some(format!("{who}'s best lr is {}", edge_text(choice.edge?))))
        .collect();
    if !edges.is_empty() {
        return format!("{head}: no verdict. {}: widen the grid.", edges.join("; "));
    }
    let Some(diff) = diff else {
        return format!("{head}: no seed has test figures of both runs yet.");
    };
    let versus = if diff.mean < 0.0 {
        format!("{:.2} points under", diff.mean.abs() * 100.0)
    } else {
        format!("{} points over", points(diff.mean))
    };
    let versus = format!("{versus} Normal at its best lr {}", normal.learning_rate);
    let seeds = plural(diff.n, "seed");
    match diff.interval {
        None => format!("{head}: {versus} ({seeds}: no interval; run more seeds)."),
        Some((low, high)) => {
            let reading = if low > 0.0 {
                "better beyond seed noise"
            } else if high < 0.0 {
                "worse beyond seed noise"
            } else {
                "within seed noise"
            };
            format!(
                "{head}: {versus} (95 % CI {} to {}, {seeds}): {reading}.",
                points(low),
                points(high)
            )
        }
    }
}
