//! The figure itself: title, legend and three panels (accuracy, loss, gradient norm),
//! drawn on any plotters backend, and where each panel's plot area landed.

use std::ops::Range;

use plotters::coord::ranged1d::{DefaultFormatting, KeyPointHint};
use plotters::coord::types::RangedCoordf64;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use serde::Serialize;

use super::axes::{epoch_ticks, format_tick, nice_ticks, x_range, y_range, YScale};
use super::legend;
use super::style::{drawing, exponent, fit_title, scale_for, widest, FittedTitle, Pen, Theme};
use super::{ChartError, History, Metric, Run};

/// The exported PNG's size in device pixels: the page's figure at 1.5×, legible in print.
pub const EXPORT_WIDTH: u32 = 1800;
pub const EXPORT_HEIGHT: u32 = 700;

/// The CSS size the fonts and strokes are designed for; exports scale up from it.
const DESIGN_WIDTH: f64 = 1200.0;
const DESIGN_HEIGHT: f64 = 450.0;

/// The figure's panels, left to right (or top to bottom on a narrow canvas).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Panel {
    Accuracy,
    Loss,
    GradNorm,
}

impl Panel {
    pub const ALL: [Panel; 3] = [Panel::Accuracy, Panel::Loss, Panel::GradNorm];

    /// The panel's name in the layout the page receives.
    pub fn name(self) -> &'static str {
        match self {
            Panel::Accuracy => "accuracy",
            Panel::Loss => "loss",
            Panel::GradNorm => "grad_norm",
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            Panel::Accuracy => "Accuracy",
            Panel::Loss => "Loss",
            Panel::GradNorm => "Gradient norm",
        }
    }

    pub fn metrics(self) -> &'static [Metric] {
        match self {
            Panel::Accuracy => &[Metric::Accuracy, Metric::ValAccuracy],
            Panel::Loss => &[Metric::Loss, Metric::ValLoss],
            Panel::GradNorm => &[Metric::GradNorm],
        }
    }

    pub fn y_scale(self) -> YScale {
        match self {
            Panel::Accuracy => YScale::Fraction,
            Panel::Loss | Panel::GradNorm => YScale::FromZero,
        }
    }
}

/// Where the panels landed, in the units `scale` was given for (CSS pixels on the page),
/// relative to the figure's top-left corner; the page maps a pointer to an epoch with it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Layout {
    pub width: f64,
    pub height: f64,
    pub panels: Vec<PanelLayout>,
}

impl Layout {
    /// The epoch under a point (CSS pixels from the figure's corner), if the point is in a
    /// panel: the nearest epoch that has been measured (1..=`measured`).
    pub fn epoch_at(&self, x: f64, y: f64, measured: usize) -> Option<usize> {
        if measured == 0 {
            return None;
        }
        let panel = self.panels.iter().find(|p| {
            (p.left..=p.left + p.width).contains(&x) && (p.top..=p.top + p.height).contains(&y)
        })?;
        let epoch = panel.x_min + (x - panel.left) / panel.width * (panel.x_max - panel.x_min);
        Some((epoch.round().max(1.0) as usize).min(measured))
    }

    /// Where an epoch sits across the first panel (CSS pixels), for the keyboard's readout.
    pub fn x_of_epoch(&self, epoch: usize) -> f64 {
        self.panels.first().map_or(0.0, |p| {
            let span = (p.x_max - p.x_min).max(f64::EPSILON);
            p.left + (epoch as f64 - p.x_min) / span * p.width
        })
    }
}

/// One panel's plot area and the data values at its edges: `x_min` at `left`, `x_max` at
/// `left + width`, `y_max` at `top`, `y_min` at `top + height`. Epochs run 1..=`epochs`;
/// the x range is padded by a fraction of an epoch on both sides.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PanelLayout {
    pub name: &'static str,
    pub left: f64,
    pub top: f64,
    pub width: f64,
    pub height: f64,
    pub x_min: f64,
    pub x_max: f64,
    pub y_min: f64,
    pub y_max: f64,
    pub epochs: usize,
}

/// How many device pixels per design pixel an export of this size gets, so its text is as
/// legible as the page's; an error for sizes a canvas cannot have.
pub fn export_scale(width: u32, height: u32) -> Result<f64, ChartError> {
    scale_for((width, height), (DESIGN_WIDTH, DESIGN_HEIGHT))
}

/// (rows, columns) of panels: side by side on a wide figure, stacked on a narrow one
/// (a phone held upright), so no panel is squeezed to a sliver.
pub fn panel_grid(css_width: f64, css_height: f64) -> (usize, usize) {
    if css_width >= 1.5 * css_height {
        (1, 3)
    } else {
        (3, 1)
    }
}

