//! The sweep heat map: AYLA's final validation accuracy minus Normal's (same seed) over a
//! grid of (N1, N2) values, on a diverging colour scale centred on 0, drawn on any plotters
//! backend; and where each cell landed, so the page can map a click to a cell.
//!
//! The colours are ColorBrewer's RdBu (colour-blind safe): red where AYLA did worse than
//! Normal, near-white at no difference, blue where it did better. The same scale is used in
//! both themes, so a colour means the same everywhere; only the frame (text, axes,
//! background) follows the theme.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use plotters::style::FontTransform;
use serde::{Deserialize, Serialize};

use super::axes::{format_tick, Ticks};
use super::figure::{drawing, exponent, scale_for, widest, Pen};
use super::{ChartError, Theme};

/// The exported PNG's size in device pixels: the design size at 1.5×.
pub const HEATMAP_EXPORT_WIDTH: u32 = 1200;
pub const HEATMAP_EXPORT_HEIGHT: u32 = 900;

/// The CSS size the fonts and strokes are designed for; exports scale up from it.
const DESIGN_WIDTH: f64 = 800.0;
const DESIGN_HEIGHT: f64 = 600.0;

/// The colour bar's caption.
pub const HEAT_CAPTION: &str = "val acc − Normal (points)";

/// The smallest colour-scale limit, in accuracy units (0.1 points), so an all-zero map
/// still has a scale.
const MIN_LIMIT: f64 = 0.001;

/// The sweep's results as the page hands them over (JSON):
/// `{ "title": "…", "n1": [0.5, 1.0], "n2": [1.0, 2.0], "cells": [HeatCell…],
///    "selected": [1, 0] }` (`selected` may be null or left out).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HeatMap {
    /// E.g. "Final val accuracy − Normal (3 seeds, 3 epochs)".
    pub title: String,
    /// The x axis, ascending.
    pub n1: Vec<f32>,
    /// The y axis, ascending; the lowest is drawn at the bottom.
    pub n2: Vec<f32>,
    /// Row-major: `cells[j * n1.len() + i]` is the cell of (`n1[i]`, `n2[j]`).
    pub cells: Vec<HeatCell>,
    /// (i, j) of the cell shown in the comparison figure: drawn with a thick outline.
    #[serde(default)]
    pub selected: Option<(usize, usize)>,
}

/// One (N1, N2) pair's result over its seeds, in JSON:
/// `{ "state": "Pending" }`,
/// `{ "state": "Value", "delta": 0.0123, "std": 0.004, "runs": 3 }` (`std` may be null or
/// left out), `{ "state": "Diverged", "diverged": 2, "runs": 3 }`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "state")]
pub enum HeatCell {
    /// Not finished yet: grey, with "…".
    Pending,
    /// Mean final validation accuracy of AYLA minus Normal's, in accuracy units (0.0123 is
    /// +1.23 percentage points), and its standard deviation over the runs.
    Value {
        delta: f64,
        #[serde(default)]
        std: Option<f64>,
        runs: usize,
    },
    /// `diverged` of the `runs` AYLA runs diverged: hatched, "diverged 2/3".
    Diverged { diverged: usize, runs: usize },
}

impl HeatMap {
    /// Reads and checks the page's JSON.
    pub fn parse(json: &str) -> Result<HeatMap, ChartError> {
        let map: HeatMap = serde_json::from_str(json).map_err(ChartError::HeatMapJson)?;
        map.validate()?;
        Ok(map)
    }

