//! Moving plain data between JavaScript values and Rust types, through JSON text: the same
//! serde derives the protocol uses, so a JS object has exactly the documented shape; and
//! reading a JavaScript byte buffer in pieces.

use std::ops::Range;

use serde::de::DeserializeOwned;
use serde::Serialize;
use wasm_bindgen::prelude::*;

use crate::mnist::ImageFile;

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

/// An IDX image file held by JavaScript (a file the page fetched or was given), read in
/// pieces: wasm memory never grows, and never shrinks, by a whole copy of it.
pub struct JsImageFile<'a>(pub &'a js_sys::Uint8Array);

impl ImageFile for JsImageFile<'_> {
    fn len(&self) -> usize {
        self.0.length() as usize
    }

    fn pieces(&self, range: Range<usize>, piece: usize, mut each: impl FnMut(&[u8])) {
        let mut scratch = vec![0; piece.min(range.len())];
        let mut at = range.start;
        while at < range.end {
            let n = piece.min(range.end - at);
            // Offsets fit u32: a JavaScript typed array is shorter than 2^32 bytes here.
            let part = self.0.subarray(at as u32, (at + n) as u32);
            part.copy_to(&mut scratch[..n]);
            each(&scratch[..n]);
            at += n;
        }
    }
}
