//! The page's parameters as options: one `--KEY VALUE` per field spec of `ayla::config`
//! (plus `--seeds` for a sweep), with the page's label, help and limits. Values are kept
//! as typed; `Config::parse` and `Sweep::parse` judge them, with the page's sentences.

use clap::error::ErrorKind;
use clap::{Arg, ArgMatches, Args, Command, FromArgMatches};

use ayla::config::{Access, Config, FieldError, FieldSpec, FIELDS};
use ayla::sweep::{Sweep, AXES, MAX_AXIS_VALUES, SEEDS_FIELD};

use ayla::text::thousands;

/// The parameters of one run (`ayla train`).
pub type RunFields = Fields<false>;
/// The parameters of a sweep: N1, N2 and the learning rate as lists or ranges, and the
/// seed count.
pub type SweepFields = Fields<true>;

/// What was typed for each parameter given on the command line.
#[derive(Debug, Clone, Default)]
pub struct Fields<const SWEEP: bool> {
    values: Vec<(&'static str, String)>,
}

impl<const SWEEP: bool> Fields<SWEEP> {
    /// The options' keys: the run's fields, and a sweep's seed count.
    fn keys() -> impl Iterator<Item = &'static str> {
        FIELDS
            .iter()
            .map(|f| f.key)
            .chain(SWEEP.then_some(SEEDS_FIELD.key))
    }

    /// What was typed for `key`, if it was given.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.values
            .iter()
            .find(|(k, _)| *k == key)
            .map(|(_, v)| v.as_str())
    }
}

impl RunFields {
    /// The run's config; refused values are a usage error (exit code 2).
    pub fn config(&self) -> Result<Config, clap::Error> {
        Config::parse(|key| self.get(key)).map_err(|errors| refused(&errors))
    }
}

impl SweepFields {
    /// The sweep; `fallback(key)` gives a value not typed here (e.g. from a page link).
    pub fn sweep<'a>(
        &'a self,
        fallback: impl Fn(&str) -> Option<&'a str>,
    ) -> Result<Sweep, clap::Error> {
        Sweep::parse(|key| self.get(key).or_else(|| fallback(key))).map_err(|e| refused(&e))
    }
}

/// Every refused field on its line, named by its option: `--epochs: Epochs must be …`.
fn refused(errors: &[FieldError]) -> clap::Error {
    let lines: Vec<String> = errors
        .iter()
        .map(|e| format!("--{}: {}", e.key, e.message))
        .collect();
    clap::Error::raw(ErrorKind::ValueValidation, lines.join("\n") + "\n")
}

impl<const SWEEP: bool> FromArgMatches for Fields<SWEEP> {
    fn from_arg_matches(matches: &ArgMatches) -> Result<Self, clap::Error> {
        let mut fields = Fields::default();
        fields.update_from_arg_matches(matches)?;
        Ok(fields)
    }

    fn update_from_arg_matches(&mut self, matches: &ArgMatches) -> Result<(), clap::Error> {
        for key in Self::keys() {
            if let Some(value) = matches.get_one::<String>(key) {
                self.values.retain(|(k, _)| *k != key);
                self.values.push((key, value.clone()));
            }
        }
        Ok(())
    }
}

impl<const SWEEP: bool> Args for Fields<SWEEP> {
    fn augment_args(command: Command) -> Command {
        let command = FIELDS.iter().fold(command, |command, spec| {
            let axis = AXES.iter().find(|a| SWEEP && a.key == spec.key);
            command.arg(option(spec, axis.map(|a| a.help)))
        });
        if SWEEP {
            command.arg(option(&SEEDS_FIELD, None))
        } else {
            command
        }
    }

    fn augment_args_for_update(command: Command) -> Command {
        Self::augment_args(command)
    }
}

/// The `--KEY VALUE` option of a field: a list for a sweep's axes (`axis`: how to write
/// one) and for a list field.
fn option<T>(spec: &FieldSpec<T>, axis: Option<&str>) -> Arg {
    let list = axis.is_some() || spec.access.max_items() > 1;
    let value_name = match (list, spec.integer) {
        _ if !spec.choices.is_empty() => "NAME",
        (true, _) => "LIST",
        (false, true) => "N",
        (false, false) => "X",
    };
    Arg::new(spec.key)
        .long(spec.key)
        .value_name(value_name)
        .allow_hyphen_values(true) // "-1" reaches the parser, which explains it
        .help(help(spec, axis))
}

/// A limit or default as the page writes it: "4,294,967,295", "0.01".
fn number(value: f64) -> String {
    if value.fract() == 0.0 && value >= 0.0 {
        thousands(value as usize)
    } else {
        value.to_string()
    }
}

/// The spec's help with its limits as the page writes them, e.g.
/// "Passes over the training set. [1 to 1,000; default: 5]", or for a list
/// "… [1 to 4,096 each, at most 3 layers; default: 128]".
fn help<T>(spec: &FieldSpec<T>, axis: Option<&str>) -> String {
    if !spec.choices.is_empty() {
        let names: Vec<&str> = spec.choices.iter().map(|c| c.name).collect();
        let default = spec.choices[spec.default as usize].name;
        return format!("{} [{}; default: {default}]", spec.help, names.join(", "));
    }
    let mut limits = if spec.min_exclusive {
        format!("{} < {} ≤ {}", spec.min, spec.label, number(spec.max))
    } else {
        format!("{} to {}", number(spec.min), number(spec.max))
    };
    if let Access::List {
        max_items, items, ..
    } = spec.access
    {
        limits += &format!(" each, at most {max_items} {items}");
    }
    let list = axis.map_or(String::new(), |how| {
        format!(" {how} At most {MAX_AXIS_VALUES} values.")
    });
    format!(
        "{}{list} [{limits}; default: {}]",
        spec.help,
        number(spec.default)
    )
}
