//! How long a sweep should take: its runs dealt to the workers as the page's pool deals
//! them, at a measured speed.

use serde::{Deserialize, Serialize};

use super::Sweep;
use crate::method::Method;
use crate::model::{eval_cost_per_sample, train_cost_per_sample};
use crate::shape::Hidden;
use crate::split::Split;

impl Sweep {
    /// Seconds the sweep should take on `workers` parallel workers, each training at
    /// `speed`: every run's epochs (training plus the validation pass, and with held-out
    /// validation the test pass at the end), dealt to whichever worker frees up first, as
    /// the page's pool does.
    pub fn estimate_seconds(
        &self,
        train_len: usize,
        test_len: usize,
        speed: Speed,
        workers: usize,
    ) -> f64 {
        let split = Split::new(&self.base, self.base.images_used(train_len));
        // In training images of the network the speed was measured on: a deeper or wider
        // network's cost more, and validation (a forward pass only) less.
        let hidden = self.base.hidden;
        let train_cost = relative_cost(hidden);
        let eval_cost = eval_cost_per_sample(hidden) / train_cost_per_sample(MEASURED_ON);
        let (validated, tested_at_end) = match &split.held_out {
            Some(rows) => (rows.len(), test_len),
            None => (test_len, 0),
        };
        let epoch = split.trained as f64 * train_cost + validated as f64 * eval_cost;
        let images = self.base.epochs as f64 * epoch + tested_at_end as f64 * eval_cost;
        let mut free_at = vec![speed.start_up; workers.max(1)];
        for job in self.jobs() {
            let rate = match job.method {
                Method::Normal => speed.normal,
                Method::Ayla => speed.ayla,
            };
            let soonest = free_at
                .iter_mut()
                .min_by(|a, b| a.total_cmp(b))
                .expect("at least one worker");
            *soonest += images / rate;
        }
        free_at.into_iter().fold(0.0, f64::max)
    }
}

/// The network a [`Speed`] is measured on: the original's one layer of 128 units. A run of
/// another shape reports its speed converted to it (see [`relative_cost`]).
pub const MEASURED_ON: Hidden = Hidden::one(128);

/// How many times longer a training image of a network with these hidden layers takes than
/// one of [`MEASURED_ON`] (the time model of `model::train_cost_per_sample`).
pub fn relative_cost(hidden: Hidden) -> f64 {
    train_cost_per_sample(hidden) / train_cost_per_sample(MEASURED_ON)
}

/// How fast one worker trains, in training images of [`MEASURED_ON`] per second, while the
/// others are busy too; and the seconds a worker needs to start (load wasm, take and index
/// the data).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Speed {
    pub normal: f64,
    pub ayla: f64,
    pub start_up: f64,
}

impl Speed {
    /// From `make bench` on a 2-core machine (README, Performance): one epoch of both
    /// methods in parallel took 1.05 s (Normal) and 1.32 s (AYLA) for 60,000 training and
    /// 10,000 validation images, and a worker 1.5 s to its first batch. Used until this
    /// browser has measured its own speed.
    pub const BENCH: Speed = Speed {
        normal: 62_000.0,
        ayla: 49_000.0,
        start_up: 1.5,
    };
}
