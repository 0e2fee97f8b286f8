//! Where everything goes: the design sizes, the cells' edges, the axes' labels and the
//! colour bar, in device pixels; and the cells' boxes the page maps a click with.

use plotters::coord::Shift;
use plotters::prelude::*;
use serde::Serialize;

use super::super::style::{drawing, exponent, widest, Pen};
use super::super::ChartError;
use super::scale::{bar_ticks, signed_tick};
use super::HeatMap;

pub(super) const MARGIN: f64 = 10.0;
pub(super) const TITLE_BAND: f64 = 36.0;
pub(super) const TITLE_FONT: f64 = 16.0;
pub(super) const TICK_FONT: f64 = 12.0;
pub(super) const AXIS_FONT: f64 = 13.0;
pub(super) const CAPTION_FONT: f64 = 12.0;
pub(super) const KEY_FONT: f64 = 12.0;
/// Between the grid and its tick labels.
pub(super) const TICK_GAP: f64 = 6.0;
/// Between the tick labels and "N1" / "N2".
pub(super) const AXIS_GAP: f64 = 8.0;
pub(super) const BAR_GAP: f64 = 20.0;
pub(super) const BAR_WIDTH: f64 = 16.0;
pub(super) const BAR_TICK: f64 = 4.0;
/// The colour bar's tick labels are at least this far apart.
pub(super) const BAR_TICK_SPACING: f64 = 24.0;
pub(super) const KEY_ROW: f64 = 22.0;
pub(super) const KEY_SWATCH: f64 = 14.0;
/// Keys for pending and diverged cells under the colour bar.
pub(super) const KEY_ROWS: usize = 2;
/// A cell is at most this many times as wide as it is tall, or as tall as it is wide.
pub(super) const MAX_ASPECT: f64 = 2.0;
/// Label font sizes in cells, largest first; the largest that fits every cell is used.
pub(super) const CELL_FONTS: [f64; 6] = [20.0, 17.0, 15.0, 13.0, 11.5, 10.0];
/// Diverged and pending cells' text stays modest.
pub(super) const STATE_FONT_MAX: f64 = 15.0;
pub(super) const CELL_PADDING: f64 = 6.0;
pub(super) const SELECTED_RING: f64 = 3.0;
pub(super) const SELECTED_INNER: f64 = 1.5;
pub(super) const SELECTED_OUTER: RGBColor = RGBColor(20, 20, 20);
pub(super) const SELECTED_INNER_COLOUR: RGBColor = RGBColor(255, 255, 255);
/// No cell grows beyond this (a 1×1 map is not one huge block).
pub(super) const MAX_CELL: f64 = 240.0;
pub(super) const HATCH_SPACING: f64 = 7.0;

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

/// Where everything goes, in device pixels.
pub(super) struct Geometry {
    /// Cell edges: `xs[i]..xs[i + 1]` is column i; `ys[r]..ys[r + 1]` is row r from the
    /// top, which holds n2[n2.len() - 1 - r].
    pub(super) xs: Vec<i32>,
    pub(super) ys: Vec<i32>,
    /// Background-coloured space at the right and bottom of each cell.
    pub(super) gap: i32,
    /// Widest y tick label.
    pub(super) y_label_width: i32,
    pub(super) x_label_height: i32,
    /// Colour bar.
    pub(super) bar_left: i32,
    pub(super) bar_top: i32,
    pub(super) bar_height: i32,
    pub(super) bar_ticks: Vec<f64>,
    pub(super) bar_step: f64,
    pub(super) bar_label_width: i32,
    /// Room for the pending and diverged keys under the bar.
    pub(super) keys: bool,
}

impl Geometry {
    pub(super) fn new<DB: DrawingBackend>(
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
        let caption_height = measure(&map.caption, &pen.font(CAPTION_FONT, pen.palette.text))?.1;
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
    pub(super) fn slot(&self, i: usize, j: usize) -> (i32, i32, i32, i32) {
        let row = self.ys.len() - 2 - j;
        (self.xs[i], self.ys[row], self.xs[i + 1], self.ys[row + 1])
    }

    /// The painted part of the cell: its slot without the gap.
    pub(super) fn fill(&self, i: usize, j: usize) -> (i32, i32, i32, i32) {
        let (x0, y0, x1, y1) = self.slot(i, j);
        (
            x0,
            y0,
            (x1 - self.gap).max(x0 + 1),
            (y1 - self.gap).max(y0 + 1),
        )
    }

    pub(super) fn grid_left(&self) -> i32 {
        self.xs[0]
    }

    pub(super) fn grid_right(&self) -> i32 {
        self.xs[self.xs.len() - 1]
    }

    pub(super) fn grid_top(&self) -> i32 {
        self.ys[0]
    }

    pub(super) fn grid_bottom(&self) -> i32 {
        self.ys[self.ys.len() - 1]
    }
}
