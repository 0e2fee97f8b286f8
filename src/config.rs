//! The run's parameters: their defaults and limits (the one source of truth the page and
//! the `ayla` command line read), and validation of what a user typed.

use serde::{Deserialize, Serialize};
use std::fmt;

use crate::shape::{Hidden, MAX_HIDDEN_LAYERS};
use crate::text::thousands;

/// One user-settable parameter of a `T` (a [`Config`], or a sweep for its seed count): its
/// URL/CLI key, its label, its limits, and where it lives in a `T`.
#[derive(Debug, Serialize)]
#[serde(bound = "")]
pub struct FieldSpec<T: 'static = Config> {
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
    /// For a choice, its options in order (the field's value is the chosen one's index,
    /// and `min`/`max` bound that index); empty for a number.
    pub choices: &'static [Choice],
    /// Where the field's value lives in a `T`: one number, or a list of them. The page
    /// sees only how many numbers the field takes (`max_items`: 1, or a list's most).
    #[serde(rename = "max_items", serialize_with = "max_items")]
    pub access: Access<T>,
}

/// How a field's value is read from and written to a `T`.
#[derive(Debug)]
pub enum Access<T: 'static> {
    /// One number (a choice's is its option's index).
    One {
        get: fn(&T) -> f64,
        /// Sets the field to a value that passed [`check_value`].
        set: fn(&mut T, f64),
    },
    /// A list of 1 to `max_items` numbers, each within the field's limits, typed with
    /// commas: "256,128".
    List {
        max_items: usize,
        /// What the numbers count, for "Hidden units: at most 3 layers."
        items: &'static str,
        get: fn(&T) -> Vec<f64>,
        /// Sets the field to values that passed [`check_list`].
        set: fn(&mut T, &[f64]),
    },
}

impl<T> Access<T> {
    /// The most numbers the field takes.
    pub fn max_items(&self) -> usize {
        match self {
            Access::One { .. } => 1,
            Access::List { max_items, .. } => *max_items,
        }
    }
}

fn max_items<T, S: serde::Serializer>(
    access: &Access<T>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    serializer.serialize_u64(access.max_items() as u64)
}

/// One option of a choice field: the name typed in a link or on the command line, and the
/// label the page shows.
#[derive(Debug, Serialize)]
pub struct Choice {
    pub name: &'static str,
    pub label: &'static str,
}

