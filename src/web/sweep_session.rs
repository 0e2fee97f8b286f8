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
use crate::data_identity::DataIdentity;
use crate::protocol::FromWorker;
use crate::session::{self, Head};
use crate::sweep::{Column, Sweep, SweepRecord};

#[wasm_bindgen]
pub struct SweepSession {
    inner: session::SweepSession,
    /// Where the cells landed in the last drawing, to map a click to a cell.
    layout: Option<HeatLayout>,
}

/// The heat map's views and the one shown.
#[derive(serde::Serialize)]
struct HeatViews {
    views: Vec<(String, String)>,
    shown: String,
}

/// The verdict as the page lists it.
#[derive(serde::Serialize)]
struct VerdictView {
    note: Option<String>,
    items: Vec<String>,
}

/// A column of the table: `{key, label}`.
#[derive(serde::Serialize)]
struct ColumnView {
    key: &'static str,
    label: &'static str,
}

impl SweepSession {
    pub(crate) fn wrap(inner: session::SweepSession) -> SweepSession {
        SweepSession {
            inner,
            layout: None,
        }
    }
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
        Ok(SweepSession::wrap(session::SweepSession::new(
            sweep,
            loaded_train,
            workers,
        )))
    }

    /// A sweep's results opened from an exported `mnist_sweep.json` (the page's, or the
    /// command line's merge); throws a sentence saying what is wrong with a malformed or
    /// foreign file.
    pub fn open(text: &str) -> Result<SweepSession, JsError> {
        let record = SweepRecord::from_export(text).map_err(|e| JsError::new(&e))?;
        Ok(SweepSession::wrap(session::SweepSession::opened(record)))
    }

    /// The status after opening a file: `{state, text}`.
    pub fn opened_status(&self, file_name: &str) -> Result<JsValue, JsError> {
        to_js(&self.inner.opened_status(file_name))
    }

    /// The page's link query for this sweep (`mode=sweep&…`).
    pub fn query(&self) -> String {
        self.inner.record().sweep.query()
    }

    /// The runs left for the worker pool, in order: `[{id, method, config}]`.
    pub fn jobs(&self) -> Result<JsValue, JsError> {
        to_js(&self.inner.pending_jobs())
    }

    pub fn describe(&self) -> String {
        self.inner.describe()
    }

    /// The stored head of this sweep (JSON text) on data `{name, sha256: [4 sums]}` of
    /// `loaded_train` training images.
    pub fn head(&self, data: JsValue, loaded_train: usize) -> Result<String, JsError> {
        let data: DataIdentity = from_js(&data, "data set's identity")?;
        Ok(Head::new(self.inner.plan(), data, loaded_train).to_json())
    }

    /// The comparison figure with no run yet (titled with the grid's first setting), for
    /// before a setting is chosen.
    pub fn blank_figure(&self) -> Comparison {
        Comparison::wrap(self.inner.blank_figure())
    }

    /// This (restored) sweep going on with `workers` workers, for the runs not finished.
    pub fn resume(&self, workers: usize) -> SweepSession {
        SweepSession::wrap(self.inner.resume(workers))
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

    /// The table in the chosen order: `[{cells, cell: [i, j] | null, rate, baseline,
    /// diverged, selected}]`.
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
            Some((i, j)) => self.inner.pick(i, j),
            None => false,
        }
    }

    /// Chooses cell (i, j) at learning rate number `rate`, e.g. from a table row.
    pub fn select(&mut self, i: usize, j: usize, rate: usize) -> bool {
        self.inner.select(i, j, rate)
    }

    /// The heat map's views: `{views: [[key, label]], shown: key}`.
    pub fn heat_views(&self) -> Result<JsValue, JsError> {
        let (views, shown) = self.inner.heat_views();
        to_js(&HeatViews { views, shown })
    }

    /// Shows the heat map's view of this key (from `heat_views`); false if there is none.
    pub fn set_heat_view(&mut self, key: &str) -> bool {
        self.inner.set_heat_view(key)
    }

    /// The verdict, for the list above the table: `{note: text | null, items: [text]}`.
    pub fn verdict(&self) -> Result<JsValue, JsError> {
        let verdict = self.inner.record().verdict();
        to_js(&VerdictView {
            items: verdict.items(),
            note: verdict.note,
        })
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

    /// The heat map in the view shown as a PNG `Blob` (1200×900).
    pub fn export_heatmap_png(&self) -> Result<Promise, JsError> {
        export_heatmap_png(&self.inner.heat_map())
    }
}
