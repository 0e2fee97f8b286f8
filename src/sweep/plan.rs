//! A sweep's plan: the grid a user types (N1 and N2 as lists or ranges, a seed count), the
//! runs it makes, and its page link.

use std::fmt::Write as _;

use serde::{Deserialize, Serialize};

use crate::config::{check_value, parse_field, Config, FieldError, FieldSpec, FIELDS};
use crate::method::Method;
use crate::protocol::Job;

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
    get: |s| s.seeds as f64,
    set: |s, v| s.seeds = v as usize,
};

/// Values one exponent axis may take: a 12 × 12 grid is already 144 cells.
pub const MAX_AXIS_VALUES: usize = 12;
/// Runs one sweep may plan (AYLA cells × seeds, plus one Normal per seed). Beyond this a
/// sweep takes hours on a laptop and its table stops being readable.
pub const MAX_RUNS: usize = 300;

/// A validated sweep: the shared parameters, the two exponent axes and the seed count.
/// Deserialising one checks it as [`Sweep::parse`] does (a stored record or a plan file
/// cannot carry a grid the inputs would refuse).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "Unchecked")]
pub struct Sweep {
    /// Every parameter but the exponents (its `n1`, `n2` are the first grid values).
    pub base: Config,
    pub n1: Vec<f32>,
    pub n2: Vec<f32>,
    pub seeds: usize,
}

/// A sweep as it arrives from outside, before it is checked.
#[derive(Deserialize)]
struct Unchecked {
    base: Config,
    n1: Vec<f32>,
    n2: Vec<f32>,
    seeds: usize,
}

impl TryFrom<Unchecked> for Sweep {
    type Error = String;

    fn try_from(u: Unchecked) -> Result<Sweep, String> {
        let sweep = Sweep {
            base: u.base,
            n1: u.n1,
            n2: u.n2,
            seeds: u.seeds,
        };
        sweep.check().map(|()| sweep)
    }
}

/// Parses an exponent axis: numbers and `start:stop:step` ranges (stop included), separated
/// by commas or spaces, e.g. `0.8, 0.9, 1.0` or `0.5:1.5:0.25`. Every value must pass the
/// field's limits. Returns the values ascending, without repeats.
pub fn parse_axis(spec: &FieldSpec, text: &str) -> Result<Vec<f32>, String> {
    let items: Vec<&str> = text
        .split(|c: char| c == ',' || c == ';' || c.is_whitespace())
        .filter(|item| !item.is_empty())
        .collect();
    if items.is_empty() {
        return Err(format!(
            "{} is empty; enter values like 0.8, 0.9 or a range like 0.5:1.5:0.25.",
            spec.label
        ));
    }
    let mut values = Vec::new();
    for item in items {
        if item.contains(':') {
            values.extend(parse_range(spec, item)?);
        } else {
            values.push(parse_field(spec, item)?);
        }
        if values.len() > MAX_AXIS_VALUES {
            return Err(too_many(spec));
        }
    }
    let mut values: Vec<f32> = values.into_iter().map(|v| v as f32).collect();
    values.sort_by(f32::total_cmp);
    values.dedup();
    Ok(values)
}

/// `start:stop:step`, stop included when the steps land on it (to rounding).
fn parse_range(spec: &FieldSpec, item: &str) -> Result<Vec<f64>, String> {
    let parts: Vec<&str> = item.split(':').collect();
    let [start, stop, step] = parts[..] else {
        return Err(format!(
            "“{item}” is not a range; write start:stop:step, e.g. 0.5:1.5:0.25."
        ));
    };
    let (start, stop) = (parse_field(spec, start)?, parse_field(spec, stop)?);
    let step: f64 = step
        .trim()
        .parse()
        .map_err(|_| format!("The step in “{item}” is not a number."))?;
    if !(step.is_finite() && step > 0.0) {
        return Err(format!("The step in “{item}” must be above 0."));
    }
    if stop < start {
        return Err(format!("In “{item}” the stop is below the start."));
    }
    // Counting steps (not adding them up) keeps 0.1-sized steps from drifting; the small
    // tolerance keeps a stop that rounding puts a hair past the last step.
    let steps = ((stop - start) / step + 1e-9).floor();
    if steps >= MAX_AXIS_VALUES as f64 {
        return Err(too_many(spec));
    }
    Ok((0..=steps as usize)
        .map(|k| round_decimal(start + k as f64 * step))
        .collect())
}

