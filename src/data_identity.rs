//! Which data a run trained on: the data set's name and the SHA-256 of its four IDX files.
//! MNIST's sums live once, in `src/mnist.sha256` (also read by `scripts/setup.sh`, which
//! checks the copies in `www/data/`); the page verifies every download against them, and a
//! stored run keeps the identity of its data so that a sweep resumes only on the same data.

use serde::{Deserialize, Serialize};

use crate::protocol::DATA_FILES;

/// The `sha256sum` listing of MNIST's four files, in `DATA_FILES` order.
const MNIST_SHA256: &str = include_str!("mnist.sha256");

/// What the page's stored runs call MNIST from the site.
pub const MNIST_NAME: &str = "MNIST";

/// One of the files the page downloads: its IDX name and its SHA-256 (lowercase hex).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DataFile {
    pub name: &'static str,
    pub sha256: &'static str,
}

/// MNIST's four files, in `DATA_FILES` order (the order `Start` attaches them).
pub fn mnist_files() -> Vec<DataFile> {
    MNIST_SHA256
        .lines()
        .filter_map(|line| {
            let (sha256, name) = line.split_once("  ")?;
            Some(DataFile { name, sha256 })
        })
        .collect()
}

/// A data set's name and the SHA-256 of each of its four files in `DATA_FILES` order.
/// Deserialising one checks its shape (a stored record may have been edited).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "Unchecked")]
pub struct DataIdentity {
    pub name: String,
    pub sha256: Vec<String>,
}

#[derive(Deserialize)]
struct Unchecked {
    name: String,
    sha256: Vec<String>,
}

impl TryFrom<Unchecked> for DataIdentity {
    type Error = String;

    fn try_from(u: Unchecked) -> Result<DataIdentity, String> {
        DataIdentity::new(u.name, u.sha256)
    }
}

impl DataIdentity {
    /// Checks that there is a name and one SHA-256 (64 lowercase hex digits) per file.
    pub fn new(name: String, sha256: Vec<String>) -> Result<DataIdentity, String> {
        if name.trim().is_empty() {
            return Err("The data set has no name.".into());
        }
        let is_sum = |s: &String| {
            s.len() == 64
                && s.bytes()
                    .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
        };
        if sha256.len() != DATA_FILES.len() || !sha256.iter().all(is_sum) {
            return Err(format!(
                "The data set's identity needs the SHA-256 of its {} files.",
                DATA_FILES.len()
            ));
        }
        Ok(DataIdentity { name, sha256 })
    }

    /// MNIST from the site.
    pub fn mnist() -> DataIdentity {
        DataIdentity {
            name: MNIST_NAME.into(),
            sha256: mnist_files().iter().map(|f| f.sha256.to_string()).collect(),
        }
    }
}
