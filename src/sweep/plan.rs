//! A sweep's plan: the grid a user types (N1, N2 and the learning rate as axes, a seed
//! count), the runs it makes, and its page link.

use std::fmt::Write as _;

use serde::{Deserialize, Serialize};

use super::axis::{parse_axis, AXES, MAX_AXIS_VALUES};
use crate::config::{check_value, parse_field, Access, Config, FieldError, FieldSpec, FIELDS};
use crate::method::Method;
use crate::protocol::Job;
use crate::text::plural;

/// The number of seeds per setting: seeds `seed`, `seed + 1`, … are used.
pub const SEEDS_FIELD: FieldSpec<Sweep> = FieldSpec {
    key: "seeds",
    input_id: "seeds",
    label: "Seeds",
    default: 1.0,
    min: 1.0,
    max: 10.0,
    min_exclusive: false,
    integer: true,
    help: "Runs per setting, with seeds Seed, Seed + 1, …",
    choices: &[],
    access: Access::One {
        get: |s| s.seeds as f64,
        set: |s, v| s.seeds = v as usize,
    },
};

/// Runs one sweep may plan (AYLA cells × learning rates × seeds, plus one Normal per
/// learning rate and seed). Beyond this a sweep takes hours on a laptop and its table stops
/// being readable.
pub const MAX_RUNS: usize = 300;

/// A validated sweep: the shared parameters, the two exponent axes, the learning rates and
/// the seed count. Deserialising one checks it as [`Sweep::parse`] does (a stored record or
/// a plan file cannot carry a grid the inputs would refuse).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "Unchecked")]
pub struct Sweep {
    /// Every parameter but the axes (its `n1`, `n2` and `learning_rate` are the axes'
    /// first values).
    pub base: Config,
    pub n1: Vec<f32>,
    pub n2: Vec<f32>,
    /// The learning rates, each with its own Normal baseline per seed.
    pub lr: Vec<f32>,
    pub seeds: usize,
}

/// A sweep as it arrives from outside, before it is checked.
#[derive(Deserialize)]
struct Unchecked {
    base: Config,
    n1: Vec<f32>,
    n2: Vec<f32>,
    /// Absent from records and plans written before the learning rate was an axis: then
    /// the base config's rate alone.
    #[serde(default)]
    lr: Option<Vec<f32>>,
    seeds: usize,
}

impl TryFrom<Unchecked> for Sweep {
    type Error = String;

    fn try_from(u: Unchecked) -> Result<Sweep, String> {
        let sweep = Sweep {
            lr: u.lr.unwrap_or_else(|| vec![u.base.learning_rate]),
            base: u.base,
            n1: u.n1,
            n2: u.n2,
            seeds: u.seeds,
        };
        sweep.check().map(|()| sweep)
    }
}

fn field(key: &str) -> &'static FieldSpec {
    FIELDS
        .iter()
        .find(|f| f.key == key)
        .expect("the axes are fields")
}