    /// Axes present, finite and ascending, one cell per pair, finite values, the selected
    /// cell inside the grid.
    pub fn validate(&self) -> Result<(), ChartError> {
        for (axis, values) in [("N1", &self.n1), ("N2", &self.n2)] {
            if values.is_empty() {
                return Err(ChartError::EmptyHeatAxis(axis));
            }
            for (index, value) in values.iter().enumerate() {
                if !value.is_finite() {
                    return Err(ChartError::HeatNotFinite(format!(
                        "{axis} value {}",
                        index + 1
                    )));
                }
            }
            for index in 1..values.len() {
                let (previous, value) = (values[index - 1], values[index]);
                if value <= previous {
                    return Err(ChartError::HeatAxisOrder {
                        axis,
                        index,
                        value,
                        previous,
                    });
                }
            }
        }
        let (n1, n2) = (self.n1.len(), self.n2.len());
        if self.cells.len() != n1 * n2 {
            return Err(ChartError::HeatCellCount {
                n1,
                n2,
                cells: self.cells.len(),
            });
        }
        for (index, cell) in self.cells.iter().enumerate() {
            if let HeatCell::Value { delta, std, .. } = cell {
                let (i, j) = (index % n1, index / n1);
                let place = || {
                    format!(
                        "cell at N1={}, N2={}",
                        exponent(f64::from(self.n1[i])),
                        exponent(f64::from(self.n2[j]))
                    )
                };
                if !delta.is_finite() {
                    return Err(ChartError::HeatNotFinite(format!(
                        "delta of the {}",
                        place()
                    )));
                }
                if std.is_some_and(|std| !std.is_finite()) {
                    return Err(ChartError::HeatNotFinite(format!("std of the {}", place())));
                }
            }
        }
        if let Some((i, j)) = self.selected {
            if i >= n1 || j >= n2 {
                return Err(ChartError::HeatSelection { i, j, n1, n2 });
            }
        }
        Ok(())
    }

    /// The cell of (`n1[i]`, `n2[j]`).
    pub fn cell(&self, i: usize, j: usize) -> &HeatCell {
        &self.cells[j * self.n1.len() + i]
    }
}

/// Where the heat map landed, in the units `scale` was given for (CSS pixels on the page),
/// relative to the canvas's top-left corner: `{ width, height, limit, cells: [CellBox…] }`,
/// cells in the order of `HeatMap::cells`. `limit` is the colour scale's end, in accuracy
/// units: −limit is the reddest, +limit the bluest.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HeatLayout {
    pub width: f64,
    pub height: f64,
    pub limit: f64,
    pub cells: Vec<CellBox>,
}

/// One cell's box: `{ i, j, left, top, width, height }`. Boxes of neighbours touch
/// (`left + width` of one is `left` of the next) and never overlap.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CellBox {
    pub i: usize,
    pub j: usize,
    pub left: f64,
    pub top: f64,
    pub width: f64,
    pub height: f64,
}

