//! A sweep's axes as a user types them: N1, N2 and the learning rate take lists, ranges
//! with a step, and log-spaced ranges with a factor; and the hint that says how.

use serde::Serialize;

use crate::config::{check_value, parse_field, FieldSpec};

/// Values one axis may take: a 12 × 12 grid is already 144 cells.
pub const MAX_AXIS_VALUES: usize = 12;

/// Significant digits a log-spaced value keeps: 0.0316, not 0.031622776.
const LOG_DIGITS: i32 = 3;

/// A field a sweep takes as an axis, and how to write one (the page's hint in sweep mode,
/// the command line's help).
#[derive(Debug, Serialize)]
pub struct AxisSpec {
    pub key: &'static str,
    pub help: &'static str,
}

/// The sweep's axes, in the page's order.
pub const AXES: [AxisSpec; 3] = [
    AxisSpec {
        key: "n1",
        help: EXPONENT_HELP,
    },
    AxisSpec {
        key: "n2",
        help: EXPONENT_HELP,
    },
    AxisSpec {
        key: "lr",
        help: "In a sweep: a list (0.01, 0.1), a range start:stop:step (0.05:0.2:0.05) or a \
               log-spaced range start:stop:×factor (0.01:1:×10^(1/2) gives 0.01, 0.0316, 0.1, \
               0.316, 1; x or * for ×; values kept to 3 significant digits). Each rate has its \
               own Normal baseline.",
    },
];

const EXPONENT_HELP: &str =
    "In a sweep: a list (0.8, 0.9, 1.0) or a range start:stop:step (0.5:1.5:0.25).";

/// Parses an axis: numbers, `start:stop:step` ranges (stop included) and `start:stop:×f`
/// log-spaced ranges (start, start·f, start·f², … up to stop; `x` or `*` for `×`, `f` a
/// number or a power such as `10^(1/2)`), separated by commas or spaces, e.g.
/// `0.8, 0.9, 1.0`, `0.5:1.5:0.25` or `0.003:0.3:×10^(1/2)`. Every value must pass the
/// field's limits; at most [`MAX_AXIS_VALUES`]. Returns the values ascending, without
/// repeats.
pub fn parse_axis(spec: &FieldSpec, text: &str) -> Result<Vec<f32>, String> {
    let items: Vec<&str> = text
        .split(|c: char| c == ',' || c == ';' || c.is_whitespace())
        .filter(|item| !item.is_empty())
        .collect();
    if items.is_empty() {
        return Err(format!(
            "{} is empty; enter values like 0.8, 0.9 or a range like 0.5:1.5:0.25.",
            spec.label
        ));
    }
    let mut values = Vec::new();
    for item in items {
        if item.contains(':') {
            values.extend(parse_range(spec, item)?);
        } else {
            values.push(parse_field(spec, item)?);
        }
        if values.len() > MAX_AXIS_VALUES {
            return Err(too_many(spec, "a coarser step"));
        }
    }
    let mut values: Vec<f32> = values.into_iter().map(|v| v as f32).collect();
    values.sort_by(f32::total_cmp);
    values.dedup();
    Ok(values)
}

/// `start:stop:step` or `start:stop:×factor`, stop included when the steps land on it (to
/// rounding).
fn parse_range(spec: &FieldSpec, item: &str) -> Result<Vec<f64>, String> {
    let parts: Vec<&str> = item.split(':').collect();
    let [start, stop, step] = parts[..] else {
        return Err(format!(
            "“{item}” is not a range; write start:stop:step, e.g. 0.5:1.5:0.25."
        ));
    };
    let (start, stop) = (parse_field(spec, start)?, parse_field(spec, stop)?);
    if stop < start {
        return Err(format!("In “{item}” the stop is below the start."));
    }
    let values = match step.trim().strip_prefix(['×', 'x', 'X', '*']) {
        Some(factor) => log_spaced(spec, item, start, stop, factor)?,
        None => evenly_spaced(spec, item, start, stop, step)?,
    };
    // Rounding may carry a value past a limit the start and stop kept.
    for &value in &values {
        check_value(spec, value)?;
    }
    Ok(values)
}

fn evenly_spaced(
    spec: &FieldSpec,
    item: &str,
    start: f64,
    stop: f64,
    step: &str,
) -> Result<Vec<f64>, String> {
    let step: f64 = step
        .trim()
        .parse()
        .map_err(|_| format!("The step in “{item}” is not a number."))?;
    if !(step.is_finite() && step > 0.0) {
        return Err(format!("The step in “{item}” must be above 0."));
    }
    // Counting steps (not adding them up) keeps 0.1-sized steps from drifting; the small
    // tolerance keeps a stop that rounding puts a hair past the last step.
    let steps = ((stop - start) / step + 1e-9).floor();
    if steps >= MAX_AXIS_VALUES as f64 {
        return Err(too_many(spec, "a coarser step"));
    }
    Ok((0..=steps as usize)
        .map(|k| round_decimal(start + k as f64 * step))
        .collect())
}

/// start · factor^k for k = 0, 1, … while it stays within stop (to rounding), each kept to
/// [`LOG_DIGITS`] significant digits.
fn log_spaced(
    spec: &FieldSpec,
    item: &str,
    start: f64,
    stop: f64,
    factor: &str,
) -> Result<Vec<f64>, String> {
    let factor = parse_factor(factor).ok_or_else(|| {
        format!("The factor in “{item}” is not a number or a power such as 10^(1/2).")
    })?;
    if !(factor.is_finite() && factor > 1.0) {
        return Err(format!("The factor in “{item}” must be above 1."));
    }
    let steps = ((stop / start).ln() / factor.ln() + 1e-9).floor();
    if steps >= MAX_AXIS_VALUES as f64 {
        return Err(too_many(spec, "a larger factor"));
    }
    Ok((0..=steps as i32)
        .map(|k| round_significant(start * factor.powi(k)))
        .collect())
}

/// `3`, `1.5`, `10^0.5`, `10^(1/2)` or `10^1/2`.
fn parse_factor(text: &str) -> Option<f64> {
    let number = |t: &str| t.trim().parse::<f64>().ok();
    let Some((base, exponent)) = text.split_once('^') else {
        return number(text);
    };
    let exponent = exponent.trim();
    let exponent = exponent
        .strip_prefix('(')
        .and_then(|e| e.strip_suffix(')'))
        .unwrap_or(exponent);
    let exponent = match exponent.split_once('/') {
        Some((over, under)) => number(over)? / number(under)?,
        None => number(exponent)?,
    };
    Some(number(base)?.powf(exponent))
}

/// Drops the binary noise of `start + k · step` (0.30000000000000004 → 0.3).
fn round_decimal(value: f64) -> f64 {
    (value * 1e9).round() / 1e9
}

/// `value` to [`LOG_DIGITS`] significant digits (0.031622776 → 0.0316), dividing by an
/// exact power of ten so the result is the nearest double to the decimal.
fn round_significant(value: f64) -> f64 {
    let shift = LOG_DIGITS - 1 - value.log10().floor() as i32;
    let scale = 10f64.powi(shift.abs());
    if shift >= 0 {
        (value * scale).round() / scale
    } else {
        (value / scale).round() * scale
    }
}

/// "N1 has more than 12 values; use a coarser step."
fn too_many(spec: &FieldSpec, remedy: &str) -> String {
    format!(
        "{} has more than {MAX_AXIS_VALUES} values; use {remedy}.",
        spec.label
    )
}