impl Sweep {
    /// Validates a sweep's inputs: the same keys as a single run, with `n1`, `n2` and `lr`
    /// as axes (see [`parse_axis`]) and `seeds`. Reports every bad field at once; a grid
    /// over [`MAX_RUNS`] is reported on the N1 field (where the grid starts).
    pub fn parse<'a>(lookup: impl Fn(&str) -> Option<&'a str>) -> Result<Sweep, Vec<FieldError>> {
        let mut errors = Vec::new();
        let axis = |key: &str| {
            let spec = field(key);
            let parsed = match lookup(key) {
                None => Ok(vec![spec.default as f32]),
                Some(text) => parse_axis(spec, text),
            };
            parsed.map_err(|message| FieldError::new(spec, message))
        };
        let axes = AXES.map(|a| axis(a.key));
        let seeds = lookup(SEEDS_FIELD.key)
            .map_or(Ok(SEEDS_FIELD.default), |t| parse_field(&SEEDS_FIELD, t))
            .map_err(|message| FieldError::new(&SEEDS_FIELD, message));
        // The other fields as a single run reads them; the axes are checked above.
        let base = Config::parse(|key| {
            if AXES.iter().any(|a| a.key == key) {
                None
            } else {
                lookup(key)
            }
        });
        errors.extend(axes.iter().filter_map(|r| r.clone().err()));
        errors.extend(seeds.clone().err());
        if let Err(field_errors) = &base {
            errors.extend(field_errors.iter().cloned());
        }
        let ([Ok(n1), Ok(n2), Ok(lr)], Ok(seeds), Ok(mut base)) = (axes, seeds, base) else {
            errors.sort_by_key(|e| input_order(e.key));
            return Err(errors);
        };
        (base.n1, base.n2, base.learning_rate) = (n1[0], n2[0], lr[0]);
        let sweep = Sweep {
            base,
            n1,
            n2,
            lr,
            seeds: seeds as usize,
        };
        match sweep.too_large() {
            Some(message) => Err(vec![FieldError::new(field("n1"), message)]),
            None => Ok(sweep),
        }
    }

    /// Why the sweep has too many runs, if it has.
    fn too_large(&self) -> Option<String> {
        (self.run_count() > MAX_RUNS).then(|| {
            format!(
                "The sweep would be {} runs ({}); the limit is {MAX_RUNS}. Use fewer values \
                 or seeds.",
                self.run_count(),
                self.grid_text(),
            )
        })
    }

    /// The grid in words: "3 × 3 settings × 2 seeds, plus Normal", or with several
    /// learning rates "2 × 2 settings × 7 learning rates × 3 seeds, plus Normal at each
    /// rate".
    pub fn grid_text(&self) -> String {
        let settings = if self.cells() == 1 {
            "setting"
        } else {
            "settings"
        };
        let seeds = plural(self.seeds, "seed");
        let (n1, n2) = (self.n1.len(), self.n2.len());
        match self.lr.len() {
            1 => format!("{n1} × {n2} {settings} × {seeds}, plus Normal"),
            rates => format!(
                "{n1} × {n2} {settings} × {rates} learning rates × {seeds}, plus Normal at \
                 each rate"
            ),
        }
    }

    /// Checks a sweep read from outside as [`Sweep::parse`] would have built it: every
    /// value within its field's limits, each axis ascending without repeats and not too
    /// long, the base config's axis fields their first values, and not too many runs.
    /// (Its base config checked itself when it was read.)
    fn check(&self) -> Result<(), String> {
        for (key, axis) in [("n1", &self.n1), ("n2", &self.n2), ("lr", &self.lr)] {
            let spec = field(key);
            if axis.is_empty() || axis.len() > MAX_AXIS_VALUES {
                return Err(format!(
                    "{} must have 1 to {MAX_AXIS_VALUES} values.",
                    spec.label
                ));
            }
            if axis.windows(2).any(|pair| pair[0] >= pair[1]) {
                return Err(format!(
                    "{} must be ascending, without repeats.",
                    spec.label
                ));
            }
            for &value in axis.iter() {
                check_value(spec, f64::from(value))?;
            }
        }
        if self.base.learning_rate != self.lr[0] {
            return Err(
                "The learning rate of the shared parameters is not the first of the \
                        sweep's learning rates."
                    .to_string(),
            );
        }
        check_value(&SEEDS_FIELD, self.seeds as f64)?;
        self.too_large().map_or(Ok(()), Err)
    }

    /// The seeds used, from the base seed up (wrapping within the seed field's range).
    pub fn seed_values(&self) -> Vec<u64> {
        let modulus = field("seed").max as u64 + 1;
        (0..self.seeds as u64)
            .map(|k| (self.base.seed + k) % modulus)
            .collect()
    }

    /// AYLA settings in the grid.
    pub fn cells(&self) -> usize {
        self.n1.len() * self.n2.len()
    }

    /// Runs in all: every setting at every learning rate for every seed, plus one Normal
    /// per learning rate and seed.
    pub fn run_count(&self) -> usize {
        (self.cells() + 1) * self.lr.len() * self.seeds
    }

    /// The place in [`Sweep::jobs`] of the run of seed number `seed` (0-based), learning
    /// rate number `rate`, and setting number `cell` in grid order (N1 outer, N2 inner), or
    /// Normal for `None`.
    pub fn job_id(&self, seed: usize, rate: usize, cell: Option<usize>) -> usize {
        let per_rate = self.cells() + 1;
        (seed * self.lr.len() + rate) * per_rate + cell.map_or(0, |c| c + 1)
    }

    /// Every run, seed by seed and, within a seed, learning rate by learning rate, each
    /// rate's Normal baseline first (so a comparison can be made as soon as its first AYLA
    /// run ends); then N1 and N2 ascending. With one learning rate this is the order sweeps
    /// had before the rate was an axis, so their stored runs keep their places.
    pub fn jobs(&self) -> Vec<Job> {
        let mut jobs = Vec::with_capacity(self.run_count());
        for seed in self.seed_values() {
            for &learning_rate in &self.lr {
                let config = Config {
                    seed,
                    learning_rate,
                    ..self.base
                };
                jobs.push((Method::Normal, config));
                for &n1 in &self.n1 {
                    for &n2 in &self.n2 {
                        jobs.push((Method::Ayla, Config { n1, n2, ..config }));
                    }
                }
            }
        }
        jobs.into_iter()
            .enumerate()
            .map(|(id, (method, config))| Job { id, method, config })
            .collect()
    }

    /// The page's URL query for this sweep: `mode=sweep`, the shared parameters, the axes
    /// as lists and the seed count.
    pub fn query(&self) -> String {
        let list = |values: &[f32]| {
            values
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(",")
        };
        let mut query = String::from("mode=sweep");
        for (key, value) in self.base.to_pairs() {
            let value = match key {
                "n1" => list(&self.n1),
                "n2" => list(&self.n2),
                "lr" => list(&self.lr),
                _ => value,
            };
            let _ = write!(query, "&{key}={value}");
        }
        let _ = write!(query, "&{}={}", SEEDS_FIELD.key, self.seeds);
        query
    }
}

/// The fields' order on the page, so errors are listed as the user reads them.
fn input_order(key: &str) -> usize {
    FIELDS
        .iter()
        .position(|f| f.key == key)
        .unwrap_or(FIELDS.len())
}