/// Drops the binary noise of `start + k · step` (0.30000000000000004 → 0.3).
fn round_decimal(value: f64) -> f64 {
    (value * 1e9).round() / 1e9
}

fn too_many(spec: &FieldSpec) -> String {
    format!(
        "{} has more than {MAX_AXIS_VALUES} values; use a coarser step.",
        spec.label
    )
}

fn field(key: &str) -> &'static FieldSpec {
    FIELDS
        .iter()
        .find(|f| f.key == key)
        .expect("the exponent fields exist")
}

impl Sweep {
    /// Validates a sweep's inputs: the same keys as a single run, with `n1` and `n2` as
    /// axes (see [`parse_axis`]) and `seeds`. Reports every bad field at once; a grid over
    /// [`MAX_RUNS`] is reported on the N1 field (where the grid starts).
    pub fn parse<'a>(lookup: impl Fn(&str) -> Option<&'a str>) -> Result<Sweep, Vec<FieldError>> {
        let mut errors = Vec::new();
        let axis = |key: &str| {
            let spec = field(key);
            let text = lookup(key).unwrap_or("");
            let parsed = if text.trim().is_empty() && lookup(key).is_none() {
                Ok(vec![spec.default as f32])
            } else {
                parse_axis(spec, text)
            };
            parsed.map_err(|message| FieldError::new(spec, message))
        };
        let (n1, n2) = (axis("n1"), axis("n2"));
        let seeds = lookup(SEEDS_FIELD.key)
            .map_or(Ok(SEEDS_FIELD.default), |t| parse_field(&SEEDS_FIELD, t))
            .map_err(|message| FieldError::new(&SEEDS_FIELD, message));
        // The other fields as a single run reads them; the exponents are checked above.
        let base = Config::parse(|key| match key {
            "n1" | "n2" => None,
            _ => lookup(key),
        });
        errors.extend([&n1, &n2].into_iter().filter_map(|r| r.clone().err()));
        errors.extend(seeds.clone().err());
        if let Err(field_errors) = &base {
            errors.extend(field_errors.iter().cloned());
        }
        let (Ok(n1), Ok(n2), Ok(seeds), Ok(mut base)) = (n1, n2, seeds, base) else {
            errors.sort_by_key(|e| input_order(e.key));
            return Err(errors);
        };
        (base.n1, base.n2) = (n1[0], n2[0]);
        let sweep = Sweep {
            base,
            n1,
            n2,
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
                "The sweep would be {} runs ({} × {} settings × {} seeds, plus Normal); \
                 the limit is {MAX_RUNS}. Use fewer values or seeds.",
                self.run_count(),
                self.n1.len(),
                self.n2.len(),
                self.seeds
            )
        })
    }

    /// Checks a sweep read from outside as [`Sweep::parse`] would have built it: every
    /// value within its field's limits, each axis ascending without repeats and not too
    /// long, and not too many runs. (Its base config checked itself when it was read.)
    fn check(&self) -> Result<(), String> {
        for (key, axis) in [("n1", &self.n1), ("n2", &self.n2)] {
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

    /// Runs in all: every setting for every seed, plus one Normal per seed.
    pub fn run_count(&self) -> usize {
        (self.cells() + 1) * self.seeds
    }

    /// Every run, seed by seed, each seed's Normal baseline first (so a comparison can be
    /// made as soon as a seed's first AYLA run ends); within a seed, N1 then N2 ascending.
    pub fn jobs(&self) -> Vec<Job> {
        let mut jobs = Vec::with_capacity(self.run_count());
        for seed in self.seed_values() {
            let config = Config { seed, ..self.base };
            jobs.push((Method::Normal, config));
            for &n1 in &self.n1 {
                for &n2 in &self.n2 {
                    jobs.push((Method::Ayla, Config { n1, n2, ..config }));
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
