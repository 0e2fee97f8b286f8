//! What each cell says ("+1.23 ±0.05", "diverged 2/3", "…") and the largest font at which
//! every cell's label fits its cell.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::super::style::{drawing, Pen};
use super::super::ChartError;
use super::geometry::*;
use super::{HeatCell, HeatMap};

/// A delta in percentage points, two decimals, with a sign: "+1.23", "−0.40", "0.00".
pub(super) fn points(delta: f64) -> String {
    let magnitude = format!("{:.2}", (delta * 100.0).abs());
    if magnitude.bytes().all(|b| b == b'0' || b == b'.') {
        magnitude
    } else if delta > 0.0 {
        format!("+{magnitude}")
    } else {
        format!("−{magnitude}")
    }
}

/// What a cell says, in one or two lines.
pub(super) struct CellText {
    pub(super) lines: Vec<(String, TextStyle<'static>)>,
    /// Drawn on a plate of the background colour (over hatching).
    pub(super) plate: bool,
}

/// The font sizes of all value cells' labels: the largest size at which every value and
/// its ± std fit their cells, else the largest at which the values alone fit, else none.
pub(super) struct LabelPlan {
    pub(super) value_size: Option<f64>,
    pub(super) with_std: bool,
    /// Diverged cells: "diverged" over "2/3", else "diverged 2/3" on one line.
    pub(super) diverged: Option<(f64, bool)>,
    pub(super) pending_size: Option<f64>,
}

pub(super) fn plan_labels<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    map: &HeatMap,
    geometry: &Geometry,
    pen: &Pen,
) -> Result<LabelPlan, ChartError> {
    // Every cell's slot has the same size give or take a rounding pixel: plan for the
    // smallest.
    let smallest = |edges: &[i32]| edges.windows(2).map(|e| e[1] - e[0]).min().unwrap_or(0);
    let padding = geometry.gap + 2 * pen.px(CELL_PADDING);
    let room = (
        smallest(&geometry.xs) - padding,
        smallest(&geometry.ys) - padding,
    );
    let fits = |lines: &[(&str, TextStyle)]| -> Result<bool, ChartError> {
        let (mut width, mut height) = (0, 0);
        for (text, font) in lines {
            let (w, h) = root.estimate_text_size(text, font).map_err(drawing)?;
            width = width.max(w as i32);
            height += h as i32;
        }
        Ok(width <= room.0 && height <= room.1)
    };

    let values: Vec<(String, Option<String>)> = map
        .cells
        .iter()
        .filter_map(|cell| match cell {
            HeatCell::Value { delta, std, .. } => {
                Some((points(*delta), std.map(|s| format!("±{:.2}", s * 100.0))))
            }
            _ => None,
        })
        .collect();
    let values_fit = |size: f64, with_std: bool| -> Result<bool, ChartError> {
        let (value_font, std_font) = value_fonts(pen, size, pen.palette.text);
        for (value, std) in &values {
            let mut lines = vec![(value.as_str(), value_font.clone())];
            if let (true, Some(std)) = (with_std, std) {
                lines.push((std.as_str(), std_font.clone()));
            }
            if !fits(&lines)? {
                return Ok(false);
            }
        }
        Ok(true)
    };
    let mut plan = LabelPlan {
        value_size: None,
        with_std: false,
        diverged: None,
        pending_size: None,
    };
    'search: for with_std in [true, false] {
        for size in CELL_FONTS {
            if values_fit(size, with_std)? {
                plan.value_size = Some(size);
                plan.with_std = with_std;
                break 'search;
            }
        }
    }

    let state_sizes = CELL_FONTS.into_iter().filter(|&s| s <= STATE_FONT_MAX);
    let diverged: Vec<[String; 2]> = (0..map.cells.len())
        .filter(|&index| matches!(map.cells[index], HeatCell::Diverged { .. }))
        .map(|index| diverged_lines(map, index))
        .collect();
    'diverged: for size in state_sizes.clone() {
        let font = pen.font(size, pen.palette.text);
        for two_lines in [true, false] {
            let mut all = true;
            for [word, count] in &diverged {
                let joined = format!("{word} {count}");
                let lines = if two_lines {
                    vec![
                        (word.as_str(), font.clone()),
                        (count.as_str(), font.clone()),
                    ]
                } else {
                    vec![(joined.as_str(), font.clone())]
                };
                if !fits(&lines)? {
                    all = false;
                    break;
                }
            }
            if all {
                plan.diverged = Some((size, two_lines));
                break 'diverged;
            }
        }
    }
    for size in state_sizes {
        if fits(&[("…", pen.bold_font(size, pen.palette.text))])? {
            plan.pending_size = Some(size);
            break;
        }
    }
    Ok(plan)
}

/// The value's bold font and the std's smaller regular one.
pub(super) fn value_fonts(
    pen: &Pen,
    size: f64,
    ink: RGBColor,
) -> (TextStyle<'static>, TextStyle<'static>) {
    (
        pen.bold_font(size, ink),
        pen.font((size * 0.8).max(9.0), ink),
    )
}

/// "diverged" and "2/3".
pub(super) fn diverged_lines(map: &HeatMap, index: usize) -> [String; 2] {
    match map.cells[index] {
        HeatCell::Diverged { diverged, runs } => {
            ["diverged".to_string(), format!("{diverged}/{runs}")]
        }
        _ => unreachable!("only called for diverged cells"),
    }
}
