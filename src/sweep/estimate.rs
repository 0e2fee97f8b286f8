//! How long a sweep should take: its runs dealt to the workers as the page's pool deals
//! them, at a measured speed.

use serde::{Deserialize, Serialize};

use super::Sweep;
use crate::method::Method;
use crate::model::{eval_flops_per_sample, train_flops_per_sample};
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
        // Validation is a forward pass only: cheaper per image by the ratio of their work.
        let hidden = self.base.hidden;
        let eval_share = eval_flops_per_sample(hidden) / train_flops_per_sample(hidden);
        let (validated, tested_at_end) = match &split.held_out {
            Some(rows) => (rows.len(), test_len),
            None => (test_len, 0),
        };
        let epoch = split.trained as f64 + validated as f64 * eval_share;
        let images = self.base.epochs as f64 * epoch + tested_at_end as f64 * eval_share;
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

/// How fast one worker trains, in training images per second, while the others are busy
/// too; and the seconds a worker needs to start (load wasm, take and index the data).
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