/// Every parameter of a run, in the order the page shows them: the one list of them.
pub const FIELDS: [FieldSpec; 11] = [
    FieldSpec {
        key: "epochs",
        input_id: "epochs",
        label: "Epochs",
        default: 5.0,
        min: 1.0,
        max: 1000.0,
        min_exclusive: false,
        integer: true,
        help: "Passes over the training set.",
        choices: &[],
        access: Access::One {
            get: |c| c.epochs as f64,
            set: |c, v| c.epochs = v as usize,
        },
    },
    FieldSpec {
        key: "n1",
        input_id: "n1",
        label: "N1",
        default: 0.95,
        min: 0.0,
        max: 10.0,
        min_exclusive: true,
        integer: false,
        help: "AYLA exponent while the batch loss is above 1.",
        choices: &[],
        access: Access::One {
            get: |c| f64::from(c.n1),
            set: |c, v| c.n1 = v as f32,
        },
    },
    FieldSpec {
        key: "n2",
        input_id: "n2",
        label: "N2",
        default: 1.0,
        min: 0.0,
        max: 10.0,
        min_exclusive: true,
        integer: false,
        help: "AYLA exponent while the batch loss is below 1.",
        choices: &[],
        access: Access::One {
            get: |c| f64::from(c.n2),
            set: |c, v| c.n2 = v as f32,
        },
    },
    FieldSpec {
        key: "batch",
        input_id: "batch",
        label: "Batch size",
        default: 128.0,
        min: 1.0,
        max: 60000.0,
        min_exclusive: false,
        integer: true,
        help: "Images per training step.",
        choices: &[],
        access: Access::One {
            get: |c| c.batch_size as f64,
            set: |c, v| c.batch_size = v as usize,
        },
    },
    FieldSpec {
        key: "lr",
        input_id: "lr",
        label: "Learning rate",
        default: 0.01,
        min: 0.0,
        max: 10.0,
        min_exclusive: true,
        integer: false,
        help: "Step size of the optimizer.",
        choices: &[],
        access: Access::One {
            get: |c| f64::from(c.learning_rate),
            set: |c, v| c.learning_rate = v as f32,
        },
    },
    FieldSpec {
        key: "optimizer",
        input_id: "optimizer",
        label: "Optimizer",
        default: 0.0,
        min: 0.0,
        max: 2.0,
        min_exclusive: false,
        integer: true,
        help: "What moves the weights along the (AYLA-transformed) gradient, with Keras' \
               settings: plain SGD (the original), SGD with momentum 0.9, or Adam.",
        choices: &[
            Choice {
                name: "sgd",
                label: "SGD",
            },
            Choice {
                name: "momentum",
                label: "SGD with momentum 0.9",
            },
            Choice {
                name: "adam",
                label: "Adam",
            },
        ],
        access: Access::One {
            get: |c| c.optimizer as usize as f64,
            set: |c, v| c.optimizer = Optimizer::ALL[v as usize],
        },
    },
    FieldSpec {
        key: "hidden",
        input_id: "hidden",
        label: "Hidden units",
        default: 128.0,
        min: 1.0,
        max: 4096.0,
        min_exclusive: false,
        integer: true,
        help: "Widths of the ReLU layers, from the pixels' to the output's: 128 is one \
               layer, 256,128 two.",
        choices: &[],
        access: Access::List {
            max_items: MAX_HIDDEN_LAYERS,
            items: "layers",
            get: |c| c.hidden.widths().iter().map(|&w| w as f64).collect(),
            set: |c, v| {
                let widths: Vec<usize> = v.iter().map(|&w| w as usize).collect();
                c.hidden = Hidden::new(&widths).expect("a checked list has 1 to 3 layers");
            },
        },
    },
    FieldSpec {
        key: "seed",
        input_id: "seed",
        label: "Seed",
        default: 42.0,
        min: 0.0,
        max: 4294967295.0,
        min_exclusive: false,
        integer: true,
        help: "Initial weights and batch order.",
        choices: &[],
        access: Access::One {
            get: |c| c.seed as f64,
            set: |c, v| c.seed = v as u64,
        },
    },
    FieldSpec {
        key: "train",
        input_id: "train-size",
        label: "Training images",
        default: 60000.0,
        min: 1.0,
        max: 1000000.0,
        min_exclusive: false,
        integer: true,
        help: "First N training images used.",
        choices: &[],
        access: Access::One {
            get: |c| c.train_size as f64,
            set: |c, v| c.train_size = v as usize,
        },
    },
    FieldSpec {
        key: "validate",
        input_id: "validate",
        label: "Validate on",
        default: 0.0,
        min: 0.0,
        max: 1.0,
        min_exclusive: false,
        integer: true,
        help: "Where each epoch's validation figures come from: the test set (the original), \
               or the last K training images, held out from training (then the test set is \
               scored once, at the end of each run).",
        choices: &[
            Choice {
                name: "test",
                label: "Test set",
            },
            Choice {
                name: "held-out",
                label: "Last K training images",
            },
        ],
        access: Access::One {
            get: |c| c.validation as usize as f64,
            set: |c, v| c.validation = Validation::ALL[v as usize],
        },
    },
    FieldSpec {
        key: "holdout",
        input_id: "holdout",
        label: "Held-out images (K)",
        default: DEFAULT_HOLDOUT as f64,
        min: 1.0,
        max: 59999.0,
        min_exclusive: false,
        integer: true,
        help: "With Validate on the last K training images: K.",
        choices: &[],
        access: Access::One {
            get: |c| c.holdout as f64,
            set: |c, v| c.holdout = v as usize,
        },
    },
];

/// The base optimizer, with Keras' semantics (see `SPEC.md`); AYLA transforms the gradient
/// before it reaches any of them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Optimizer {
    #[default]
    Sgd,
    Momentum,
    Adam,
}

impl Optimizer {
    /// In the order of the field's choices.
    pub const ALL: [Optimizer; 3] = [Optimizer::Sgd, Optimizer::Momentum, Optimizer::Adam];

    /// Its label on the page ("SGD with momentum 0.9"), for the lines that describe a run.
    pub fn label(self) -> &'static str {
        choice_label("optimizer", self as usize)
    }
}

/// The label of choice `index` of the field `key`.
fn choice_label(key: &str, index: usize) -> &'static str {
    let field = FIELDS.iter().find(|f| f.key == key);
    field.expect("a field of that key").choices[index].label
}

/// Which images the per-epoch validation figures come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Validation {
    /// The test set, as the original does.
    #[default]
    Test,
    /// The last `holdout` training images, which are then not trained on.
    HeldOut,
}

impl Validation {
    /// In the order of the field's choices.
    pub const ALL: [Validation; 2] = [Validation::Test, Validation::HeldOut];
}

/// A validated set of parameters. Deserialising one checks every field against its limits,
/// so a message or a stored record cannot carry a config the inputs would refuse.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "Unchecked")]
pub struct Config {
    pub epochs: usize,
    pub n1: f32,
    pub n2: f32,
    pub batch_size: usize,
    pub learning_rate: f32,
    /// Widths of the hidden layers (the original: one of 128).
    pub hidden: Hidden,
    pub seed: u64,
    pub train_size: usize,
    pub optimizer: Optimizer,
    pub validation: Validation,
    /// Training images held out for validation (with [`Validation::HeldOut`]).
    pub holdout: usize,
    /// Shuffle the training set each epoch (the page always does; reference runs do not).
    pub shuffle: bool,
}

