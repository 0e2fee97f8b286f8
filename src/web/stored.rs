//! The page's storage, read back: MNIST's files and sums (what the page downloads and
//! verifies), a stored run or sweep's History line, and the session it rebuilds (see
//! `crate::session::restore`). IndexedDB itself is the page's business (www/store.js); it
//! keeps the texts Rust writes and hands them back here.

use serde::Serialize;
use wasm_bindgen::prelude::*;

use super::comparison::Comparison;
use super::js::to_js;
use super::sweep_session::SweepSession;
use crate::data_identity::{mnist_files as files, MNIST_NAME};
use crate::session::{self, RestoredSession};

/// MNIST from the site: `{name: "MNIST", files: [{name, sha256}]}`, the files in the order
/// `Start` attaches them (served under `data/` as `<name>.gz`).
#[wasm_bindgen]
pub fn mnist_files() -> Result<JsValue, JsError> {
    #[derive(Serialize)]
    struct Mnist {
        name: &'static str,
        files: Vec<crate::data_identity::DataFile>,
    }
    to_js(&Mnist {
        name: MNIST_NAME,
        files: files(),
    })
}

/// The History line of a stored session (its head and summary texts): `{kind, parameters,
/// progress, figures, state}`; throws a sentence if the record cannot be read. `live`: a
/// page is training it now.
#[wasm_bindgen]
pub fn stored_listing(head: &str, summary: &str, live: bool) -> Result<JsValue, JsError> {
    to_js(&session::listing(head, summary, live).map_err(|e| JsError::new(&e))?)
}

/// A stored session rebuilt from its texts: `{comparison}` or `{sweep}` (the page's
/// classes, to show as a live one is) with `restored: {update, caption, resumable, query,
/// skipped}`. `elsewhere`: another tab is training it. Throws a sentence if its head or
/// summary cannot be read; entries that cannot be are skipped and named.
#[wasm_bindgen]
pub fn restore_stored(
    head: &str,
    summary: &str,
    entries: Vec<String>,
    elsewhere: bool,
) -> Result<JsValue, JsError> {
    let (session, restored) =
        session::restore(head, summary, &entries, elsewhere).map_err(|e| JsError::new(&e))?;
    let result = js_sys::Object::new();
    let (key, value) = match session {
        RestoredSession::Run(run) => ("comparison", JsValue::from(Comparison::wrap(run))),
        RestoredSession::Sweep(sweep) => ("sweep", JsValue::from(SweepSession::wrap(sweep))),
    };
    set(&result, key, &value)?;
    set(&result, "restored", &to_js(&restored)?)?;
    Ok(result.into())
}

fn set(object: &js_sys::Object, key: &str, value: &JsValue) -> Result<(), JsError> {
    js_sys::Reflect::set(object, &JsValue::from_str(key), value)
        .map(|_| ())
        .map_err(|_| JsError::new("Could not build the restored session's object."))
}
