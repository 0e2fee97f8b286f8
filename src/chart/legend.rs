//! The legend strip under the title: which colour is which method, which line is training
//! and which validation, and which run diverged. It sits above the panels, so it never
//! covers data, and wraps onto more rows when the figure is narrow.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::style::{drawing, Palette, Pen};
use super::{ChartError, History, Metric};

/// The solid lines; the gradient norm is measured on training batches.
const TRAINING: [Metric; 3] = [Metric::Accuracy, Metric::Loss, Metric::GradNorm];
const VALIDATION: [Metric; 2] = [Metric::ValAccuracy, Metric::ValLoss];

/// Design sizes.
const FONT: f64 = 13.0;
const SWATCH: f64 = 30.0;
const SWATCH_GAP: f64 = 7.0;
const ENTRY_GAP: f64 = 26.0;
const ROW: f64 = 22.0;

pub(super) struct Entry {
    label: String,
    swatch: Swatch,
    color: RGBColor,
    /// False when all the entry's series are hidden: drawn greyed rather than dropped, so
    /// the legend does not jump about as series are toggled.
    shown: bool,
}

enum Swatch {
    Solid,
    Dashed,
    Cross,
}

/// Per run: its training line, its validation line, then its divergence if any.
pub(super) fn entries(history: &History, palette: &Palette) -> Vec<Entry> {
    let mut entries = Vec::new();
    for run in &history.runs {
        let name = run.method.label();
        let color = palette.method(run.method);
        let shown = |metrics: &[Metric]| {
            metrics
                .iter()
                .any(|&metric| history.is_visible(run.method, metric))
        };
        entries.push(Entry {
            label: format!("{name} training"),
            swatch: Swatch::Solid,
            color,
            shown: shown(&TRAINING),
        });
        entries.push(Entry {
            label: format!("{name} validation"),
            swatch: Swatch::Dashed,
            color,
            shown: shown(&VALIDATION),
        });
        if let Some(epoch) = run.diverged_epoch() {
            entries.push(Entry {
                label: format!("{name} diverged in epoch {epoch}"),
                swatch: Swatch::Cross,
                color,
                shown: shown(&TRAINING) || shown(&VALIDATION),
            });
        }
    }
    entries
}

/// The strip's height in device pixels for this figure width.
pub(super) fn height<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    entries: &[Entry],
    pen: &Pen,
) -> Result<i32, ChartError> {
    let widths = entry_widths(area, entries, pen)?;
    let rows = rows(&widths, area.dim_in_pixel().0 as i32).len().max(1);
    Ok(rows as i32 * pen.px(ROW) + pen.px(6.0))
}

pub(super) fn draw<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    entries: &[Entry],
    pen: &Pen,
) -> Result<(), ChartError> {
    let widths = entry_widths(area, entries, pen)?;
    let area_width = area.dim_in_pixel().0 as i32;
    for (row, members) in rows(&widths, area_width).iter().enumerate() {
        let row_width = members.iter().map(|&i| widths[i]).sum::<i32>() - pen.px(ENTRY_GAP);
        let mut x = (area_width - row_width) / 2;
        let y = row as i32 * pen.px(ROW) + pen.px(ROW) / 2;
        for &i in members {
            draw_entry(area, &entries[i], (x, y), pen)?;
            x += widths[i];
        }
    }
    Ok(())
}

/// Each entry's width in device pixels, the gap to the next one included.
fn entry_widths<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    entries: &[Entry],
    pen: &Pen,
) -> Result<Vec<i32>, ChartError> {
    let font = pen.font(FONT, pen.palette.text);
    let fixed = pen.px(SWATCH) + pen.px(SWATCH_GAP) + pen.px(ENTRY_GAP);
    entries
        .iter()
        .map(|entry| {
            let (text, _) = area
                .estimate_text_size(&entry.label, &font)
                .map_err(drawing)?;
            Ok(text as i32 + fixed)
        })
        .collect()
}

/// Greedy line breaking: entry indices per row, each row at most `available` wide
/// (an entry wider than that gets a row of its own).
fn rows(widths: &[i32], available: i32) -> Vec<Vec<usize>> {
    let mut rows: Vec<Vec<usize>> = Vec::new();
    let mut used = 0;
    for (i, &width) in widths.iter().enumerate() {
        match rows.last_mut() {
            Some(row) if used + width <= available => {
                row.push(i);
                used += width;
            }
            _ => {
                rows.push(vec![i]);
                used = width;
            }
        }
    }
    rows
}

fn draw_entry<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    entry: &Entry,
    (x, y): (i32, i32),
    pen: &Pen,
) -> Result<(), ChartError> {
    let (color, text_color) = if entry.shown {
        (entry.color, pen.palette.text)
    } else {
        (pen.palette.muted, pen.palette.muted)
    };
    let swatch_end = x + pen.px(SWATCH);
    let middle = (x + swatch_end) / 2;
    let line = pen.line(color, 2.0);
    match entry.swatch {
        Swatch::Solid => {
            area.draw(&PathElement::new(vec![(x, y), (swatch_end, y)], line))
                .map_err(drawing)?;
            area.draw(&Circle::new((middle, y), pen.px(3.0), color.filled()))
                .map_err(drawing)?;
        }
        Swatch::Dashed => {
            let (dash, gap) = (pen.px(7.0), pen.px(4.0));
            for start in (x..swatch_end).step_by((dash + gap) as usize) {
                let end = (start + dash).min(swatch_end);
                area.draw(&PathElement::new(vec![(start, y), (end, y)], line))
                    .map_err(drawing)?;
            }
            let hollow = ShapeStyle {
                color: color.to_rgba(),
                filled: false,
                stroke_width: pen.px(1.5) as u32,
            };
            area.draw(&Circle::new((middle, y), pen.px(3.0), hollow))
                .map_err(drawing)?;
        }
        Swatch::Cross => {
            let cross = pen.line(color, 2.5);
            area.draw(&Cross::new((middle, y), pen.px(7.0), cross))
                .map_err(drawing)?;
        }
    }
    let text = pen
        .font(FONT, text_color)
        .pos(Pos::new(HPos::Left, VPos::Center));
    let text_x = swatch_end + pen.px(SWATCH_GAP);
    area.draw(&Text::new(entry.label.as_str(), (text_x, y), text))
        .map_err(drawing)
}