/// Draws the whole figure from the whole history. `scale` is device pixels per CSS pixel
/// (the page's devicePixelRatio, or `export_scale`); fonts and strokes grow with it.
pub fn draw<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    history: &History,
    theme: Theme,
    scale: f64,
) -> Result<Layout, ChartError> {
    let pen = Pen {
        palette: theme.palette(),
        scale,
    };
    root.fill(&pen.palette.background).map_err(drawing)?;
    let (width, height) = root.dim_in_pixel();

    let title = fitted_title(root, history, &pen)?;
    let title_height = pen.px(TITLE_LINE) * title.lines.len() as i32 + pen.px(12.0);
    let (title_area, rest) = root.split_vertically(title_height);
    draw_title(&title_area, title, &pen)?;
    let entries = legend::entries(history, &pen.palette);
    let legend_height = legend::height(root, &entries, &pen)?;
    let (legend_area, body) = rest.split_vertically(legend_height);
    legend::draw(&legend_area, &entries, &pen)?;

    let body = body.margin(pen.px(4.0), pen.px(6.0), pen.px(6.0), pen.px(6.0));
    let grid = panel_grid(f64::from(width) / scale, f64::from(height) / scale);
    let cells = body.split_evenly(grid);
    let panels = Panel::ALL
        .into_iter()
        .zip(cells.iter())
        .map(|(panel, cell)| draw_panel(cell, panel, history, &pen))
        .collect::<Result<Vec<_>, _>>()?;
    root.present().map_err(drawing)?;
    Ok(Layout {
        width: f64::from(width) / scale,
        height: f64::from(height) / scale,
        panels,
    })
}

/// Design height of a title line.
const TITLE_LINE: f64 = 22.0;

/// "MNIST: Normal vs AYLA (N1=0.95, N2=1.0)", as the original titled its figure, in the
/// largest size that fits the width; on a phone, on two lines.
fn fitted_title<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    history: &History,
    pen: &Pen,
) -> Result<FittedTitle, ChartError> {
    let title = format!(
        "MNIST: Normal vs AYLA (N1={}, N2={})",
        exponent(history.n1),
        exponent(history.n2)
    );
    let room = root.dim_in_pixel().0 as i32 - 2 * pen.px(8.0);
    let sizes = [17.0, 16.0, 15.0, 14.0, 13.0];
    fit_title(root, &title, room, &sizes, Some(" ("), pen)
}

fn draw_title<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    title: FittedTitle,
    pen: &Pen,
) -> Result<(), ChartError> {
    let width = area.dim_in_pixel().0 as i32;
    let style = title.font.pos(Pos::new(HPos::Center, VPos::Center));
    for (k, line) in title.lines.into_iter().enumerate() {
        let y = pen.px(6.0) + pen.px(TITLE_LINE) * k as i32 + pen.px(TITLE_LINE) / 2 + pen.px(3.0);
        area.draw(&Text::new(line, (width / 2, y), style.clone()))
            .map_err(drawing)?;
    }
    Ok(())
}

type PanelChart<'a, DB> = ChartContext<'a, DB, Cartesian2d<TickedAxis, TickedAxis>>;

/// A linear axis with exactly the ticks given: plotters' own choice of ticks may fall
/// between epochs or crowd a short axis.
struct TickedAxis {
    linear: RangedCoordf64,
    ticks: Vec<f64>,
}

impl TickedAxis {
    fn new((min, max): (f64, f64), ticks: Vec<f64>) -> Self {
        TickedAxis {
            linear: (min..max).into(),
            ticks,
        }
    }
}

impl Ranged for TickedAxis {
    // Labels come from the mesh's formatters; this only satisfies the mesh's bound.
    type FormatOption = DefaultFormatting;
    type ValueType = f64;

    fn map(&self, value: &f64, limit: (i32, i32)) -> i32 {
        self.linear.map(value, limit)
    }

    fn key_points<Hint: KeyPointHint>(&self, hint: Hint) -> Vec<f64> {
        if hint.weight().allow_light_points() {
            Vec::new()
        } else {
            self.ticks.clone()
        }
    }

    fn range(&self) -> Range<f64> {
        self.linear.range()
    }
}