/// How many device pixels per design pixel an export of this size gets; an error for
/// sizes a canvas cannot have.
pub fn heatmap_export_scale(width: u32, height: u32) -> Result<f64, ChartError> {
    scale_for((width, height), (DESIGN_WIDTH, DESIGN_HEIGHT))
}

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
const RDBU: [(u8, u8, u8); 11] = [
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
fn bar_ticks(points: f64, max_count: usize) -> Ticks {
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

/// A delta in percentage points, two decimals, with a sign: "+1.23", "−0.40", "0.00".
fn points(delta: f64) -> String {
    let magnitude = format!("{:.2}", (delta * 100.0).abs());
    if magnitude.bytes().all(|b| b == b'0' || b == b'.') {
        magnitude
    } else if delta > 0.0 {
        format!("+{magnitude}")
    } else {
        format!("−{magnitude}")
    }
}

/// A colour bar tick: "+1.5", "0", "−1.5".
fn signed_tick(value: f64, step: f64) -> String {
    if value.abs() < step * 1e-9 {
        return "0".to_string();
    }
    let text = format_tick(value, step);
    match text.strip_prefix('-') {
        Some(magnitude) => format!("−{magnitude}"),
        None => format!("+{text}"),
    }
}

/// Dark or white text, whichever contrasts more with `fill` (WCAG contrast ratio).
fn ink_on(fill: RGBColor) -> RGBColor {
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

fn luminance(RGBColor(r, g, b): RGBColor) -> f64 {
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

// ---------------------------------------------------------------------------------------
// Design sizes (CSS pixels at scale 1)

const MARGIN: f64 = 10.0;
const TITLE_BAND: f64 = 36.0;
const TITLE_FONT: f64 = 16.0;
const TICK_FONT: f64 = 12.0;
const AXIS_FONT: f64 = 13.0;
const CAPTION_FONT: f64 = 12.0;
const KEY_FONT: f64 = 12.0;
/// Between the grid and its tick labels.
const TICK_GAP: f64 = 6.0;
/// Between the tick labels and "N1" / "N2".
const AXIS_GAP: f64 = 8.0;
const BAR_GAP: f64 = 20.0;
const BAR_WIDTH: f64 = 16.0;
const BAR_TICK: f64 = 4.0;
/// The colour bar's tick labels are at least this far apart.
const BAR_TICK_SPACING: f64 = 24.0;
const KEY_ROW: f64 = 22.0;
const KEY_SWATCH: f64 = 14.0;
/// Keys for pending and diverged cells under the colour bar.
const KEY_ROWS: usize = 2;
/// A cell is at most this many times as wide as it is tall, or as tall as it is wide.
const MAX_ASPECT: f64 = 2.0;
/// Label font sizes in cells, largest first; the largest that fits every cell is used.
const CELL_FONTS: [f64; 6] = [20.0, 17.0, 15.0, 13.0, 11.5, 10.0];
/// Diverged and pending cells' text stays modest.
const STATE_FONT_MAX: f64 = 15.0;
const CELL_PADDING: f64 = 6.0;
const SELECTED_RING: f64 = 3.0;
const SELECTED_INNER: f64 = 1.5;
const SELECTED_OUTER: RGBColor = RGBColor(20, 20, 20);
const SELECTED_INNER_COLOUR: RGBColor = RGBColor(255, 255, 255);
/// No cell grows beyond this (a 1×1 map is not one huge block).
const MAX_CELL: f64 = 240.0;
const HATCH_SPACING: f64 = 7.0;

/// Draws the heat map of `map` in `theme`. `scale` is device pixels per CSS pixel (the
/// page's devicePixelRatio, or `heatmap_export_scale`); fonts and strokes grow with it.
pub fn draw_heatmap<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    map: &HeatMap,
    theme: Theme,
    scale: f64,
) -> Result<HeatLayout, ChartError> {
    map.validate()?;
    let pen = Pen {
        palette: theme.palette(),
        scale,
    };
    root.fill(&pen.palette.background).map_err(drawing)?;
    let limit = heat_limit(map);
    let geometry = Geometry::new(root, map, limit, &pen)?;

    draw_title(root, &map.title, &pen)?;
    draw_cells(root, map, limit, &geometry, &pen)?;
    draw_axes(root, map, &geometry, &pen)?;
    draw_colour_bar(root, map, limit, &geometry, &pen)?;
    root.present().map_err(drawing)?;

    let css = |device: i32| f64::from(device) / scale;
    let n1 = map.n1.len();
    let cells = (0..map.cells.len())
        .map(|index| {
            let (i, j) = (index % n1, index / n1);
            let (x0, y0, x1, y1) = geometry.slot(i, j);
            CellBox {
                i,
                j,
                left: css(x0),
                top: css(y0),
                width: css(x1 - x0),
                height: css(y1 - y0),
            }
        })
        .collect();
    let (width, height) = root.dim_in_pixel();
    Ok(HeatLayout {
        width: f64::from(width) / scale,
        height: f64::from(height) / scale,
        limit,
        cells,
    })
}

/// Where everything goes, in device pixels.
struct Geometry {
    /// Cell edges: `xs[i]..xs[i + 1]` is column i; `ys[r]..ys[r + 1]` is row r from the
    /// top, which holds n2[n2.len() - 1 - r].
    xs: Vec<i32>,
    ys: Vec<i32>,
    /// Background-coloured space at the right and bottom of each cell.
    gap: i32,
    /// Widest y tick label.
    y_label_width: i32,
    x_label_height: i32,
    /// Colour bar.
    bar_left: i32,
    bar_top: i32,
    bar_height: i32,
    bar_ticks: Vec<f64>,
    bar_step: f64,
    bar_label_width: i32,
    /// Room for the pending and diverged keys under the bar.
    keys: bool,
}

impl Geometry {
    fn new<DB: DrawingBackend>(
        root: &DrawingArea<DB, Shift>,
        map: &HeatMap,
        limit: f64,
        pen: &Pen,
    ) -> Result<Geometry, ChartError> {
        let (width, height) = root.dim_in_pixel();
        let (n1, n2) = (map.n1.len(), map.n2.len());
        let measure = |text: &str, font: &TextStyle| -> Result<(i32, i32), ChartError> {
            let (w, h) = root.estimate_text_size(text, font).map_err(drawing)?;
            Ok((w as i32, h as i32))
        };
        let tick_font = pen.font(TICK_FONT, pen.palette.text);
        let axis_font = pen.bold_font(AXIS_FONT, pen.palette.text);

        // Left: "N2", then the y tick labels.
        let y_labels: Vec<String> = map.n2.iter().map(|&v| exponent(f64::from(v))).collect();
        let y_label_width = widest(root, &y_labels, &tick_font)?;
        let n2_width = measure("N2", &axis_font)?.0;
        let left_block = n2_width + pen.px(AXIS_GAP) + y_label_width + pen.px(TICK_GAP);

        // Bottom: the x tick labels, then "N1".
        let x_label_height = measure("0.5", &tick_font)?.1;
        let n1_height = measure("N1", &axis_font)?.1;
        let bottom_block =
            pen.px(TICK_GAP) + x_label_height + pen.px(AXIS_GAP) + n1_height + pen.px(2.0);

        // Top and room for the grid, before the right-hand column is known.
        let margin = pen.px(MARGIN);
        let grid_top_limit = pen.px(TITLE_BAND);
        let room_height = height as i32 - grid_top_limit - margin - bottom_block;

        // Right: the colour bar, its tick labels and caption, and the keys under it. The
        // ticks are chosen for the shortest bar there can be, so they never crowd.
        // The keys go when they would leave the bar too short.
        let keys_height = KEY_ROWS as i32 * pen.px(KEY_ROW) + pen.px(8.0);
        let keys = room_height.min(pen.px(240.0)) - keys_height >= pen.px(100.0);
        let keys_height = if keys { keys_height } else { 0 };
        let shortest_bar = room_height.min(pen.px(240.0)) - keys_height;
        let max_ticks = (shortest_bar / pen.px(BAR_TICK_SPACING)).max(3) as usize;
        let ticks = bar_ticks(limit * 100.0, max_ticks);
        let bar_labels: Vec<String> = ticks
            .values
            .iter()
            .map(|&v| signed_tick(v, ticks.step))
            .collect();
        let bar_label_width = widest(root, &bar_labels, &tick_font)?;
        let caption_height = measure(HEAT_CAPTION, &pen.font(CAPTION_FONT, pen.palette.text))?.1;
        let bar_column = pen.px(BAR_WIDTH)
            + pen.px(BAR_TICK)
            + pen.px(3.0)
            + bar_label_width
            + pen.px(10.0)
            + caption_height;
        let key_font = pen.font(KEY_FONT, pen.palette.text);
        let key_width = pen.px(KEY_SWATCH)
            + pen.px(6.0)
            + measure("pending", &key_font)?
                .0
                .max(measure("diverged", &key_font)?.0);
        let right_block = pen.px(BAR_GAP) + bar_column.max(key_width);

        let room_width = width as i32 - 2 * margin - left_block - right_block;
        if room_width < n1 as i32 || room_height < n2 as i32 || shortest_bar < pen.px(30.0) {
            return Err(ChartError::HeatTooSmall {
                width,
                height,
                n1,
                n2,
            });
        }

        // Cells fill the room, but are never more than MAX_ASPECT times as long as wide.
        let mut cell_width = f64::from(room_width) / n1 as f64;
        let mut cell_height = f64::from(room_height) / n2 as f64;
        let largest = f64::from(pen.px(MAX_CELL));
        cell_width = cell_width.min(cell_height * MAX_ASPECT).min(largest);
        cell_height = cell_height.min(largest);
        cell_height = cell_height.min(cell_width * MAX_ASPECT);
        let grid_width = cell_width * n1 as f64;
        let grid_height = cell_height * n2 as f64;

        // Centre the whole (labels, grid, colour bar) horizontally, and the grid with its
        // bottom labels vertically under the title.
        let content_width = f64::from(left_block + right_block) + grid_width;
        let grid_left = (f64::from(width as i32) - content_width) / 2.0 + f64::from(left_block);
        let spare_height = f64::from(room_height) - grid_height;
        let grid_top = f64::from(grid_top_limit) + spare_height / 2.0;
        let xs: Vec<i32> = (0..=n1)
            .map(|i| (grid_left + i as f64 * cell_width).round() as i32)
            .collect();
        let ys: Vec<i32> = (0..=n2)
            .map(|r| (grid_top + r as f64 * cell_height).round() as i32)
            .collect();
        let gap = if cell_width.min(cell_height) >= f64::from(pen.px(10.0)) {
            pen.px(1.0)
        } else {
            0
        };

        // The colour bar and its keys: as tall as the grid, or taller for a flat grid,
        // centred on it and inside the room.
        let grid_bottom = ys[n2];
        let block = (grid_bottom - ys[0]).max(room_height.min(pen.px(240.0)));
        let centre = (ys[0] + grid_bottom) / 2;
        let bar_top = (centre - block / 2)
            .max(grid_top_limit)
            .min(grid_top_limit + room_height - block);
        let bar_left = xs[n1] + pen.px(BAR_GAP);
        Ok(Geometry {
            xs,
            ys,
            gap,
            y_label_width,
            x_label_height,
            bar_left,
            bar_top,
            bar_height: block - keys_height,
            keys,
            bar_ticks: ticks.values,
            bar_step: ticks.step,
            bar_label_width,
        })
    }

    /// The slot of cell (i, j), gap included: (left, top, right, bottom), right and bottom
    /// exclusive. Row j = 0 is at the bottom.
    fn slot(&self, i: usize, j: usize) -> (i32, i32, i32, i32) {
        let row = self.ys.len() - 2 - j;
        (self.xs[i], self.ys[row], self.xs[i + 1], self.ys[row + 1])
    }

    /// The painted part of the cell: its slot without the gap.
    fn fill(&self, i: usize, j: usize) -> (i32, i32, i32, i32) {
        let (x0, y0, x1, y1) = self.slot(i, j);
        (
            x0,
            y0,
            (x1 - self.gap).max(x0 + 1),
            (y1 - self.gap).max(y0 + 1),
        )
    }

    fn grid_left(&self) -> i32 {
        self.xs[0]
    }

    fn grid_right(&self) -> i32 {
        self.xs[self.xs.len() - 1]
    }

    fn grid_top(&self) -> i32 {
        self.ys[0]
    }

    fn grid_bottom(&self) -> i32 {
        self.ys[self.ys.len() - 1]
    }
}

/// A filled rectangle covering x0..x1 × y0..y1 (right and bottom exclusive on a canvas).
fn fill_rect<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    (x0, y0, x1, y1): (i32, i32, i32, i32),
    colour: RGBColor,
) -> Result<(), ChartError> {
    area.draw(&Rectangle::new([(x0, y0), (x1, y1)], colour.filled()))
        .map_err(drawing)
}

/// A frame of thickness `t` just inside x0..x1 × y0..y1, drawn as four filled strips so
/// every backend paints the same pixels.
fn ring<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    (x0, y0, x1, y1): (i32, i32, i32, i32),
    t: i32,
    colour: RGBColor,
) -> Result<(), ChartError> {
    fill_rect(area, (x0, y0, x1, y0 + t), colour)?;
    fill_rect(area, (x0, y1 - t, x1, y1), colour)?;
    fill_rect(area, (x0, y0, x0 + t, y1), colour)?;
    fill_rect(area, (x1 - t, y0, x1, y1), colour)
}

/// "/" hatching over x0..x1 × y0..y1, lines clipped to the box.
fn hatch<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    (x0, y0, x1, y1): (i32, i32, i32, i32),
    pen: &Pen,
) -> Result<(), ChartError> {
    let style = pen.line(pen.palette.axis, 1.0);
    let spacing = pen.px(HATCH_SPACING) as usize;
    let (x1, y1) = (x1 - 1, y1 - 1);
    // Lines x + y = c through the box, from its top-left corner to its bottom-right.
    for c in (x0 + y0 + spacing as i32 / 2..x1 + y1).step_by(spacing) {
        let start_x = x0.max(c - y1);
        let end_x = x1.min(c - y0);
        if start_x < end_x {
            let path = vec![(start_x, c - start_x), (end_x, c - end_x)];
            area.draw(&PathElement::new(path, style)).map_err(drawing)?;
        }
    }
    Ok(())
}