/// A config as it arrives from outside, before its fields are checked.
#[derive(Deserialize)]
struct Unchecked {
    epochs: usize,
    n1: f32,
    n2: f32,
    batch_size: usize,
    learning_rate: f32,
    // A number in records written when there was one hidden layer.
    hidden: Hidden,
    seed: u64,
    train_size: usize,
    // Absent from records and exports written before these fields existed.
    #[serde(default)]
    optimizer: Optimizer,
    #[serde(default)]
    validation: Validation,
    #[serde(default = "default_holdout")]
    holdout: usize,
    shuffle: bool,
}

/// K when a link or a record does not say (a sixth of MNIST's training set).
pub const DEFAULT_HOLDOUT: usize = 10_000;

fn default_holdout() -> usize {
    DEFAULT_HOLDOUT
}

impl TryFrom<Unchecked> for Config {
    type Error = String;

    fn try_from(u: Unchecked) -> Result<Config, String> {
        let config = Config {
            epochs: u.epochs,
            n1: u.n1,
            n2: u.n2,
            batch_size: u.batch_size,
            learning_rate: u.learning_rate,
            hidden: u.hidden,
            seed: u.seed,
            train_size: u.train_size,
            optimizer: u.optimizer,
            validation: u.validation,
            holdout: u.holdout,
            shuffle: u.shuffle,
        };
        config.check().map(|()| config)
    }
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

impl FieldError {
    pub fn new<T>(spec: &FieldSpec<T>, message: String) -> FieldError {
        FieldError {
            key: spec.key,
            input_id: spec.input_id,
            message,
        }
    }
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
        let mut config = BLANK;
        let mut errors = Vec::new();
        for spec in &FIELDS {
            if let Err(message) = spec.parse_into(&mut config, lookup(spec.key)) {
                errors.push(FieldError::new(spec, message));
            }
        }
        // K against the training images, once both (and the choice) read well.
        let split_fields = ["train", "validate", HOLDOUT_FIELD.key];
        if !errors.iter().any(|e| split_fields.contains(&e.key)) {
            if let Err(message) = config.check_holdout(config.train_size) {
                errors.push(FieldError::new(HOLDOUT_FIELD, message));
            }
        }
        if errors.is_empty() {
            Ok(config)
        } else {
            Err(errors)
        }
    }

    /// Checks every field of a config built in code or read from outside, and K against
    /// the training images.
    pub fn check(&self) -> Result<(), String> {
        let problems: Vec<String> = FIELDS
            .iter()
            .filter_map(|spec| {
                spec.check_in(self)
                    .err()
                    .map(|e| format!("{}: {e}", spec.key))
            })
            .chain(
                self.check_holdout(self.train_size)
                    .err()
                    .map(|e| format!("{}: {e}", HOLDOUT_FIELD.key)),
            )
            .collect();
        if problems.is_empty() {
            Ok(())
        } else {
            Err(format!(
                "Parameters outside their limits: {}",
                problems.join("; ")
            ))
        }
    }

    /// Training images a run of this config uses when `loaded` are at hand: the first
    /// `train_size`, or all of them if there are fewer.
    pub fn images_used(&self, loaded: usize) -> usize {
        self.train_size.min(loaded)
    }

    /// With held-out validation, K must leave images to train on: fewer than the `images`
    /// the run uses (the config's `train_size`, or fewer if the data has fewer). Validated
    /// on the test set, K plays no part and anything goes.
    pub fn check_holdout(&self, images: usize) -> Result<(), String> {
        if self.validation == Validation::HeldOut && self.holdout >= images {
            Err(format!(
                "{} must be fewer than the training images ({}).",
                HOLDOUT_FIELD.label,
                thousands(images)
            ))
        } else {
            Ok(())
        }
    }

    /// Checks K against the training images of the data at hand (`loaded`), which may be
    /// fewer than the config asks for (the page's own files, a small data folder): the
    /// refusal names the K field, as [`Config::parse`] does.
    pub fn check_data(&self, loaded: usize) -> Result<(), FieldError> {
        let used = self.images_used(loaded);
        self.check_holdout(used).map_err(|message| {
            let message = if used < self.train_size {
                format!(
                    "{} must be fewer than the training images: the data has only {}.",
                    HOLDOUT_FIELD.label,
                    thousands(loaded)
                )
            } else {
                message
            };
            FieldError::new(HOLDOUT_FIELD, message)
        })
    }

    /// The parameters as `(key, text)` pairs, the inverse of [`Config::parse`] (for URLs).
    pub fn to_pairs(&self) -> Vec<(&'static str, String)> {
        FIELDS
            .iter()
            .map(|spec| (spec.key, spec.text_in(self)))
            .collect()
    }
}