fn draw_panel<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    panel: Panel,
    history: &History,
    pen: &Pen,
) -> Result<PanelLayout, ChartError> {
    let last = history.last_epoch();
    let (x_min, x_max) = x_range(last);
    let values = history.visible_values(panel.metrics());
    let (y_min, y_max) = y_range(panel.y_scale(), &values);
    let (width, height) = area.dim_in_pixel();
    let label_font = pen.font(12.0, pen.palette.text);

    // Tick counts follow the room available, so labels never collide.
    let caption_height = pen.px(26.0);
    let x_label_height = pen.px(40.0);
    let plot_height = height as i32 - caption_height - x_label_height - pen.px(6.0);
    let y_ticks = nice_ticks(y_min, y_max, (plot_height / pen.px(30.0)).max(2) as usize);
    let step = y_ticks.step;
    let y_labels: Vec<String> = y_ticks
        .values
        .iter()
        .map(|v| format_tick(*v, step))
        .collect();
    let y_label_width = widest(area, &y_labels, &label_font)? + pen.px(14.0);
    let right_margin = pen.px(14.0);
    let plot_width = width as i32 - y_label_width - right_margin;
    // Each label gets the room of the widest one ("1000" needs more than "5"), measured in
    // the font it is drawn in, plus a gap; never less than the room short labels get.
    let widest_x_label = widest(area, &[last.max(1).to_string()], &label_font)?;
    let x_label_room = (widest_x_label + pen.px(14.0)).max(pen.px(34.0));
    let max_x_labels = (plot_width / x_label_room).max(1) as usize;
    let x_ticks: Vec<f64> = epoch_ticks(last, max_x_labels)
        .into_iter()
        .map(|epoch| epoch as f64)
        .collect();

    let mut chart = ChartBuilder::on(area)
        .caption(panel.title(), pen.bold_font(14.0, pen.palette.text))
        .margin_right(right_margin)
        .margin_bottom(pen.px(6.0))
        .x_label_area_size(x_label_height)
        .y_label_area_size(y_label_width)
        .build_cartesian_2d(
            TickedAxis::new((x_min, x_max), x_ticks),
            TickedAxis::new((y_min, y_max), y_ticks.values),
        )
        .map_err(drawing)?;
    chart
        .configure_mesh()
        .bold_line_style(pen.line(pen.palette.grid, 1.0))
        .light_line_style(TRANSPARENT)
        .axis_style(pen.line(pen.palette.axis, 1.0))
        .set_all_tick_mark_size(pen.px(4.0))
        .label_style(label_font.clone())
        .axis_desc_style(label_font)
        .x_desc("Epoch")
        .x_label_formatter(&|x| format!("{x:.0}"))
        .y_label_formatter(&|y| format_tick(*y, step))
        .draw()
        .map_err(drawing)?;

    // Markers at every epoch help reading values off, until they would crowd the lines.
    let markers = plot_width / last.max(1) as i32 >= pen.px(16.0);
    for run in &history.runs {
        for &metric in panel.metrics() {
            if history.is_visible(run.method, metric) {
                draw_series(&mut chart, run, metric, markers, pen)?;
            }
        }
    }
    for run in &history.runs {
        mark_divergence(&mut chart, run, panel, history, pen)?;
    }

    let (xs, ys) = chart.plotting_area().get_pixel_range();
    Ok(PanelLayout {
        name: panel.name(),
        left: f64::from(xs.start) / pen.scale,
        top: f64::from(ys.start) / pen.scale,
        width: f64::from(xs.end - xs.start) / pen.scale,
        height: f64::from(ys.end - ys.start) / pen.scale,
        x_min,
        x_max,
        y_min,
        y_max,
        epochs: last,
    })
}

/// One run's metric: solid for training, dashed for validation, broken where the values
/// are not finite; a lone finite point between gaps still shows as a marker.
fn draw_series<DB: DrawingBackend>(
    chart: &mut PanelChart<DB>,
    run: &Run,
    metric: Metric,
    markers: bool,
    pen: &Pen,
) -> Result<(), ChartError> {
    let color = pen.palette.method(run.method);
    let line = pen.line(color, 2.0);
    for segment in run.segments(metric) {
        if metric.is_validation() {
            let (dash, gap) = (pen.px(7.0), pen.px(4.0));
            let dashed = DashedLineSeries::new(segment.clone(), dash, gap, line);
            chart.draw_series(dashed).map_err(drawing)?;
        } else {
            let solid = LineSeries::new(segment.clone(), line);
            chart.draw_series(solid).map_err(drawing)?;
        }
        if markers || segment.len() == 1 {
            draw_markers(chart, &segment, metric, color, pen)?;
        }
    }
    Ok(())
}

/// Filled dots for training values, hollow ones for validation values.
fn draw_markers<DB: DrawingBackend>(
    chart: &mut PanelChart<DB>,
    points: &[(f64, f64)],
    metric: Metric,
    color: RGBColor,
    pen: &Pen,
) -> Result<(), ChartError> {
    let radius = pen.px(3.0);
    let style = if metric.is_validation() {
        ShapeStyle {
            color: color.to_rgba(),
            filled: false,
            stroke_width: pen.px(1.5) as u32,
        }
    } else {
        color.filled()
    };
    let dots = points.iter().map(|&p| Circle::new(p, radius, style));
    chart.draw_series(dots).map_err(drawing)?;
    Ok(())
}

/// An ✕ at the last finite point of each visible series of a diverged run.
fn mark_divergence<DB: DrawingBackend>(
    chart: &mut PanelChart<DB>,
    run: &Run,
    panel: Panel,
    history: &History,
    pen: &Pen,
) -> Result<(), ChartError> {
    if run.diverged_epoch().is_none() {
        return Ok(());
    }
    let style = pen.line(pen.palette.method(run.method), 2.5);
    let crosses = panel
        .metrics()
        .iter()
        .filter(|&&metric| history.is_visible(run.method, metric))
        .filter_map(|&metric| run.last_finite(metric))
        .map(|point| Cross::new(point, pen.px(7.0), style));
    chart.draw_series(crosses).map_err(drawing)?;
    Ok(())
}