fn centred(style: TextStyle<'static>) -> TextStyle<'static> {
    style.pos(Pos::new(HPos::Center, VPos::Center))
}

/// The title, centred, in the largest size up to TITLE_FONT that fits the width, else
/// cut short with "…".
fn draw_title<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    title: &str,
    pen: &Pen,
) -> Result<(), ChartError> {
    if title.is_empty() {
        return Ok(());
    }
    let (width, _) = root.dim_in_pixel();
    let room = width as i32 - 2 * pen.px(MARGIN);
    let fits = |text: &str, font: &TextStyle| -> Result<bool, ChartError> {
        let (w, _) = root.estimate_text_size(text, font).map_err(drawing)?;
        Ok(w as i32 <= room)
    };
    let sizes = [TITLE_FONT, 15.0, 14.0, 13.0, 12.0, 11.0];
    let mut font = pen.bold_font(sizes[sizes.len() - 1], pen.palette.text);
    for size in sizes {
        let candidate = pen.bold_font(size, pen.palette.text);
        if fits(title, &candidate)? {
            font = candidate;
            break;
        }
    }
    let mut text = title.to_string();
    let mut chars: Vec<char> = title.chars().collect();
    while !fits(&text, &font)? && !chars.is_empty() {
        chars.pop();
        text = format!("{}…", chars.iter().collect::<String>().trim_end());
    }
    let centre = (width as i32 / 2, pen.px(TITLE_BAND) / 2 + pen.px(2.0));
    root.draw(&Text::new(text, centre, centred(font)))
        .map_err(drawing)
}

