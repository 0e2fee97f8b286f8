//! The run's parameters: their defaults and limits (the one source of truth the page and
//! the native example read), and validation of what a user typed.

use serde::{Deserialize, Serialize};
use std::fmt;

/// One user-settable parameter: its URL/CLI key, its label and its limits.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct FieldSpec {
    /// Key in the URL query and on the command line (`--key`).
    pub key: &'static str,
    /// Id of the page's input for it.
    pub input_id: &'static str,
    pub label: &'static str,
    pub default: f64,
    pub min: f64,
    pub max: f64,
    /// Whether `min` itself is excluded (learning rate and exponents must be > 0).
    pub min_exclusive: bool,
    pub integer: bool,
    /// What the parameter does, shown as the input's hint.
    pub help: &'static str,
}

/// Every parameter, in the order the page shows them.
pub const FIELDS: [FieldSpec; 8] = [
    field(
        "epochs",
        "epochs",
        "Epochs",
        5.0,
        1.0,
        1000.0,
        false,
        true,
        "Passes over the training set.",
    ),
    field(
        "n1",
        "n1",
        "N1",
        0.95,
        0.0,
        10.0,
        true,
        false,
        "AYLA exponent while the batch loss is above 1.",
    ),
    field(
        "n2",
        "n2",
        "N2",
        1.0,
        0.0,
        10.0,
        true,
        false,
        "AYLA exponent while the batch loss is below 1.",
    ),
    field(
        "batch",
        "batch",
        "Batch size",
        128.0,
        1.0,
        60000.0,
        false,
        true,
        "Images per SGD step.",
    ),
    field(
        "lr",
        "lr",
        "Learning rate",
        0.01,
        0.0,
        10.0,
        true,
        false,
        "Plain SGD step size.",
    ),
    field(
        "hidden",
        "hidden",
        "Hidden units",
        128.0,
        1.0,
        4096.0,
        false,
        true,
        "Width of the ReLU layer.",
    ),
    field(
        "seed",
        "seed",
        "Seed",
        42.0,
        0.0,
        4294967295.0,
        false,
        true,
        "Initial weights and batch order.",
    ),
    field(
        "train",
        "train-size",
        "Training images",
        60000.0,
        1.0,
        1000000.0,
        false,
        true,
        "First N training images used.",
    ),
];

#[allow(clippy::too_many_arguments)]
const fn field(
    key: &'static str,
    input_id: &'static str,
    label: &'static str,
    default: f64,
    min: f64,
    max: f64,
    min_exclusive: bool,
    integer: bool,
    help: &'static str,
) -> FieldSpec {
    FieldSpec {
        key,
        input_id,
        label,
        default,
        min,
        max,
        min_exclusive,
        integer,
        help,
    }
}

/// A validated set of parameters.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Config {
    pub epochs: usize,
    pub n1: f32,
    pub n2: f32,
    pub batch_size: usize,
    pub learning_rate: f32,
    pub hidden: usize,
    pub seed: u64,
    pub train_size: usize,
    /// Shuffle the training set each epoch (the page always does; reference runs do not).
    pub shuffle: bool,
}

impl Default for Config {
    fn default() -> Config {
        Config::parse(|_| None).expect("the defaults are valid")
    }
}

/// Why one field's text was refused.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldError {
    pub key: &'static str,
    pub input_id: &'static str,
    pub message: String,
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.key, self.message)
    }
}

impl Config {
    /// Validates the text of every field; `lookup(key)` gives what the user typed, or `None`
    /// to take the default. Returns every problem at once, so the page can mark each field.
    pub fn parse<'a>(lookup: impl Fn(&str) -> Option<&'a str>) -> Result<Config, Vec<FieldError>> {
        let mut values = [0.0; FIELDS.len()];
        let mut errors = Vec::new();
        for (value, spec) in values.iter_mut().zip(&FIELDS) {
            match lookup(spec.key).map_or(Ok(spec.default), |text| parse_field(spec, text)) {
                Ok(v) => *value = v,
                Err(message) => errors.push(FieldError {
                    key: spec.key,
                    input_id: spec.input_id,
                    message,
                }),
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        let [epochs, n1, n2, batch, lr, hidden, seed, train] = values;
        Ok(Config {
            epochs: epochs as usize,
            n1: n1 as f32,
            n2: n2 as f32,
            batch_size: batch as usize,
            learning_rate: lr as f32,
            hidden: hidden as usize,
            seed: seed as u64,
            train_size: train as usize,
            shuffle: true,
        })
    }

    /// The parameters as `(key, text)` pairs, the inverse of [`Config::parse`] (for URLs).
    pub fn to_pairs(&self) -> Vec<(&'static str, String)> {
        let values = [
            self.epochs.to_string(),
            self.n1.to_string(),
            self.n2.to_string(),
            self.batch_size.to_string(),
            self.learning_rate.to_string(),
            self.hidden.to_string(),
            self.seed.to_string(),
            self.train_size.to_string(),
        ];
        FIELDS.iter().map(|f| f.key).zip(values).collect()
    }
}

/// Parses one field's text against its limits, with a message a user can act on.
pub fn parse_field(spec: &FieldSpec, text: &str) -> Result<f64, String> {
    let text = text.trim();
    if text.is_empty() {
        return Err(format!("{} is empty; enter a number.", spec.label));
    }
    let value: f64 = text
        .parse()
        .map_err(|_| format!("“{text}” is not a number."))?;
    if !value.is_finite() {
        return Err(format!("{} must be a finite number.", spec.label));
    }
    if spec.integer && value.fract() != 0.0 {
        return Err(format!("{} must be a whole number.", spec.label));
    }
    let too_low = if spec.min_exclusive {
        value <= spec.min
    } else {
        value < spec.min
    };
    if too_low || value > spec.max {
        let low = if spec.min_exclusive {
            "above"
        } else {
            "at least"
        };
        return Err(format!(
            "{} must be {low} {} and at most {}.",
            spec.label, spec.min, spec.max
        ));
    }
    Ok(value)
}
