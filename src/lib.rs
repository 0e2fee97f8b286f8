//! AYLA in the browser: two identical MNIST networks, "Normal" (cross-entropy + SGD) and
//! "AYLA" (loss and gradients raised to powers N1 / N2), trained side by side.
//!
//! The numeric core (everything but `web`) is plain Rust with no browser types, so it
//! builds and is tested natively; `web` is the thin wasm-bindgen layer on top. `tasks`
//! and `bitmap` serve the native command line (`src/bin/ayla`) and are not built for
//! the page.

pub mod ayla;
/// Benchmarks (`make bench`): built only with the `bench` feature, so the page's wasm does
/// not carry them.
#[cfg(feature = "bench")]
pub mod bench;
#[cfg(not(target_arch = "wasm32"))]
pub mod bitmap;
pub mod chart;
pub mod config;
pub mod data_identity;
pub mod export;
pub mod fastmath;
pub mod history;
pub mod kernels;
pub mod method;
pub mod mnist;
pub mod model;
pub mod optimizer;
pub mod pixels;
pub mod protocol;
pub mod session;
pub mod shape;
pub mod split;
pub mod sweep;
#[cfg(not(target_arch = "wasm32"))]
pub mod tasks;
pub mod text;
pub mod train;

#[cfg(target_arch = "wasm32")]
pub mod web;