/// What a cell says, in one or two lines.
struct CellText {
    lines: Vec<(String, TextStyle<'static>)>,
    /// Drawn on a plate of the background colour (over hatching).
    plate: bool,
}

/// The font sizes of all value cells' labels: the largest size at which every value and
/// its ± std fit their cells, else the largest at which the values alone fit, else none.
struct LabelPlan {
    value_size: Option<f64>,
    with_std: bool,
    /// Diverged cells: "diverged" over "2/3", else "diverged 2/3" on one line.
    diverged: Option<(f64, bool)>,
    pending_size: Option<f64>,
}

fn plan_labels<DB: DrawingBackend>(
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
fn value_fonts(pen: &Pen, size: f64, ink: RGBColor) -> (TextStyle<'static>, TextStyle<'static>) {
    (
        pen.bold_font(size, ink),
        pen.font((size * 0.8).max(9.0), ink),
    )
}

/// "diverged" and "2/3".
fn diverged_lines(map: &HeatMap, index: usize) -> [String; 2] {
    match map.cells[index] {
        HeatCell::Diverged { diverged, runs } => {
            ["diverged".to_string(), format!("{diverged}/{runs}")]
        }
        _ => unreachable!("only called for diverged cells"),
    }
}

fn draw_cells<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    map: &HeatMap,
    limit: f64,
    geometry: &Geometry,
    pen: &Pen,
) -> Result<(), ChartError> {
    let plan = plan_labels(root, map, geometry, pen)?;
    let n1 = map.n1.len();
    for (index, cell) in map.cells.iter().enumerate() {
        let (i, j) = (index % n1, index / n1);
        let rect = geometry.fill(i, j);
        let text = match cell {
            HeatCell::Pending => {
                let fill = pen.palette.muted;
                fill_rect(root, rect, fill)?;
                plan.pending_size.map(|size| CellText {
                    lines: vec![("…".to_string(), pen.bold_font(size, ink_on(fill)))],
                    plate: false,
                })
            }
            HeatCell::Value { delta, std, .. } => {
                let fill = heat_colour(*delta, limit);
                fill_rect(root, rect, fill)?;
                plan.value_size.map(|size| {
                    let ink = ink_on(fill);
                    let (value_font, std_font) = value_fonts(pen, size, ink);
                    let mut lines = vec![(points(*delta), value_font)];
                    if let (true, Some(std)) = (plan.with_std, std) {
                        lines.push((format!("±{:.2}", std * 100.0), std_font));
                    }
                    CellText {
                        lines,
                        plate: false,
                    }
                })
            }
            HeatCell::Diverged { .. } => {
                fill_rect(root, rect, pen.palette.background)?;
                hatch(root, rect, pen)?;
                ring(root, rect, pen.px(1.0), pen.palette.axis)?;
                plan.diverged.map(|(size, two_lines)| {
                    let font = pen.font(size, pen.palette.text);
                    let [word, count] = diverged_lines(map, index);
                    let lines = if two_lines {
                        vec![(word, font.clone()), (count, font)]
                    } else {
                        vec![(format!("{word} {count}"), font)]
                    };
                    CellText { lines, plate: true }
                })
            }
        };
        if let Some(text) = text {
            draw_cell_text(root, rect, &text, pen)?;
        }
    }
    if let Some((i, j)) = map.selected {
        // Near-black outside, white inside: one of the two stands out on any cell colour
        // and on either theme's background.
        let rect = geometry.fill(i, j);
        let t = pen.px(SELECTED_RING);
        ring(root, rect, t, SELECTED_OUTER)?;
        let (x0, y0, x1, y1) = rect;
        ring(
            root,
            (x0 + t, y0 + t, x1 - t, y1 - t),
            pen.px(SELECTED_INNER),
            SELECTED_INNER_COLOUR,
        )?;
    }
    Ok(())
}

/// The lines centred in the cell, one under the other.
fn draw_cell_text<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    (x0, y0, x1, y1): (i32, i32, i32, i32),
    text: &CellText,
    pen: &Pen,
) -> Result<(), ChartError> {
    let mut sizes = Vec::new();
    for (line, font) in &text.lines {
        let (w, h) = root.estimate_text_size(line, font).map_err(drawing)?;
        sizes.push((w as i32, h as i32));
    }
    let total: i32 = sizes.iter().map(|s| s.1).sum();
    let widest = sizes.iter().map(|s| s.0).max().unwrap_or(0);
    let centre_x = (x0 + x1) / 2;
    let mut y = (y0 + y1) / 2 - total / 2;
    if text.plate {
        let pad = pen.px(3.0);
        let plate = (
            centre_x - widest / 2 - pad,
            y - pad,
            centre_x + widest / 2 + pad,
            y + total + pad,
        );
        fill_rect(root, plate, pen.palette.background)?;
    }
    for ((line, font), (_, h)) in text.lines.iter().zip(&sizes) {
        let style = centred(font.clone());
        root.draw(&Text::new(line.as_str(), (centre_x, y + h / 2), style))
            .map_err(drawing)?;
        y += h;
    }
    Ok(())
}

