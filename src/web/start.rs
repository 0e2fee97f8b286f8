//! What runs when the wasm module is instantiated, on the page and in every worker.

use wasm_bindgen::prelude::*;

/// A Rust panic then logs its message and location to the console (instead of a bare
/// "unreachable"); the JS side still sees it as a thrown error and shows it to the user.
#[wasm_bindgen(start)]
pub fn start() {
    console_error_panic_hook::set_once();
}
