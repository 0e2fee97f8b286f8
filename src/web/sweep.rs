//! The page's entry points for planning a sweep: the seeds input, checking a sweep's inputs
//! into its run plan, and the time estimate. A running sweep is a `SweepSession`.

use std::collections::HashMap;

use serde::Serialize;
use wasm_bindgen::prelude::*;

use super::js::{from_js, to_js};
use crate::config::FieldError;
use crate::protocol::Job;
use crate::sweep::{Speed, Sweep, AXES, SEEDS_FIELD};

/// The seeds input's spec, in the shape of `fields()`.
#[wasm_bindgen]
pub fn seeds_field() -> Result<JsValue, JsError> {
    to_js(&SEEDS_FIELD)
}

/// The fields a sweep takes as axes and how to write them: `[{key, help}]`.
#[wasm_bindgen]
pub fn sweep_axes() -> Result<JsValue, JsError> {
    to_js(&AXES)
}

/// What `check_sweep` found: the plan of a valid sweep, or every field's problem.
#[derive(Serialize)]
#[serde(untagged)]
enum Checked {
    Valid {
        sweep: Sweep,
        jobs: Vec<Job>,
        query: String,
        /// The grid in words: "3 × 3 settings × 2 seeds, plus Normal".
        grid: String,
    },
    Invalid {
        errors: Vec<FieldError>,
    },
}

/// Validates a sweep's inputs, given as `{key: text}` (N1, N2 and the learning rate as
/// axes, plus `seeds`). Returns `{sweep, jobs, query}` (the runs in the order the pool takes them;
/// query: the URL's `mode=sweep&…`; grid: the grid in words) or `{errors: [{key,
/// input_id, message}]}`.
#[wasm_bindgen]
pub fn check_sweep(values: JsValue) -> Result<JsValue, JsError> {
    let values: HashMap<String, String> = from_js(&values, "input values")?;
    let checked = match Sweep::parse(|key| values.get(key).map(String::as_str)) {
        Ok(sweep) => Checked::Valid {
            jobs: sweep.jobs(),
            grid: sweep.grid_text(),
            query: sweep.query(),
            sweep,
        },
        Err(errors) => Checked::Invalid { errors },
    };
    to_js(&checked)
}

/// Seconds a sweep should take on `workers` workers with `train_len` / `test_len` images,
/// at `speed` (`{normal, ayla, start_up}`) or, if that is null, the bench's speed.
#[wasm_bindgen]
pub fn sweep_estimate(
    sweep: JsValue,
    train_len: usize,
    test_len: usize,
    speed: JsValue,
    workers: usize,
) -> Result<f64, JsError> {
    let sweep: Sweep = from_js(&sweep, "sweep")?;
    let speed = if speed.is_null() || speed.is_undefined() {
        Speed::BENCH
    } else {
        from_js(&speed, "speed")?
    };
    Ok(sweep.estimate_seconds(train_len, test_len, speed, workers))
}

/// The bench's speed, for the page to show where its estimate comes from.
#[wasm_bindgen]
pub fn bench_speed() -> Result<JsValue, JsError> {
    to_js(&Speed::BENCH)
}