/// Tick labels centred on the cells (every k-th when they would crowd), "N1" under the
/// grid and "N2" to its left.
fn draw_axes<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    map: &HeatMap,
    geometry: &Geometry,
    pen: &Pen,
) -> Result<(), ChartError> {
    let tick_font = pen.font(TICK_FONT, pen.palette.text);
    let axis_font = pen.bold_font(AXIS_FONT, pen.palette.text);
    let (n1, n2) = (map.n1.len(), map.n2.len());

    let x_labels: Vec<String> = map.n1.iter().map(|&v| exponent(f64::from(v))).collect();
    let x_widest = widest(root, &x_labels, &tick_font)?;
    let column = f64::from(geometry.grid_right() - geometry.grid_left()) / n1 as f64;
    let x_stride = stride(column, x_widest + pen.px(8.0));
    let label_top = geometry.grid_bottom() + pen.px(TICK_GAP);
    let top_centre = Pos::new(HPos::Center, VPos::Top);
    for (i, label) in x_labels.iter().enumerate().step_by(x_stride) {
        let x = (geometry.xs[i] + geometry.xs[i + 1] - geometry.gap) / 2;
        let style = tick_font.clone().pos(top_centre);
        root.draw(&Text::new(label.as_str(), (x, label_top), style))
            .map_err(drawing)?;
    }
    let grid_centre_x = (geometry.grid_left() + geometry.grid_right()) / 2;
    let n1_top = label_top + geometry.x_label_height + pen.px(AXIS_GAP);
    root.draw(&Text::new(
        "N1",
        (grid_centre_x, n1_top),
        axis_font.clone().pos(top_centre),
    ))
    .map_err(drawing)?;

    let y_labels: Vec<String> = map.n2.iter().map(|&v| exponent(f64::from(v))).collect();
    let row = f64::from(geometry.grid_bottom() - geometry.grid_top()) / n2 as f64;
    let y_stride = stride(row, geometry.x_label_height + pen.px(4.0));
    let label_right = geometry.grid_left() - pen.px(TICK_GAP);
    let right_centre = Pos::new(HPos::Right, VPos::Center);
    for (j, label) in y_labels.iter().enumerate().step_by(y_stride) {
        let (_, y0, _, y1) = geometry.slot(0, j);
        let y = (y0 + y1 - geometry.gap) / 2;
        let style = tick_font.clone().pos(right_centre);
        root.draw(&Text::new(label.as_str(), (label_right, y), style))
            .map_err(drawing)?;
    }
    let grid_centre_y = (geometry.grid_top() + geometry.grid_bottom()) / 2;
    let n2_right = label_right - geometry.y_label_width - pen.px(AXIS_GAP);
    root.draw(&Text::new(
        "N2",
        (n2_right, grid_centre_y),
        axis_font.pos(right_centre),
    ))
    .map_err(drawing)
}

