//! What the heat map shows: a sweep's settings on an (N1, N2) grid, each cell its mean gain
//! over Normal, diverged or pending; built from a sweep's results, or read from JSON.

use serde::{Deserialize, Serialize};

use super::super::style::exponent;
use super::super::ChartError;
use super::HEAT_CAPTION;
use crate::sweep::{Row, Sweep, SweepRecord};
use crate::text::plural;

/// The sweep's results as the page hands them over (JSON):
/// `{ "title": "…", "n1": [0.5, 1.0], "n2": [1.0, 2.0], "cells": [HeatCell…],
///    "selected": [1, 0] }` (`selected` may be null or left out).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HeatMap {
    /// E.g. "Final val accuracy − Normal (3 seeds, 3 epochs)".
    pub title: String,
    /// Along the colour bar: what a cell's value measures, e.g. "val acc − Normal (points)".
    #[serde(default = "default_caption")]
    pub caption: String,
    /// The x axis, ascending.
    pub n1: Vec<f32>,
    /// The y axis, ascending; the lowest is drawn at the bottom.
    pub n2: Vec<f32>,
    /// Row-major: `cells[j * n1.len() + i]` is the cell of (`n1[i]`, `n2[j]`).
    pub cells: Vec<HeatCell>,
    /// (i, j) of the cell shown in the comparison figure: drawn with a thick outline.
    #[serde(default)]
    pub selected: Option<(usize, usize)>,
}

/// One (N1, N2) pair's result over its seeds, in JSON:
/// `{ "state": "Pending" }`,
/// `{ "state": "Value", "delta": 0.0123, "std": 0.004, "runs": 3 }` (`std` may be null or
/// left out), `{ "state": "Diverged", "diverged": 2, "runs": 3 }`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "state")]
pub enum HeatCell {
    /// Not finished yet: grey, with "…".
    Pending,
    /// Mean final validation accuracy of AYLA minus Normal's, in accuracy units (0.0123 is
    /// +1.23 percentage points), and its standard deviation over the runs.
    Value {
        delta: f64,
        #[serde(default)]
        std: Option<f64>,
        runs: usize,
    },
    /// `diverged` of the `runs` AYLA runs diverged: hatched, "diverged 2/3".
    Diverged { diverged: usize, runs: usize },
}

fn default_caption() -> String {
    HEAT_CAPTION.to_string()
}

impl HeatMap {
    /// Reads and checks the page's JSON.
    pub fn parse(json: &str) -> Result<HeatMap, ChartError> {
        let map: HeatMap = serde_json::from_str(json).map_err(ChartError::HeatMapJson)?;
        map.validate()?;
        Ok(map)
    }

    /// Axes present, finite and ascending, one cell per pair, finite values, the selected
    /// cell inside the grid.
    pub fn validate(&self) -> Result<(), ChartError> {
        for (axis, values) in [("N1", &self.n1), ("N2", &self.n2)] {
            if values.is_empty() {
                return Err(ChartError::EmptyHeatAxis(axis));
            }
            for (index, value) in values.iter().enumerate() {
                if !value.is_finite() {
                    return Err(ChartError::HeatNotFinite(format!(
                        "{axis} value {}",
                        index + 1
                    )));
                }
            }
            for index in 1..values.len() {
                let (previous, value) = (values[index - 1], values[index]);
                if value <= previous {
                    return Err(ChartError::HeatAxisOrder {
                        axis,
                        index,
                        value,
                        previous,
                    });
                }
            }
        }
        let (n1, n2) = (self.n1.len(), self.n2.len());
        if self.cells.len() != n1 * n2 {
            return Err(ChartError::HeatCellCount {
                n1,
                n2,
                cells: self.cells.len(),
            });
        }
        for (index, cell) in self.cells.iter().enumerate() {
            if let HeatCell::Value { delta, std, .. } = cell {
                let (i, j) = (index % n1, index / n1);
                let place = || {
                    format!(
                        "cell at N1={}, N2={}",
                        exponent(f64::from(self.n1[i])),
                        exponent(f64::from(self.n2[j]))
                    )
                };
                if !delta.is_finite() {
                    return Err(ChartError::HeatNotFinite(format!(
                        "delta of the {}",
                        place()
                    )));
                }
                if std.is_some_and(|std| !std.is_finite()) {
                    return Err(ChartError::HeatNotFinite(format!("std of the {}", place())));
                }
            }
        }
        if let Some((i, j)) = self.selected {
            if i >= n1 || j >= n2 {
                return Err(ChartError::HeatSelection { i, j, n1, n2 });
            }
        }
        Ok(())
    }

    /// The cell of (`n1[i]`, `n2[j]`).
    pub fn cell(&self, i: usize, j: usize) -> &HeatCell {
        &self.cells[j * self.n1.len() + i]
    }
}

impl HeatMap {
    /// Each setting's gain over Normal at learning rate number `rate` in a sweep's
    /// results, with (i, j) outlined if given.
    pub fn of_sweep(
        record: &SweepRecord,
        rate: usize,
        selected: Option<(usize, usize)>,
    ) -> HeatMap {
        let rows = record.rows();
        let sweep = &record.sweep;
        let lr = sweep.lr[rate];
        let cell = |n1: f32, n2: f32| {
            rows.iter()
                .find(|r| r.n1 == Some(n1) && r.n2 == Some(n2) && r.learning_rate == lr)
                .map_or(HeatCell::Pending, HeatCell::of_row)
        };
        let at = if sweep.lr.len() > 1 {
            format!(" at lr {lr}")
        } else {
            String::new()
        };
        HeatMap {
            title: format!(
                "Final val accuracy − Normal{at} ({}, {})",
                plural(sweep.seeds, "seed"),
                plural(sweep.base.epochs, "epoch")
            ),
            caption: HEAT_CAPTION.to_string(),
            cells: grid_cells(sweep, cell),
            n1: sweep.n1.clone(),
            n2: sweep.n2.clone(),
            selected,
        }
    }
}

/// A cell per (N1, N2) pair, row-major over N2 (`cells[j * n1.len() + i]`).
pub(super) fn grid_cells(sweep: &Sweep, cell: impl Fn(f32, f32) -> HeatCell) -> Vec<HeatCell> {
    sweep
        .n2
        .iter()
        .flat_map(|&n2| sweep.n1.iter().map(move |&n1| (n1, n2)))
        .map(|(n1, n2)| cell(n1, n2))
        .collect()
}

impl HeatCell {
    /// A results table row's cell: hatched if any run diverged, its gain if compared with
    /// Normal, else pending.
    fn of_row(row: &Row) -> HeatCell {
        if row.diverged > 0 {
            HeatCell::Diverged {
                diverged: row.diverged,
                runs: row.runs_done,
            }
        } else if let Some(gain) = row.gain {
            HeatCell::Value {
                delta: gain.mean,
                std: gain.std,
                runs: gain.n,
            }
        } else {
            HeatCell::Pending
        }
    }
}
