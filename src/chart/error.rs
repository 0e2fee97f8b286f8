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
    },
    /// The backend refused to draw (e.g. the canvas lost its context).
    Drawing(String),
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
            ChartError::BadSize { width, height } => write!(
                f,
                "Cannot export a {width}×{height} image: each side must be between 1 and {} \
                 pixels.",
                super::figure::MAX_EXPORT_SIDE
            ),
            ChartError::Drawing(e) => write!(f, "The chart could not be drawn: {e}."),
        }
    }
}

impl std::error::Error for ChartError {}

impl From<serde_json::Error> for ChartError {
    fn from(e: serde_json::Error) -> Self {
        ChartError::Json(e)
    }
}
