//! `SweepSession`, the page's handle on a sweep (see `crate::session::SweepSession`): the
//! workers' messages go in; updates, the table, the heat map, the chosen setting's
//! comparison and the exports come out.

use js_sys::Promise;
use wasm_bindgen::prelude::*;
use web_sys::HtmlCanvasElement;

use super::comparison::Comparison;
use super::heatmap::{draw_heatmap, export_heatmap_png};
use super::js::{from_js, to_js};
use crate::chart::{HeatLayout, Theme};
use crate::protocol::FromWorker;
use crate::session;
use crate::sweep::{Column, Sweep};

#[wasm_bindgen]
pub struct SweepSession {
    inner: session::SweepSession,
    /// Where the cells landed in the last drawing, to map a click to a cell.
    layout: Option<HeatLayout>,
}

/// A column of the table: `{key, label}`.
#[derive(serde::Serialize)]
struct ColumnView {
    key: &'static str,
    label: &'static str,
}

#[wasm_bindgen]
impl SweepSession {
    /// A sweep (as `check_sweep` returns it) on `workers` workers, with `loaded_train`
    /// training images loaded.
    #[wasm_bindgen(constructor)]
    pub fn new(
        sweep: JsValue,
        loaded_train: usize,
        workers: usize,
    ) -> Result<SweepSession, JsError> {
        let sweep: Sweep = from_js(&sweep, "sweep")?;
        Ok(SweepSession {
            inner: session::SweepSession::new(sweep, loaded_train, workers),
            layout: None,
        })
    }

    /// Every run for the worker pool, in order: `[{id, method, config}]`.
    pub fn jobs(&self) -> Result<JsValue, JsError> {
        to_js(&self.inner.jobs())
    }

    pub fn describe(&self) -> String {
        self.inner.describe()
    }

    pub fn start(&self) -> Result<JsValue, JsError> {
        to_js(&self.inner.start())
    }

    pub fn job_started(&mut self, job: usize, slot: usize) -> Result<JsValue, JsError> {
        to_js(&self.inner.job_started(job, slot))
    }

    /// A message (its text) from the worker in `slot` about run `job`.
    pub fn receive(
        &mut self,
        job: usize,
        slot: usize,
        text: &str,
        elapsed: f64,
    ) -> Result<JsValue, JsError> {
        let update = match FromWorker::decode(text) {
            Ok(message) => self.inner.receive(job, slot, message, elapsed),
            Err(error) => self.inner.fail(format!(
                "Sweep worker {} sent something unreadable: {error}",
                slot + 1
            )),
        };
        to_js(&update)
    }

    pub fn idle(&mut self, slot: usize, elapsed: f64) -> Result<JsValue, JsError> {
        to_js(&self.inner.idle(slot, elapsed))
    }

    pub fn stop(&mut self, elapsed: f64) -> Result<JsValue, JsError> {
        to_js(&self.inner.stop(elapsed))
    }

    pub fn fail(&mut self, text: String) -> Result<JsValue, JsError> {
        to_js(&self.inner.fail(text))
    }

    /// The table's columns: `[{key, label}]`.
    pub fn columns() -> Result<JsValue, JsError> {
        let columns: Vec<ColumnView> = Column::ALL
            .iter()
            .map(|c| ColumnView {
                key: c.key(),
                label: c.label(),
            })
            .collect();
        to_js(&columns)
    }

    /// The table in the chosen order: `[{cells, cell: [i, j] | null, baseline, diverged,
    /// selected}]`.
    pub fn table(&self) -> Result<JsValue, JsError> {
        to_js(&self.inner.table())
    }

    /// The sort: `[key, descending]`.
    pub fn sorted_by(&self) -> Result<JsValue, JsError> {
        let (column, descending) = self.inner.sort();
        to_js(&(column.key(), descending))
    }

    /// Sorts by the column with this key (again: the other way round).
    pub fn sort_by(&mut self, key: &str) -> Result<(), JsError> {
        let column =
            Column::parse(key).ok_or_else(|| JsError::new(&format!("No column “{key}”.")))?;
        self.inner.sort_by(column);
        Ok(())
    }

    pub fn draw_heatmap(&mut self, canvas: &HtmlCanvasElement, theme: &str) -> Result<(), JsError> {
        let theme = Theme::parse(theme)?;
        self.layout = Some(draw_heatmap(canvas, &self.inner.heat_map(), theme)?);
        Ok(())
    }

    /// Chooses the heat map cell under a point of its canvas (CSS pixels); false if there is
    /// none there.
    pub fn pick(&mut self, x: f64, y: f64) -> bool {
        let hit = self.layout.as_ref().and_then(|layout| {
            layout.cells.iter().find(|c| {
                (c.left..=c.left + c.width).contains(&x) && (c.top..=c.top + c.height).contains(&y)
            })
        });
        match hit.map(|c| (c.i, c.j)) {
            Some((i, j)) => self.inner.select(i, j),
            None => false,
        }
    }

    /// Chooses cell (i, j), e.g. from a table row.
    pub fn select(&mut self, i: usize, j: usize) -> bool {
        self.inner.select(i, j)
    }

    /// Moves the chosen cell by an arrow key's step (up is a higher N2, as drawn).
    pub fn move_selection(&mut self, di: i32, dj: i32) {
        self.inner.move_selection(di as isize, dj as isize);
    }

    /// The chosen setting against Normal, for the figure; `undefined` before it has epochs.
    pub fn selected_comparison(&self) -> Option<Comparison> {
        self.inner.selection().0.map(Comparison::wrap)
    }

    /// The sentence under the sweep that says what the figure shows.
    pub fn selection_caption(&self) -> String {
        self.inner.selection().1
    }

    pub fn has_results(&self) -> bool {
        self.inner.has_results()
    }

    pub fn export_csv(&self) -> String {
        self.inner.record().to_csv()
    }

    pub fn export_json(&self) -> String {
        self.inner.record().to_json()
    }

    /// The heat map as a PNG `Blob` (1200×900).
    pub fn export_heatmap_png(&self) -> Result<Promise, JsError> {
        export_heatmap_png(&self.inner.heat_map())
    }
}
