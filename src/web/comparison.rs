//! `Comparison`, the page's handle on a single run (see `crate::session::Comparison`): the
//! workers' messages go in; updates, drawings, readouts and exports come out. JavaScript
//! keeps the DOM, the workers and the events, and no copy of what the run measured.

use js_sys::Promise;
use wasm_bindgen::prelude::*;
use web_sys::HtmlCanvasElement;

use super::chart::{draw_chart, export_png};
use super::js::{from_js, to_js};
use crate::chart::{self, Layout, Theme, EXPORT_HEIGHT, EXPORT_WIDTH};
use crate::config::Config;
use crate::protocol::FromWorker;
use crate::session::{self, Update};

#[wasm_bindgen]
pub struct Comparison {
    inner: session::Comparison,
    /// Where the panels landed in the last drawing, to map the pointer to an epoch.
    layout: Option<Layout>,
}

/// What the readout shows at an epoch, and where (CSS pixels across the canvas).
#[derive(serde::Serialize)]
struct Readout {
    epoch: usize,
    text: String,
    x: f64,
}

impl Comparison {
    pub(crate) fn wrap(inner: session::Comparison) -> Comparison {
        Comparison {
            inner,
            layout: None,
        }
    }
}

#[wasm_bindgen]
impl Comparison {
    /// A run of `config` (a checked config, as `check_inputs` returns it) training on
    /// `train_size` images.
    #[wasm_bindgen(constructor)]
    pub fn new(config: JsValue, train_size: usize) -> Result<Comparison, JsError> {
        let config: Config = from_js(&config, "config")?;
        Ok(Comparison::wrap(session::Comparison::new(
            config, train_size,
        )))
    }

    /// The two runs for the worker pool: `[{id, method, config}]`.
    pub fn jobs(&self) -> Result<JsValue, JsError> {
        to_js(&self.inner.jobs())
    }

    /// The parameters, as the line under the status shows them.
    pub fn describe(&self, loaded_train: usize) -> String {
        self.inner.describe(loaded_train)
    }

    /// The page's state before any message (see `crate::session::Update`).
    pub fn start(&self) -> Result<JsValue, JsError> {
        to_js(&self.inner.start())
    }

    /// A worker started run `job`; nothing changes for a single run.
    pub fn job_started(&mut self, _job: usize, _slot: usize) -> Result<JsValue, JsError> {
        to_js(&Update::default())
    }

    /// A message (its text) from the worker of run `job`; `elapsed` is seconds since Train.
    pub fn receive(
        &mut self,
        job: usize,
        _slot: usize,
        text: &str,
        elapsed: f64,
    ) -> Result<JsValue, JsError> {
        let update = match FromWorker::decode(text) {
            Ok(message) => self.inner.receive(message, elapsed),
            Err(error) => {
                let who = self
                    .inner
                    .jobs()
                    .get(job)
                    .map_or("A training", |j| j.method.label());
                self.inner.fail(format!(
                    "The {who} worker sent something unreadable: {error}"
                ))
            }
        };
        to_js(&update)
    }

    /// A worker has no run left; a single run ends on its `Done` messages instead.
    pub fn idle(&mut self, _slot: usize, _elapsed: f64) -> Result<JsValue, JsError> {
        to_js(&Update::default())
    }

    pub fn stop(&mut self, elapsed: f64) -> Result<JsValue, JsError> {
        to_js(&self.inner.stop(elapsed))
    }

    /// The run cannot go on (a worker failed to load or crashed): `text` says why.
    pub fn fail(&mut self, text: String) -> Result<JsValue, JsError> {
        to_js(&self.inner.fail(text))
    }

    /// Epochs measured so far by the method furthest along.
    pub fn epochs_measured(&self) -> usize {
        self.inner.epochs_measured()
    }

    /// Draws the figure in the "light" or "dark" theme.
    pub fn draw(&mut self, canvas: &HtmlCanvasElement, theme: &str) -> Result<(), JsError> {
        let theme = Theme::parse(theme)?;
        self.layout = Some(draw_chart(canvas, self.inner.history(), theme)?);
        Ok(())
    }

    /// The readout under a point of the canvas (CSS pixels): `{epoch, text, x}`, or
    /// `undefined` away from the panels or before the first epoch.
    pub fn readout_at(&self, x: f64, y: f64) -> Result<JsValue, JsError> {
        let measured = self.inner.epochs_measured();
        match self
            .layout
            .as_ref()
            .and_then(|l| l.epoch_at(x, y, measured))
        {
            Some(epoch) => self.readout(epoch, Some(x)),
            None => Ok(JsValue::UNDEFINED),
        }
    }

    /// The readout at an epoch (clamped to those measured), placed over the epoch.
    pub fn readout_at_epoch(&self, epoch: usize) -> Result<JsValue, JsError> {
        let measured = self.inner.epochs_measured();
        if measured == 0 {
            return Ok(JsValue::UNDEFINED);
        }
        self.readout(epoch.clamp(1, measured), None)
    }

    /// Shows or hides a series, e.g. "AYLA val_loss".
    pub fn set_visible(&mut self, series: &str, visible: bool) -> Result<(), JsError> {
        self.inner
            .set_visible(series, visible)
            .map_err(|e| JsError::new(&e))
    }

    /// The figure as a PNG `Blob` (1800×700).
    pub fn export_png(&self) -> Result<Promise, JsError> {
        export_png(self.inner.history(), EXPORT_WIDTH, EXPORT_HEIGHT)
    }

    /// The per-epoch metrics with the parameters and link, as pretty JSON.
    pub fn export_json(&self) -> String {
        self.inner.record().to_json()
    }

    /// The per-epoch metrics, one CSV row per epoch and method, each with the parameters.
    pub fn export_csv(&self) -> String {
        self.inner.record().to_csv()
    }
}

impl Comparison {
    fn readout(&self, epoch: usize, x: Option<f64>) -> Result<JsValue, JsError> {
        let text = chart::readout(self.inner.history(), epoch)?;
        let x = x.unwrap_or_else(|| self.layout.as_ref().map_or(0.0, |l| l.x_of_epoch(epoch)));
        to_js(&Readout { epoch, text, x })
    }
}
