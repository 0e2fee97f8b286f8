//! What the page shows while a single run or a sweep goes on, kept in Rust: each takes the
//! workers' messages and answers with the changes the page applies (`Update`). The page's
//! wasm classes (`web::comparison`, `web::sweep_session`) wrap these; everything here is
//! tested natively.

mod comparison;
mod epoch_log;
mod sweep;
mod update;

pub use comparison::{Comparison, METHODS};
pub use epoch_log::EpochLog;
pub use sweep::{SweepSession, TableRow};
pub use update::{EpochRate, Overall, RowState, RowUpdate, Status, StatusState, Update};
