//! The hover/tap readout: every visible series' value at one epoch, in one line.

use super::{ChartError, History, Metric, Run};

/// E.g. "Epoch 3 — Normal: acc 0.9012, val acc 0.9101, loss 0.3500, val loss 0.3300,
/// grad 1.0200 | AYLA: diverged in epoch 2". Methods whose series are all hidden are left
/// out; values have the four decimals of the original's console lines. At a run's last
/// epoch, its test score (held-out validation) follows: "…, grad 1.0200; test acc 0.9075,
/// test loss 0.3200 (scored once at the end)".
pub fn readout(history: &History, epoch: usize) -> Result<String, ChartError> {
    let last = history.last_epoch();
    if epoch == 0 || epoch > last {
        return Err(ChartError::EpochOutOfRange { epoch, last });
    }
    let parts: Vec<String> = history
        .runs
        .iter()
        .filter_map(|run| run_readout(history, run, epoch))
        .collect();
    let body = if parts.is_empty() {
        "no visible series".to_string()
    } else {
        parts.join(" | ")
    };
    Ok(format!("Epoch {epoch} — {body}"))
}

fn run_readout(history: &History, run: &Run, epoch: usize) -> Option<String> {
    let visible: Vec<Metric> = Metric::ALL
        .into_iter()
        .filter(|&metric| history.is_visible(run.method, metric))
        .collect();
    if visible.is_empty() {
        return None;
    }
    let test = match (run.test, run.metrics.last()) {
        (Some(t), Some(last)) if last.epoch == epoch => format!(
            "; test acc {:.4}, test loss {:.4} (scored once at the end)",
            t.accuracy, t.loss
        ),
        _ => String::new(),
    };
    Some(format!(
        "{}: {}{test}",
        run.method.label(),
        values(run, &visible, epoch)
    ))
}

fn values(run: &Run, visible: &[Metric], epoch: usize) -> String {
    match (run.at(epoch), run.diverged_epoch()) {
        (Some(m), _) if m.diverged_at.is_some() => "diverged in this epoch".to_string(),
        (Some(m), _) => {
            let value = |metric: Metric| match metric.value(m) {
                v if v.is_finite() => format!("{} {v:.4}", metric.short_label()),
                _ => format!("{} not finite", metric.short_label()),
            };
            let values: Vec<String> = visible.iter().map(|&metric| value(metric)).collect();
            values.join(", ")
        }
        (None, Some(broke)) if broke <= epoch => format!("diverged in epoch {broke}"),
        (None, _) => "no data yet".to_string(),
    }
}
