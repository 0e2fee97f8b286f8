//! Which numbers the sweep's heat map shows: each setting's gain over Normal at one
//! learning rate, or the tuned difference (each method at its best learning rate, test
//! accuracy, paired by seed: the verdict's figures).

use serde::Serialize;

use super::data::{grid_cells, HeatCell, HeatMap};
use crate::config::Validation;
use crate::sweep::{Sweep, SweepRecord};
use crate::text::plural;

/// A view of the heat map.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum HeatView {
    /// Final val accuracy minus Normal's, both at learning rate number `k`, same seed.
    Rate(usize),
    /// AYLA at its best learning rate minus Normal at its best, test accuracy, paired by
    /// seed: only for a sweep of several rates validated on held-out images.
    Tuned,
}

/// Along the tuned view's colour bar.
pub const TUNED_CAPTION: &str = "test acc − Normal, each tuned (points)";

impl HeatView {
    /// The views a sweep offers, in the order the page lists them.
    pub fn all(sweep: &Sweep) -> Vec<HeatView> {
        let tuned = HeatView::tunes(sweep).then_some(HeatView::Tuned);
        tuned
            .into_iter()
            .chain((0..sweep.lr.len()).map(HeatView::Rate))
            .collect()
    }

    /// The tuned view where there is one, else the first learning rate's.
    pub fn default_for(sweep: &Sweep) -> HeatView {
        HeatView::all(sweep)[0]
    }

    fn tunes(sweep: &Sweep) -> bool {
        sweep.lr.len() > 1 && sweep.base.validation == Validation::HeldOut
    }

    /// The name the page keeps it by: "tuned", "lr-0", "lr-1", …
    pub fn key(self) -> String {
        match self {
            HeatView::Tuned => "tuned".to_string(),
            HeatView::Rate(k) => format!("lr-{k}"),
        }
    }

    /// The view of this key, if the sweep offers it.
    pub fn parse(sweep: &Sweep, key: &str) -> Option<HeatView> {
        HeatView::all(sweep).into_iter().find(|v| v.key() == key)
    }

    /// What the page's choice says: "Tuned: each method at its best lr (test accuracy)",
    /// "At lr 0.1 (final val accuracy)".
    pub fn label(self, sweep: &Sweep) -> String {
        match self {
            HeatView::Tuned => "Tuned: each method at its best lr (test accuracy)".to_string(),
            HeatView::Rate(k) => format!("At lr {} (final val accuracy)", sweep.lr[k]),
        }
    }

    /// The learning rate whose runs a cell of this view stands for, given the setting's
    /// choice (the tuned view's cell is AYLA at its chosen rate).
    pub fn rate_of(self, sweep: &Sweep, chosen: Option<f32>) -> Option<usize> {
        match self {
            HeatView::Rate(k) => Some(k),
            HeatView::Tuned => sweep.lr.iter().position(|&lr| Some(lr) == chosen),
        }
    }
}

impl HeatMap {
    /// The heat map of a sweep's results in `view`, with (i, j) outlined if given.
    pub fn of_view(
        record: &SweepRecord,
        view: HeatView,
        selected: Option<(usize, usize)>,
    ) -> HeatMap {
        match view {
            HeatView::Rate(k) => HeatMap::of_sweep(record, k, selected),
            HeatView::Tuned => HeatMap::tuned(record, selected),
        }
    }

    /// Each setting at its best learning rate minus Normal at its best, test accuracy,
    /// paired by seed; hatched where every rate diverged, pending before a comparison.
    pub fn tuned(record: &SweepRecord, selected: Option<(usize, usize)>) -> HeatMap {
        let (verdict, rows) = (record.verdict(), record.rows());
        let sweep = &record.sweep;
        let cell = |n1: f32, n2: f32| {
            let compared = verdict.setting(n1, n2).and_then(|s| s.difference);
            if let Some(d) = compared {
                return HeatCell::Value {
                    delta: d.mean,
                    std: d.std,
                    runs: d.n,
                };
            }
            let rows: Vec<_> = (rows.iter())
                .filter(|r| r.n1 == Some(n1) && r.n2 == Some(n2))
                .collect();
            if rows.iter().all(|r| r.diverged > 0) {
                HeatCell::Diverged {
                    diverged: rows.iter().map(|r| r.diverged).sum(),
                    runs: rows.iter().map(|r| r.runs_done).sum(),
                }
            } else {
                HeatCell::Pending
            }
        };
        HeatMap {
            title: format!(
                "Test accuracy, each method at its best lr: AYLA − Normal ({}, {})",
                plural(sweep.seeds, "seed"),
                plural(sweep.base.epochs, "epoch")
            ),
            caption: TUNED_CAPTION.to_string(),
            cells: grid_cells(sweep, cell),
            n1: sweep.n1.clone(),
            n2: sweep.n2.clone(),
            selected,
        }
    }
}
