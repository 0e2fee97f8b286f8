//! The two ways of training that the page compares. What AYLA does with its exponents is
//! `crate::ayla`; the exponents themselves are parameters of the run (`Config::n1`, `n2`).

use serde::{Deserialize, Serialize};

/// Normal or AYLA. Its JSON names are the methods' labels (`"Normal"`, `"AYLA"`), the names
/// the log, the charts and the worker messages use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Method {
    /// Plain cross-entropy and SGD.
    Normal,
    /// Loss and gradients raised to N1 (|L| > 1) or N2 (|L| < 1).
    #[serde(rename = "AYLA")]
    Ayla,
}

impl Method {
    /// In the order the original prints an epoch's lines: AYLA, then Normal.
    pub const LOG_ORDER: [Method; 2] = [Method::Ayla, Method::Normal];

    /// The name used in the original's console lines and the charts.
    pub fn label(self) -> &'static str {
        match self {
            Method::Normal => "Normal",
            Method::Ayla => "AYLA",
        }
    }
}
