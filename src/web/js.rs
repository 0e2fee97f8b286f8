//! Moving plain data between JavaScript values and Rust types, through JSON text: the same
//! serde derives the protocol uses, so a JS object has exactly the documented shape.

use serde::de::DeserializeOwned;
use serde::Serialize;
use wasm_bindgen::prelude::*;

/// A Rust value as a plain JS object (numbers that are not finite become `null`).
pub fn to_js(value: &impl Serialize) -> Result<JsValue, JsError> {
    let text = serde_json::to_string(value).map_err(|e| JsError::new(&e.to_string()))?;
    js_sys::JSON::parse(&text).map_err(|_| JsError::new("serde_json wrote invalid JSON"))
}

/// A plain JS value read as `T`; `what` names it in the error.
pub fn from_js<T: DeserializeOwned>(value: &JsValue, what: &str) -> Result<T, JsError> {
    let text: String = js_sys::JSON::stringify(value)
        .map_err(|_| JsError::new(&format!("The {what} cannot be written as JSON.")))?
        .into();
    serde_json::from_str(&text).map_err(|e| JsError::new(&format!("The {what} is malformed: {e}.")))
}
