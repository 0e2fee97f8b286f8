//! What the page shows of a sweep: the results table in the user's order, the heat map, the
//! setting chosen for the comparison figure, and the closing summary.

use super::SweepSession;
use crate::chart::{HeatMap, HeatView};
use crate::history::Run;
use crate::method::Method;
use crate::protocol::Job;
use crate::session::Comparison;
use crate::sweep::{gain_text, sorted, Column, Row};
use crate::text::{duration, plural};

impl SweepSession {
    /// "Sweep done in 1:02: 30 runs. Best: N1 0.8, N2 0.8 (+1.84 ± 0.05 points of val acc
    /// against Normal)." — or that no setting beat Normal — and how many settings diverged. A
    /// resumed sweep says so (the time is this page's part).
    pub fn summary(&self, elapsed: f64) -> String {
        let done = if self.done_at_start > 0.0 {
            "Sweep resumed and done"
        } else {
            "Sweep done"
        };
        let runs = plural(self.record.results.len(), "run");
        let took = format!("{done} in {}: {runs}.", duration(elapsed));
        [took, self.figures()].join(" ").trim_end().to_string()
    }

    /// The best setting against Normal (or that none beat it) and how many settings
    /// diverged; empty before any setting can be compared.
    pub fn figures(&self) -> String {
        let rows = self.record.rows();
        let settings: Vec<&Row> = rows.iter().filter(|r| r.method == Method::Ayla).collect();
        let mut parts = Vec::new();
        let best = settings
            .iter()
            .filter_map(|r| Some((r, r.gain?)))
            .max_by(|a, b| a.1.mean.total_cmp(&b.1.mean));
        if let Some((row, gain)) = best {
            // Which figure the gain is, said in so many words: with a learning-rate axis
            // the verdict compares each method at its own best rate, this at the same one.
            let (at, against) = if self.record.sweep.lr.len() > 1 {
                (format!(" at lr {}", row.learning_rate), " at the same lr")
            } else {
                (String::new(), "")
            };
            let name = format!("N1 {}, N2 {}{at}", exponent(row.n1), exponent(row.n2));
            let figure = format!(
                "{} points of val acc against Normal{against}",
                gain_text(&gain)
            );
            parts.push(if gain.mean > 0.0 {
                format!("Best: {name} ({figure}).")
            } else {
                format!("No setting beat Normal; the closest: {name} ({figure}).")
            });
        }
        let diverged = settings.iter().filter(|r| r.diverged > 0).count();
        if diverged > 0 {
            parts.push(format!("{} diverged.", plural(diverged, "setting")));
        }
        parts.join(" ")
    }

    /// "12 of 30 runs" finished.
    pub fn progress(&self) -> String {
        let done = self.record.results.iter().filter(|r| r.done).count();
        format!("{done} of {}", plural(self.jobs.len(), "run"))
    }

    /// The comparison figure with no run yet, for before a setting is chosen.
    pub fn blank_figure(&self) -> Comparison {
        let base = self.record.sweep.base;
        Comparison::new(base, self.train_size)
    }

    /// Whether any run finished (the exports have something to say).
    pub fn has_results(&self) -> bool {
        self.record.results.iter().any(|r| r.done)
    }

    /// The table's rows in the chosen order, as text, with which cell each shows.
    pub fn table(&self) -> Vec<TableRow> {
        let (column, descending) = self.sort;
        sorted(self.record.rows(), column, descending)
            .iter()
            .map(|row| {
                let cell = self.cell_at(row.n1, row.n2);
                let rate = self.rate_index(row.learning_rate);
                TableRow {
                    cells: Column::ALL.iter().map(|c| c.text(row)).collect(),
                    cell,
                    rate,
                    baseline: row.method == Method::Normal,
                    diverged: row.diverged > 0,
                    selected: cell.is_some() && cell == self.selected && rate == self.rate,
                }
            })
            .collect()
    }

    /// The column sorted by and whether descending.
    pub fn sort(&self) -> (Column, bool) {
        self.sort
    }

    /// Sorts by `column`: again on the same column turns the order round.
    pub fn sort_by(&mut self, column: Column) {
        self.sort = if self.sort.0 == column {
            (column, !self.sort.1)
        } else {
            (column, column.first_descending())
        };
    }

    pub fn heat_map(&self) -> HeatMap {
        HeatMap::of_view(&self.record, self.view, self.selected)
    }

    /// The heat map's views `(key, label)` and the one shown.
    pub fn heat_views(&self) -> (Vec<(String, String)>, String) {
        let sweep = &self.record.sweep;
        let views = (HeatView::all(sweep).into_iter())
            .map(|v| (v.key(), v.label(sweep)))
            .collect();
        (views, self.view.key())
    }

    /// Shows the heat map's view of this key; false if the sweep has no such view. The
    /// view of one learning rate shows that rate's runs in the figure too.
    pub fn set_heat_view(&mut self, key: &str) -> bool {
        let Some(view) = HeatView::parse(&self.record.sweep, key) else {
            return false;
        };
        self.view = view;
        if let HeatView::Rate(k) = view {
            self.rate = k;
        }
        true
    }

    /// Shows cell (i, j) at the learning rate of this heat map view in the comparison
    /// figure (in the tuned view: at AYLA's chosen rate); false if there is no such cell.
    pub fn pick(&mut self, i: usize, j: usize) -> bool {
        let rate = self.view_rate(i, j).unwrap_or(self.rate);
        self.select(i, j, rate)
    }

