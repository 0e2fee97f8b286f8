//! Axis ranges, tick positions and tick labels: pure arithmetic, so it is tested natively.

/// How a panel's y axis fits its data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum YScale {
    /// A fraction (accuracy): a tight range around the data, never outside 0..1, so the
    /// gap between two runs at 0.97 and 0.98 is visible.
    Fraction,
    /// A non-negative quantity (loss, gradient norm): from 0 up to just above the data.
    FromZero,
}

/// Tick values in a range, all multiples of `step`.
#[derive(Debug, Clone, PartialEq)]
pub struct Ticks {
    pub values: Vec<f64>,
    pub step: f64,
}

/// The x range for epochs 1..=last, padded so markers at the ends are not cut by the axes.
pub fn x_range(last_epoch: usize) -> (f64, f64) {
    let last = last_epoch.max(1) as f64;
    let pad = (0.02 * (last - 1.0)).max(0.25);
    (1.0 - pad, last + pad)
}

/// Integer epoch ticks: multiples of the smallest step in 1, 2, 5, 10, 20, 50, ... that
/// keeps at most `max_labels` of them, so labels never overlap however many epochs.
pub fn epoch_ticks(last_epoch: usize, max_labels: usize) -> Vec<usize> {
    let max_labels = max_labels.max(1);
    let step = nice_steps()
        .map(|step| step.round() as usize)
        .find(|&step| last_epoch / step <= max_labels)
        .unwrap_or(1);
    (step..=last_epoch).step_by(step).collect()
}

/// The y range that fits these finite values; 0..1 when there are none yet.
pub fn y_range(scale: YScale, values: &[f32]) -> (f64, f64) {
    let lo = values.iter().copied().fold(f32::INFINITY, f32::min);
    let hi = values.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    if !(lo.is_finite() && hi.is_finite()) {
        return (0.0, 1.0);
    }
    let (lo, hi) = (f64::from(lo), f64::from(hi));
    match scale {
        YScale::Fraction => {
            let pad = 0.08 * (hi - lo).max(0.02);
            ((lo - pad).max(0.0), (hi + pad).min(1.0))
        }
        YScale::FromZero if hi > 0.0 => (0.0, hi * 1.08),
        YScale::FromZero => (0.0, 1.0),
    }
}

/// At most `max_count` ticks inside lo..=hi, spaced by a round step (1, 2, 2.5 or 5 × 10^k).
pub fn nice_ticks(lo: f64, hi: f64, max_count: usize) -> Ticks {
    let span = hi - lo;
    if !(span.is_finite() && span > 0.0) {
        return Ticks {
            values: vec![lo],
            step: 1.0,
        };
    }
    let max_count = max_count.max(1) as i64;
    let magnitude = 10f64.powf((span / max_count as f64).log10().floor());
    let step = [1.0, 10.0, 100.0]
        .into_iter()
        .flat_map(|k| [1.0, 2.0, 2.5, 5.0].map(|m| m * k * magnitude))
        .find(|&step| {
            let (first, last) = multiples_within(lo, hi, step);
            last - first < max_count
        })
        .unwrap_or(100.0 * magnitude);
    let (first, last) = multiples_within(lo, hi, step);
    let values = (first..=last).map(|i| i as f64 * step).collect();
    Ticks { values, step }
}

/// The first and last i with i × step inside lo..=hi (allowing for rounding).
fn multiples_within(lo: f64, hi: f64, step: f64) -> (i64, i64) {
    let first = (lo / step - 1e-9).ceil() as i64;
    let last = (hi / step + 1e-9).floor() as i64;
    (first, last)
}

/// A tick label with as many decimals as the step needs ("0.90", "2.5", "12", and "0.0"
/// beside "0.5"), in scientific notation when too large or too small to read as decimals.
pub fn format_tick(value: f64, step: f64) -> String {
    // A zero computed as a multiple of the step may come out as -0.0 or 1e-17.
    let value = if value.abs() < step.abs() * 1e-9 {
        0.0
    } else {
        value
    };
    if value.abs() >= 1e5 || (value != 0.0 && value.abs() < 1e-4) {
        return format!("{value:.1e}");
    }
    format!("{value:.*}", decimals(step))
}

/// The fewest decimals (up to 6) that write a multiple of `step` exactly.
fn decimals(step: f64) -> usize {
    (0..6)
        .find(|&d| {
            let scaled = step * 10f64.powi(d as i32);
            (scaled - scaled.round()).abs() < 1e-6 * scaled.abs().max(1.0)
        })
        .unwrap_or(6)
}

/// 1, 2, 5, 10, 20, 50, ...
fn nice_steps() -> impl Iterator<Item = f64> {
    (0..19).flat_map(|k| [1.0, 2.0, 5.0].map(|m| m * 10f64.powi(k)))
}
