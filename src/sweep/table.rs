//! The results table as the page shows it: its columns, each cell's text, and the order
//! the user sorted it in (Normal always first).

use serde::Serialize;

use super::{Row, Stat};
use crate::method::Method;

/// The table's columns, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Column {
    N1,
    N2,
    LearningRate,
    FinalValAccuracy,
    BestValAccuracy,
    FinalValLoss,
    BestValLoss,
    Gain,
    FirstBeat,
    Runs,
    Diverged,
}

impl Column {
    pub const ALL: [Column; 11] = [
        Column::N1,
        Column::N2,
        Column::LearningRate,
        Column::FinalValAccuracy,
        Column::BestValAccuracy,
        Column::FinalValLoss,
        Column::BestValLoss,
        Column::Gain,
        Column::FirstBeat,
        Column::Runs,
        Column::Diverged,
    ];

    /// The key the page names the column by (`data-key`).
    pub fn key(self) -> &'static str {
        match self {
            Column::N1 => "n1",
            Column::N2 => "n2",
            Column::LearningRate => "lr",
            Column::FinalValAccuracy => "final_val_accuracy",
            Column::BestValAccuracy => "best_val_accuracy",
            Column::FinalValLoss => "final_val_loss",
            Column::BestValLoss => "best_val_loss",
            Column::Gain => "gain",
            Column::FirstBeat => "first_beat",
            Column::Runs => "runs",
            Column::Diverged => "diverged",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Column::N1 => "N1",
            Column::N2 => "N2",
            Column::LearningRate => "LR",
            Column::FinalValAccuracy => "Final val acc",
            Column::BestValAccuracy => "Best val acc",
            Column::FinalValLoss => "Final val loss",
            Column::BestValLoss => "Best val loss",
            Column::Gain => "Δ val acc (points)",
            Column::FirstBeat => "First beat Normal (epoch)",
            Column::Runs => "Runs",
            Column::Diverged => "Diverged",
        }
    }

    pub fn parse(key: &str) -> Option<Column> {
        Column::ALL.into_iter().find(|c| c.key() == key)
    }

    /// The direction a first click sorts in: parameters ascending, results best first.
    pub fn first_descending(self) -> bool {
        !matches!(self, Column::N1 | Column::N2 | Column::LearningRate)
    }

    /// What the column sorts by; `None` sorts last whatever the direction.
    fn value(self, row: &Row) -> Option<f64> {
        let mean = |s: Option<Stat>| s.map(|s| s.mean);
        match self {
            Column::N1 => row.n1.map(f64::from),
            Column::N2 => row.n2.map(f64::from),
            Column::LearningRate => Some(f64::from(row.learning_rate)),
            Column::FinalValAccuracy => mean(row.final_val_accuracy),
            Column::BestValAccuracy => mean(row.best_val_accuracy),
            Column::FinalValLoss => mean(row.final_val_loss),
            Column::BestValLoss => mean(row.best_val_loss),
            Column::Gain => mean(row.gain),
            // Seeds that never beat Normal count as after the last epoch.
            Column::FirstBeat => (!row.first_beat.is_empty()).then(|| {
                let epochs = row
                    .first_beat
                    .iter()
                    .map(|e| e.map_or(f64::INFINITY, |e| e as f64));
                epochs.sum::<f64>() / row.first_beat.len() as f64
            }),
            Column::Runs => Some(row.runs_done as f64),
            Column::Diverged => Some(row.diverged as f64),
        }
    }

    /// The cell's text.
    pub fn text(self, row: &Row) -> String {
        let normal = row.method == Method::Normal;
        match self {
            Column::N1 => row.n1.map_or("Normal".into(), |v| v.to_string()),
            Column::N2 => row.n2.map_or(String::new(), |v| v.to_string()),
            Column::LearningRate => row.learning_rate.to_string(),
            Column::FinalValAccuracy => stat_text(row.final_val_accuracy),
            Column::BestValAccuracy => stat_text(row.best_val_accuracy),
            Column::FinalValLoss => stat_text(row.final_val_loss),
            Column::BestValLoss => stat_text(row.best_val_loss),
            Column::Gain if normal => "–".into(),
            Column::Gain => row.gain.map_or("–".into(), |g| gain_text(&g)),
            Column::FirstBeat if normal => String::new(),
            Column::FirstBeat if row.first_beat.is_empty() => "–".into(),
            Column::FirstBeat => {
                let epochs: Vec<String> = row
                    .first_beat
                    .iter()
                    .map(|e| e.map_or("never".into(), |e| e.to_string()))
                    .collect();
                epochs.join(", ")
            }
            Column::Runs => format!("{}/{}", row.runs_done, row.runs_total),
            Column::Diverged if row.diverged == 0 => String::new(),
            Column::Diverged => row.diverged.to_string(),
        }
    }
}

/// "0.9012 ± 0.0011", or "0.9012" for one seed, "–" for none.
fn stat_text(stat: Option<Stat>) -> String {
    match stat {
        None => "–".into(),
        Some(Stat {
            mean, std: None, ..
        }) => format!("{mean:.4}"),
        Some(Stat {
            mean,
            std: Some(std),
            ..
        }) => format!("{mean:.4} ± {std:.4}"),
    }
}

/// A gain in percentage points with its sign: "+1.84 ± 0.05", "−0.40".
pub fn gain_text(gain: &Stat) -> String {
    let points = |v: f64| format!("{:.2}", v * 100.0);
    let sign = if gain.mean >= 0.0 { '+' } else { '−' };
    let mean = format!("{sign}{}", points(gain.mean.abs()));
    match gain.std {
        Some(std) => format!("{mean} ± {}", points(std)),
        None => mean,
    }
}

/// The rows in the order the user asked for: Normal first (by learning rate), then the
/// settings by `column` (rows without a value last, whatever the direction; ties keep the
/// grid's order).
pub fn sorted(rows: Vec<Row>, column: Column, descending: bool) -> Vec<Row> {
    let (mut normal, mut settings): (Vec<Row>, Vec<Row>) =
        rows.into_iter().partition(|r| r.method == Method::Normal);
    settings.sort_by(|a, b| match (column.value(a), column.value(b)) {
        (Some(x), Some(y)) if descending => y.total_cmp(&x),
        (Some(x), Some(y)) => x.total_cmp(&y),
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (None, None) => std::cmp::Ordering::Equal,
    });
    normal.append(&mut settings);
    normal
}
