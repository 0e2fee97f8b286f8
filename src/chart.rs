//! The comparison figure: Normal vs AYLA, drawn from the run history on any plotters
//! `DrawingBackend` (a canvas on the page, a recording backend in native tests).
//!
//! No browser types here, so everything but the pixels is tested natively; `web::chart`
//! only hands a canvas and JSON in and a layout and a PNG out.

mod axes;
mod error;
mod figure;
mod heatmap;
mod history;
mod legend;
mod readout;
mod style;

pub use crate::history::{Metric, Run};
pub use axes::{epoch_ticks, format_tick, nice_ticks, x_range, y_range, Ticks, YScale};
pub use error::ChartError;
pub use figure::{
    draw, export_scale, panel_grid, Layout, Panel, PanelLayout, EXPORT_HEIGHT, EXPORT_WIDTH,
};
pub use heatmap::{
    draw_heatmap, heat_colour, heat_limit, heatmap_export_scale, CellBox, HeatCell, HeatLayout,
    HeatMap, HeatView, HEATMAP_EXPORT_HEIGHT, HEATMAP_EXPORT_WIDTH, HEAT_CAPTION, TUNED_CAPTION,
};
pub use history::{series_name, History};
pub use readout::readout;
pub use style::{Palette, Theme};
