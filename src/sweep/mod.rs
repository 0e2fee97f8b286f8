//! Sweeps: AYLA over a grid of (N1, N2) values, learning rates and several seeds, each
//! (learning rate, seed) with its own Normal baseline. This module plans the runs,
//! estimates how long they take, sums up what they measured and gives the verdict; the
//! page's worker pool (or the command line) runs them. No browser types here.
//!
//! Every run of a seed starts from that seed's initial parameters and sees its batch order
//! (both depend only on the seed), so each AYLA cell is compared with the Normal run that
//! had exactly the same start and data.

mod axis;
mod estimate;
mod export;
mod import;
mod plan;
mod results;
mod table;
pub mod verdict;

pub use crate::protocol::Job;
pub use axis::{parse_axis, AxisSpec, AXES, MAX_AXIS_VALUES};
pub use estimate::{relative_cost, Speed, MEASURED_ON};
pub use plan::{Sweep, MAX_RUNS, SEEDS_FIELD};
pub use results::{JobResult, Row, Stat, SweepRecord};
pub use table::{gain_text, sorted, Column};