    /// Shows cell (i, j) at learning rate number `rate` in the comparison figure (a table
    /// row's); false if there is no such cell. A heat map of another rate turns to this one.
    pub fn select(&mut self, i: usize, j: usize, rate: usize) -> bool {
        let s = &self.record.sweep;
        if i >= s.n1.len() || j >= s.n2.len() || rate >= s.lr.len() {
            return false;
        }
        self.selected = Some((i, j));
        self.rate = rate;
        if matches!(self.view, HeatView::Rate(_)) {
            self.view = HeatView::Rate(rate);
        }
        true
    }

    /// The learning rate cell (i, j) of the heat map stands for in its view.
    fn view_rate(&self, i: usize, j: usize) -> Option<usize> {
        let s = &self.record.sweep;
        let chosen = match self.view {
            HeatView::Rate(_) => None,
            HeatView::Tuned => {
                let verdict = self.record.verdict();
                let setting = verdict.setting(s.n1[i], s.n2[j])?;
                setting.choice.as_ref().map(|c| c.learning_rate)
            }
        };
        self.view.rate_of(s, chosen)
    }

    /// The place of learning rate `lr` among the sweep's.
    fn rate_index(&self, lr: f32) -> usize {
        let rates = &self.record.sweep.lr;
        rates.iter().position(|&r| r == lr).unwrap_or(0)
    }

    /// Moves the chosen cell by (di, dj) within the grid (up is a higher N2, as drawn).
    pub fn move_selection(&mut self, di: isize, dj: isize) {
        let s = &self.record.sweep;
        let (i, j) = self.selected.unwrap_or((0, 0));
        let clamp =
            |v: usize, d: isize, n: usize| (v as isize + d).clamp(0, n as isize - 1) as usize;
        let (i, j) = (clamp(i, di, s.n1.len()), clamp(j, dj, s.n2.len()));
        self.pick(i, j);
    }

    /// The chosen setting against Normal, for the figure (the first seed that has epochs
    /// of both), and the sentence that says so.
    pub fn selection(&self) -> (Option<Comparison>, String) {
        let Some((i, j)) = self.selected else {
            return (
                None,
                "Click a heat map cell or a table row to compare that setting with Normal in \
                 the figure below."
                    .into(),
            );
        };
        let s = &self.record.sweep;
        let (n1, n2, lr) = (s.n1[i], s.n2[j], s.lr[self.rate]);
        let at = if s.lr.len() > 1 {
            format!(" at lr {lr}")
        } else {
            String::new()
        };
        let Some((seed, normal, ayla)) = self.runs_of(n1, n2, lr) else {
            return (
                None,
                format!("N1 {n1}, N2 {n2}{at}: no epoch finished yet."),
            );
        };
        let config = ayla.config;
        let runs = [(normal, Method::Normal), (ayla, Method::Ayla)]
            .map(|(job, method)| {
                let mut run = Run::new(method);
                let result = self.result(job.id);
                for &m in result.map_or(&[][..], |r| &r.metrics) {
                    run.push(m);
                }
                // The figure's readout shows it at the last epoch.
                run.test = result.and_then(|r| r.test);
                run
            })
            .to_vec();
        let others = if s.seeds > 1 {
            format!(" (of {}; the table has all)", plural(s.seeds, "seed"))
        } else {
            String::new()
        };
        (
            Some(Comparison::with_runs(config, self.train_size, runs)),
            format!(
                "Comparison figure below: N1 {n1}, N2 {n2} against Normal{at}, seed \
                 {seed}{others}."
            ),
        )
    }

    /// The first seed whose Normal run and (n1, n2) run at learning rate `lr` both have
    /// results, the AYLA one at least one epoch.
    fn runs_of(&self, n1: f32, n2: f32, lr: f32) -> Option<(u64, &Job, &Job)> {
        self.record
            .sweep
            .seed_values()
            .into_iter()
            .find_map(|seed| {
                let of = |method: Method| {
                    self.jobs.iter().find(|job| {
                        job.config.seed == seed
                            && job.config.learning_rate == lr
                            && job.method == method
                            && (method == Method::Normal
                                || (job.config.n1 == n1 && job.config.n2 == n2))
                            && self.result(job.id).is_some()
                    })
                };
                let (normal, ayla) = (of(Method::Normal)?, of(Method::Ayla)?);
                let measured = self.result(ayla.id).is_some_and(|r| !r.metrics.is_empty());
                measured.then_some((seed, normal, ayla))
            })
    }

    /// Whether the comparison figure shows run `job` (the chosen setting or its Normal).
    pub(super) fn shows(&self, job: usize) -> bool {
        let Some((i, j)) = self.selected else {
            return false;
        };
        let s = &self.record.sweep;
        match self.runs_of(s.n1[i], s.n2[j], s.lr[self.rate]) {
            Some((_, normal, ayla)) => job == normal.id || job == ayla.id,
            // Nothing shown yet: this epoch may be the first of the chosen setting.
            None => true,
        }
    }
}

/// One line of the results table as the page shows it.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct TableRow {
    /// Each column's text, in `Column::ALL` order.
    pub cells: Vec<String>,
    /// The heat map cell (i, j) of an AYLA setting; `None` for Normal.
    pub cell: Option<(usize, usize)>,
    /// The place of the row's learning rate among the sweep's.
    pub rate: usize,
    pub baseline: bool,
    pub diverged: bool,
    pub selected: bool,
}

fn exponent(value: Option<f32>) -> String {
    value.map_or(String::new(), |v| v.to_string())
}
