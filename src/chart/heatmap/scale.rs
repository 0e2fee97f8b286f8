//! The colour scale: ColorBrewer's RdBu from −limit (red) to +limit (blue), a round
//! limit, the colour bar's ticks, and text that stays legible on every colour.

use plotters::prelude::*;

use super::super::axes::{format_tick, Ticks};
use super::{HeatCell, HeatMap};

/// The smallest colour-scale limit, in accuracy units (0.1 points), so an all-zero map
/// still has a scale.
pub(super) const MIN_LIMIT: f64 = 0.001;

/// The colour scale's limit in accuracy units: the largest |delta| of the map rounded up
/// to a round number of points (1, 1.5, 2, 3, 4, 5, 6, 8 × 10^k), at least 0.001.
/// The scale runs from −limit to +limit, so it is symmetric about 0.
pub fn heat_limit(map: &HeatMap) -> f64 {
    let largest = map
        .cells
        .iter()
        .filter_map(|cell| match cell {
            HeatCell::Value { delta, .. } if delta.is_finite() => Some(delta.abs()),
            _ => None,
        })
        .fold(0.0, f64::max);
    let points = (largest * 100.0).max(MIN_LIMIT * 100.0);
    let magnitude = 10f64.powf(points.log10().floor());
    let round = [1.0, 1.5, 2.0, 3.0, 4.0, 5.0, 6.0, 8.0, 10.0]
        .into_iter()
        .map(|m| m * magnitude)
        .find(|&step| step >= points * (1.0 - 1e-9))
        .unwrap_or(10.0 * magnitude);
    round / 100.0
}

/// ColorBrewer RdBu, 11 classes, from −1 (worse: dark red) through 0 (near-white) to
/// +1 (better: dark blue).
pub(super) const RDBU: [(u8, u8, u8); 11] = [
    (103, 0, 31),
    (178, 24, 43),
    (214, 96, 77),
    (244, 165, 130),
    (253, 219, 199),
    (247, 247, 247),
    (209, 229, 240),
    (146, 197, 222),
    (67, 147, 195),
    (33, 102, 172),
    (5, 48, 97),
];

/// The colour of `delta` on the scale from −`limit` to +`limit` (values beyond are
/// clamped): red below 0, near-white (247, 247, 247) at 0, blue above.
pub fn heat_colour(delta: f64, limit: f64) -> RGBColor {
    let t = if limit > 0.0 && delta.is_finite() {
        (delta / limit).clamp(-1.0, 1.0)
    } else {
        0.0
    };
    let position = (t + 1.0) * 5.0;
    let k = (position.floor() as usize).min(9);
    let f = position - k as f64;
    let mix = |a: u8, b: u8| (f64::from(a) + (f64::from(b) - f64::from(a)) * f).round() as u8;
    let (a, b) = (RDBU[k], RDBU[k + 1]);
    RGBColor(mix(a.0, b.0), mix(a.1, b.1), mix(a.2, b.2))
}

/// At most `max_count` colour bar ticks (and at least 3) from −`points` to +`points`, 0 and
/// both ends included, spaced by a round step: the largest k ≤ 5 that divides the limit
/// into round steps (1, 1.5, 2, 2.5, 3, 4, 5 × 10^n) and leaves room.
pub(super) fn bar_ticks(points: f64, max_count: usize) -> Ticks {
    let round = |step: f64| {
        let magnitude = 10f64.powf(step.log10().floor());
        let m = step / magnitude;
        [1.0, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 10.0]
            .iter()
            .any(|&r| (m - r).abs() < 1e-6)
    };
    let most = (max_count.saturating_sub(1) / 2).clamp(1, 5);
    let k = (1..=most)
        .rev()
        .find(|&k| round(points / k as f64))
        .unwrap_or(1);
    let step = points / k as f64;
    let k = k as i64;
    Ticks {
        values: (-k..=k).map(|i| i as f64 * step).collect(),
        step,
    }
}

/// Dark or white text, whichever contrasts more with `fill` (WCAG contrast ratio).
pub(super) fn ink_on(fill: RGBColor) -> RGBColor {
    const DARK: RGBColor = RGBColor(20, 20, 20);
    const LIGHT: RGBColor = RGBColor(255, 255, 255);
    let contrast = |a: RGBColor, b: RGBColor| {
        let (la, lb) = (luminance(a), luminance(b));
        (la.max(lb) + 0.05) / (la.min(lb) + 0.05)
    };
    if contrast(fill, DARK) >= contrast(fill, LIGHT) {
        DARK
    } else {
        LIGHT
    }
}

pub(super) fn luminance(RGBColor(r, g, b): RGBColor) -> f64 {
    let linear = |c: u8| {
        let c = f64::from(c) / 255.0;
        if c <= 0.04045 {
            c / 12.92
        } else {
            ((c + 0.055) / 1.055).powf(2.4)
        }
    };
    0.2126 * linear(r) + 0.7152 * linear(g) + 0.0722 * linear(b)
}

/// A colour bar tick: "+1.5", "0", "−1.5".
pub(super) fn signed_tick(value: f64, step: f64) -> String {
    if value.abs() < step * 1e-9 {
        return "0".to_string();
    }
    let text = format_tick(value, step);
    match text.strip_prefix('-') {
        Some(magnitude) => format!("−{magnitude}"),
        None => format!("+{text}"),
    }
}
