//! Fuzzes the IDX reader: every input is cut into an image file and a label file and goes
//! through every entry point, checked by `fuzz/idx_checks.rs` (shared with the property test
//! `tests/idx_fuzz.rs`): no panic, the result the IDX format prescribes, each rejection a named
//! error with a one-sentence message, and no allocation larger than the input justifies.
//!
//! Input layout: see `idx_checks::split_input`.
#![no_main]

use std::sync::Once;

use libfuzzer_sys::fuzz_target;

#[path = "../idx_checks.rs"]
#[allow(dead_code)] // the property test also tallies outcomes by name
mod idx_checks;

#[global_allocator]
static ALLOC: idx_checks::Counting = idx_checks::Counting;

fuzz_target!(|data: &[u8]| {
    static INSTALLED: Once = Once::new();
    INSTALLED.call_once(idx_checks::assert_counting_is_installed);
    let (images, labels) = idx_checks::split_input(data);
    let _ = idx_checks::check_all(images, labels);
});