/// Label every k-th slot of this size, k the smallest that leaves `needed` per label.
fn stride(slot: f64, needed: i32) -> usize {
    if slot <= 0.0 {
        return usize::MAX;
    }
    (f64::from(needed) / slot).ceil().max(1.0) as usize
}

/// The colour bar from −limit (bottom) to +limit (top) with ticks in points, its caption
/// along it, and keys for pending and diverged cells under it.
fn draw_colour_bar<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    map: &HeatMap,
    limit: f64,
    geometry: &Geometry,
    pen: &Pen,
) -> Result<(), ChartError> {
    let (left, top, height) = (geometry.bar_left, geometry.bar_top, geometry.bar_height);
    let right = left + pen.px(BAR_WIDTH);
    let bottom = top + height;
    for y in top..bottom {
        // The middle of this pixel row, from +limit at the top to −limit at the bottom.
        let t = 1.0 - 2.0 * (f64::from(y - top) + 0.5) / f64::from(height);
        fill_rect(root, (left, y, right, y + 1), heat_colour(t * limit, limit))?;
    }
    let frame = vec![
        (left, top),
        (right, top),
        (right, bottom),
        (left, bottom),
        (left, top),
    ];
    root.draw(&PathElement::new(frame, pen.line(pen.palette.axis, 1.0)))
        .map_err(drawing)?;

    let points = limit * 100.0;
    let tick_font = pen
        .font(TICK_FONT, pen.palette.text)
        .pos(Pos::new(HPos::Left, VPos::Center));
    let tick_line = pen.line(pen.palette.axis, 1.0);
    for &value in &geometry.bar_ticks {
        let y = top + ((points - value) / (2.0 * points) * f64::from(height)).round() as i32;
        let tick = vec![(right, y), (right + pen.px(BAR_TICK), y)];
        root.draw(&PathElement::new(tick, tick_line))
            .map_err(drawing)?;
        let label = signed_tick(value, geometry.bar_step);
        let x = right + pen.px(BAR_TICK) + pen.px(3.0);
        root.draw(&Text::new(label, (x, y), tick_font.clone()))
            .map_err(drawing)?;
    }

    // The caption reads upwards along the bar, shrunk to the bar's length if need be.
    let caption_x =
        right + pen.px(BAR_TICK) + pen.px(3.0) + geometry.bar_label_width + pen.px(10.0);
    for size in [CAPTION_FONT, 11.0, 10.0, 9.0] {
        let font = pen.font(size, pen.palette.text);
        let (w, h) = root
            .estimate_text_size(HEAT_CAPTION, &font)
            .map_err(drawing)?;
        if w as i32 <= height {
            let style = centred(font).transform(FontTransform::Rotate270);
            let centre = (caption_x + h as i32 / 2, top + height / 2);
            root.draw(&Text::new(HEAT_CAPTION, centre, style))
                .map_err(drawing)?;
            break;
        }
    }

    // Keys, for the states the map has, when there is room.
    if !geometry.keys {
        return Ok(());
    }
    let pending = map.cells.iter().any(|c| matches!(c, HeatCell::Pending));
    let diverged = map
        .cells
        .iter()
        .any(|c| matches!(c, HeatCell::Diverged { .. }));
    let key_font = pen
        .font(KEY_FONT, pen.palette.text)
        .pos(Pos::new(HPos::Left, VPos::Center));
    let swatch = pen.px(KEY_SWATCH);
    let mut y = bottom + pen.px(8.0) + pen.px(KEY_ROW) / 2;
    for (present, label) in [(pending, "pending"), (diverged, "diverged")] {
        if !present {
            continue;
        }
        let rect = (left, y - swatch / 2, left + swatch, y - swatch / 2 + swatch);
        if label == "pending" {
            fill_rect(root, rect, pen.palette.muted)?;
        } else {
            fill_rect(root, rect, pen.palette.background)?;
            hatch(root, rect, pen)?;
            ring(root, rect, pen.px(1.0), pen.palette.axis)?;
        }
        let x = left + swatch + pen.px(6.0);
        root.draw(&Text::new(label, (x, y), key_font.clone()))
            .map_err(drawing)?;
        y += pen.px(KEY_ROW);
    }
    Ok(())
}
