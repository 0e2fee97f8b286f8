//! The browser's monotonic clock, on the page or in a worker.

use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    /// `performance.now()`, in milliseconds since the page or worker started.
    #[wasm_bindgen(js_namespace = performance, js_name = now)]
    fn performance_now() -> f64;
}

/// Seconds on a clock that only moves forward, in sub-millisecond steps (`Date.now()`
/// moves in whole milliseconds and jumps when the system time is set).
pub fn seconds() -> f64 {
    performance_now() / 1e3
}
