//! Drawing the heat map: title, cells (value, hatching, selection ring), axes and colour
//! bar, in that order.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use plotters::style::FontTransform;

use super::super::style::{drawing, exponent, fit_title, widest, FittedTitle, Pen, Theme};
use super::super::ChartError;
use super::geometry::*;
use super::labels::*;
use super::scale::*;
use super::{CellBox, HeatCell, HeatLayout, HeatMap};

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
    let sizes = [TITLE_FONT, 15.0, 14.0, 13.0, 12.0, 11.0];
    // The title band holds one line: cut short rather than broken.
    let FittedTitle { mut lines, font } = fit_title(root, title, room, &sizes, None, pen)?;
    let centre = (width as i32 / 2, pen.px(TITLE_BAND) / 2 + pen.px(2.0));
    root.draw(&Text::new(lines.remove(0), centre, centred(font)))
        .map_err(drawing)
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
            .estimate_text_size(&map.caption, &font)
            .map_err(drawing)?;
        if w as i32 <= height {
            let style = centred(font).transform(FontTransform::Rotate270);
            let centre = (caption_x + h as i32 / 2, top + height / 2);
            root.draw(&Text::new(map.caption.as_str(), centre, style))
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
