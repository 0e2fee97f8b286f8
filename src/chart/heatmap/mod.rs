//! The sweep heat map: AYLA's final validation accuracy minus Normal's (same seed) over a
//! grid of (N1, N2) values, on a diverging colour scale centred on 0, drawn on any plotters
//! backend; and where each cell landed, so the page can map a click to a cell.
//!
//! The colours are ColorBrewer's RdBu (colour-blind safe): red where AYLA did worse than
//! Normal, near-white at no difference, blue where it did better. The same scale is used in
//! both themes, so a colour means the same everywhere; only the frame (text, axes,
//! background) follows the theme.
//!
//! Its parts: the map's data (`data`, built from a sweep's results), which view of them it
//! shows (`view`: one learning rate's gains, or the tuned difference), the colour scale
//! (`scale`), where everything goes (`geometry`), how cell labels fit (`labels`) and the
//! drawing itself (`draw`).

mod data;
mod draw;
mod geometry;
mod labels;
mod scale;
mod view;

pub use data::{HeatCell, HeatMap};
pub use draw::draw_heatmap;
pub use geometry::{CellBox, HeatLayout};
pub use scale::{heat_colour, heat_limit};
pub use view::{HeatView, TUNED_CAPTION};

use super::style::scale_for;
use super::ChartError;

/// The exported PNG's size in device pixels: the design size at 1.5×.
pub const HEATMAP_EXPORT_WIDTH: u32 = 1200;
pub const HEATMAP_EXPORT_HEIGHT: u32 = 900;

/// The CSS size the fonts and strokes are designed for; exports scale up from it.
const DESIGN_WIDTH: f64 = 800.0;
const DESIGN_HEIGHT: f64 = 600.0;

/// The colour bar's caption in the view of one learning rate (the only one a sweep of
/// one rate has).
pub const HEAT_CAPTION: &str = "val acc − Normal (points)";

/// How many device pixels per design pixel an export of this size gets; an error for
/// sizes a canvas cannot have.
pub fn heatmap_export_scale(width: u32, height: u32) -> Result<f64, ChartError> {
    scale_for((width, height), (DESIGN_WIDTH, DESIGN_HEIGHT))
}
