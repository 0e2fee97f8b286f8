//! The page's entry points: the input fields and their validation, the messages it sends
//! and reads, checking data before a run, fresh seeds and the metric exports.

use std::collections::HashMap;

use serde::Serialize;
use wasm_bindgen::prelude::*;

use super::js::{from_js, to_js, JsImageFile};
use crate::config::{Config, FieldError, FIELDS};
use crate::export;
use crate::method::Method;
use crate::mnist;
use crate::protocol::{FromWorker, ToWorker, DATA_FILES};

/// The parameters' specs (`key, input_id, label, default, min, max, min_exclusive,
/// integer, help`), in display order: the page builds its inputs from these.
#[wasm_bindgen]
pub fn fields() -> Result<JsValue, JsError> {
    to_js(&FIELDS)
}

/// The IDX file names under `data/`, in the order `Start` carries them.
#[wasm_bindgen]
pub fn data_files() -> Vec<String> {
    DATA_FILES.iter().map(ToString::to_string).collect()
}

/// What `check_inputs` found: a config ready to run, or every field's problem.
#[derive(Serialize)]
#[serde(untagged)]
enum Checked {
    Valid { config: Config, query: String },
    Invalid { errors: Vec<FieldError> },
}

/// Validates the text of the inputs, given as `{key: text}` (a missing key takes its
/// default). Returns `{config, query}` (query: the URL's `epochs=5&n1=…`) or
/// `{errors: [{key, input_id, message}]}`.
#[wasm_bindgen]
pub fn check_inputs(values: JsValue) -> Result<JsValue, JsError> {
    let values: HashMap<String, String> = from_js(&values, "input values")?;
    let checked = match Config::parse(|key| values.get(key).map(String::as_str)) {
        Ok(config) => Checked::Valid {
            query: export::query(&config),
            config,
        },
        Err(errors) => Checked::Invalid { errors },
    };
    to_js(&checked)
}

/// Checks a checked config (a single run's, or a sweep's `base`) against the training
/// images loaded: `null`, or the refused field `{key, input_id, message}` (K must leave
/// images to train on, and the data may hold fewer than the config asks for).
#[wasm_bindgen]
pub fn check_data(config: JsValue, loaded_train: usize) -> Result<JsValue, JsError> {
    let config: Config = from_js(&config, "config")?;
    to_js(&config.check_data(loaded_train).err())
}

/// The `Start` message for one method (`"Normal"` or `"AYLA"`) of a checked config.
#[wasm_bindgen]
pub fn start_message(config: JsValue, method: JsValue) -> Result<String, JsError> {
    let config: Config = from_js(&config, "config")?;
    let method: Method = from_js(&method, "method name")?;
    Ok(ToWorker::Start { config, method }.encode())
}

/// The type of a worker's message (`"Ready"`, `"Progress"`, `"Epoch"`, `"Done"`, `"Error"`),
/// for the worker pool, which hands a worker its next run after `Ready` and `Done`; throws
/// with the reason if the message is malformed.
#[wasm_bindgen]
pub fn message_type(text: &str) -> Result<String, JsError> {
    let message = FromWorker::decode(text).map_err(|e| JsError::new(&e.to_string()))?;
    Ok(message.type_name().to_string())
}

/// Image counts of a checked dataset.
#[derive(Serialize)]
struct DatasetSize {
    train: usize,
    test: usize,
}

/// Checks the four IDX files before any worker starts, so a bad file is reported once,
/// as a sentence naming what is wrong. Returns `{train, test}` image counts. Nothing is
/// kept, and of the image files only the headers are read: the workers index their own
/// copies.
#[wasm_bindgen]
pub fn check_dataset(
    train_images: &js_sys::Uint8Array,
    train_labels: &[u8],
    test_images: &js_sys::Uint8Array,
    test_labels: &[u8],
) -> Result<JsValue, JsError> {
    let train = mnist::check_idx_file(&JsImageFile(train_images), train_labels)
        .map_err(|e| JsError::new(&format!("Training files: {e}")))?;
    let test = mnist::check_idx_file(&JsImageFile(test_images), test_labels)
        .map_err(|e| JsError::new(&format!("Test files: {e}")))?;
    mnist::check_not_empty(train, test).map_err(|e| JsError::new(&e.to_string()))?;
    to_js(&DatasetSize { train, test })
}

/// A fresh seed from the browser's secure random source (`crypto.getRandomValues`),
/// covering the seed field's whole range.
#[wasm_bindgen]
pub fn new_seed() -> Result<u32, JsError> {
    getrandom::u32().map_err(|e| JsError::new(&format!("No secure random source: {e}.")))
}
