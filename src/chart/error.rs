//! What can go wrong between the page and the figure, as sentences a user can act on.

use std::fmt;

#[derive(Debug)]
pub enum ChartError {
    /// The history handed over by the page is not JSON of the agreed shape.
    Json(serde_json::Error),
    /// The history plans no epoch at all, so there is no x axis to draw.
    NoEpochs,
    /// A name in `hidden` is not "<method> <metric>".
    UnknownSeries(String),
    UnknownTheme(String),
    EpochOutOfRange {
        epoch: usize,
        last: usize,
    },
    /// An export size that is empty or larger than a browser canvas allows.
    BadSize {
        width: u32,
        height: u32,
        /// The largest side a canvas may have.
        max: u32,
    },
    /// The backend refused to draw (e.g. the canvas lost its context).
    Drawing(String),
    /// The sweep heat map handed over by the page is not JSON of the agreed shape.
    HeatMapJson(serde_json::Error),
    /// The heat map has no values on this axis ("N1" or "N2").
    EmptyHeatAxis(&'static str),
    /// The value at `index` on this axis is not above the one before it.
    HeatAxisOrder {
        axis: &'static str,
        index: usize,
        value: f32,
        previous: f32,
    },
    /// `cells` does not hold one cell per (N1, N2) pair.
    HeatCellCount {
        n1: usize,
        n2: usize,
        cells: usize,
    },
    /// A number of the heat map that must be finite, named (e.g. "delta of the cell at
    /// N1=0.5, N2=2.0").
    HeatNotFinite(String),
    /// The selected cell (i, j) is outside the grid.
    HeatSelection {
        i: usize,
        j: usize,
        n1: usize,
        n2: usize,
    },
    /// The canvas is too small for one device pixel per cell beside the labels.
    HeatTooSmall {
        width: u32,
        height: u32,
        n1: usize,
        n2: usize,
    },
}

impl fmt::Display for ChartError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ChartError::Json(e) => write!(f, "The chart history is not valid: {e}."),
            ChartError::NoEpochs => {
                write!(f, "The chart history plans 0 epochs; at least 1 is needed.")
            }
            ChartError::UnknownSeries(name) => write!(
                f,
                "Unknown series \"{name}\" in hidden: expected a method (Normal or AYLA), a \
                 space and a metric (accuracy, val_accuracy, loss, val_loss or grad_norm)."
            ),
            ChartError::UnknownTheme(theme) => {
                write!(
                    f,
                    "Unknown chart theme \"{theme}\": expected light or dark."
                )
            }
            ChartError::EpochOutOfRange { epoch, last } => {
                write!(
                    f,
                    "Epoch {epoch} is outside the chart's epochs 1 to {last}."
                )
            }
            ChartError::BadSize { width, height, max } => write!(
                f,
                "Cannot export a {width}×{height} image: each side must be between 1 and {max} \
                 pixels."
            ),
            ChartError::Drawing(e) => write!(f, "The chart could not be drawn: {e}."),
            ChartError::HeatMapJson(e) => write!(f, "The sweep heat map is not valid: {e}."),
            ChartError::EmptyHeatAxis(axis) => write!(
                f,
                "The sweep heat map has no {axis} values; at least one is needed."
            ),
            ChartError::HeatAxisOrder {
                axis,
                index,
                value,
                previous,
            } => write!(
                f,
                "The sweep heat map's {axis} values must ascend, but value {} ({value}) is \
                 not above value {index} ({previous}).",
                index + 1
            ),
            ChartError::HeatCellCount { n1, n2, cells } => write!(
                f,
                "The sweep heat map has {cells} cells, but its {n1} N1 × {n2} N2 values need \
                 {}.",
                n1 * n2
            ),
            ChartError::HeatNotFinite(what) => {
                write!(f, "The sweep heat map's {what} is not a finite number.")
            }
            ChartError::HeatSelection { i, j, n1, n2 } => write!(
                f,
                "The selected heat map cell ({i}, {j}) is outside its {n1} × {n2} grid."
            ),
            ChartError::HeatTooSmall {
                width,
                height,
                n1,
                n2,
            } => write!(
                f,
                "A {width}×{height} canvas is too small for a heat map of {n1} × {n2} cells."
            ),
        }
    }
}

impl std::error::Error for ChartError {}

impl From<serde_json::Error> for ChartError {
    fn from(e: serde_json::Error) -> Self {
        ChartError::Json(e)
    }
}
