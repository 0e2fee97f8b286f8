//! The wasm-bindgen layer: converts types and errors between JavaScript and the core,
//! and nothing else. Compiled only for wasm32.

#[cfg(feature = "bench")]
pub mod bench;
pub mod canvas;
pub mod chart;
pub mod clock;
pub mod comparison;
pub mod heatmap;
mod js;
pub mod page;
pub mod start;
pub mod stored;
pub mod sweep;
pub mod sweep_session;
pub mod worker;