/// The field K is reported on when it does not fit the training images.
const HOLDOUT_FIELD: &FieldSpec = &FIELDS[10];

/// The starting point [`Config::parse`] fills in, field by field.
const BLANK: Config = Config {
    epochs: 0,
    n1: 0.0,
    n2: 0.0,
    batch_size: 0,
    learning_rate: 0.0,
    hidden: Hidden::one(0),
    seed: 0,
    train_size: 0,
    optimizer: Optimizer::Sgd,
    validation: Validation::Test,
    holdout: 0,
    shuffle: true,
};

impl<T> FieldSpec<T> {
    /// Sets the field in `target` from what the user typed (`None`: the default).
    pub fn parse_into(&self, target: &mut T, text: Option<&str>) -> Result<(), String> {
        match &self.access {
            Access::One { set, .. } => {
                set(
                    target,
                    text.map_or(Ok(self.default), |t| parse_field(self, t))?,
                );
            }
            Access::List { set, .. } => {
                set(
                    target,
                    &text.map_or(Ok(vec![self.default]), |t| parse_list(self, t))?,
                );
            }
        }
        Ok(())
    }

    /// Checks the field's value in `target` against its limits.
    pub fn check_in(&self, target: &T) -> Result<(), String> {
        match &self.access {
            Access::One { get, .. } => check_value(self, get(target)).map(drop),
            Access::List { get, .. } => check_list(self, &get(target)),
        }
    }

    /// The field's value in `target` as the user would type it.
    pub fn text_in(&self, target: &T) -> String {
        match &self.access {
            Access::One { get, .. } => field_text(self, get(target)),
            Access::List { get, .. } => {
                let items: Vec<String> = get(target).iter().map(|&v| field_text(self, v)).collect();
                items.join(",")
            }
        }
    }
}

/// A field's value as the user would type it: whole numbers without decimals, and the
/// exponents and learning rate as the f32 they are kept in ("0.95", not 0.949999988…).
fn field_text<T>(spec: &FieldSpec<T>, value: f64) -> String {
    if let Some(choice) = spec.choices.get(value as usize) {
        choice.name.to_string()
    } else if spec.integer {
        format!("{value:.0}")
    } else {
        (value as f32).to_string()
    }
}

/// Parses one field's text against its limits, with a message a user can act on.
pub fn parse_field<T>(spec: &FieldSpec<T>, text: &str) -> Result<f64, String> {
    let text = text.trim();
    if !spec.choices.is_empty() {
        return parse_choice(spec, text);
    }
    if text.is_empty() {
        return Err(format!("{} is empty; enter a number.", spec.label));
    }
    let value: f64 = text
        .parse()
        .map_err(|_| format!("“{text}” is not a number."))?;
    check_value(spec, value)
}

/// Parses a list field's text: numbers separated by commas (or spaces), e.g. "256,128",
/// each checked as the field's single number would be, and not more than the field takes.
pub fn parse_list<T>(spec: &FieldSpec<T>, text: &str) -> Result<Vec<f64>, String> {
    let items: Vec<&str> = text
        .split(|c: char| c == ',' || c.is_whitespace())
        .filter(|item| !item.is_empty())
        .collect();
    if items.is_empty() {
        return Err(format!("{} is empty; enter a number.", spec.label));
    }
    let values = items
        .iter()
        .map(|item| parse_field(spec, item))
        .collect::<Result<Vec<f64>, String>>()?;
    check_list(spec, &values)?;
    Ok(values)
}

/// Checks a list field's values: 1 to its most, each within its limits.
pub fn check_list<T>(spec: &FieldSpec<T>, values: &[f64]) -> Result<(), String> {
    if let Access::List {
        max_items, items, ..
    } = spec.access
    {
        if values.len() > max_items {
            return Err(format!("{}: at most {max_items} {items}.", spec.label));
        }
    }
    if values.is_empty() {
        return Err(format!("{} is empty; enter a number.", spec.label));
    }
    values
        .iter()
        .try_for_each(|&v| check_value(spec, v).map(drop))
}

/// A choice's index from its name (any case).
fn parse_choice<T>(spec: &FieldSpec<T>, text: &str) -> Result<f64, String> {
    let names: Vec<&str> = spec.choices.iter().map(|c| c.name).collect();
    names
        .iter()
        .position(|name| name.eq_ignore_ascii_case(text))
        .map(|index| index as f64)
        .ok_or_else(|| {
            format!(
                "{} must be one of {}; “{text}” is not.",
                spec.label,
                names.join(", ")
            )
        })
}

/// Checks a number against a field's limits.
pub fn check_value<T>(spec: &FieldSpec<T>, value: f64) -> Result<f64, String> {
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
