//! Drawing on the page's canvases: the comparison figure on a canvas or into a PNG, and the
//! canvas plumbing the heat map shares. The drawing itself lives in `crate::chart`.

use js_sys::{Function, Promise};
use plotters::prelude::IntoDrawingArea;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::HtmlCanvasElement;

use super::canvas::canvas_backend;
use crate::chart::{self, History, Theme};

/// Draws the whole figure from `history` in `theme`, the canvas's backing store sized to
/// its CSS size × devicePixelRatio first, so it is crisp on HiDPI screens. Returns where the
/// panels landed, in CSS pixels relative to the canvas.
pub fn draw_chart(
    canvas: &HtmlCanvasElement,
    history: &History,
    theme: Theme,
) -> Result<chart::Layout, JsError> {
    let scale = fit_backing_store(canvas);
    draw_on(canvas, history, theme, scale)
}

/// Draws the figure, light theme on white, on a detached canvas of `width`×`height` device
/// pixels and resolves to its PNG `Blob`.
pub fn export_png(history: &History, width: u32, height: u32) -> Result<Promise, JsError> {
    let scale = chart::export_scale(width, height)?;
    let canvas = detached_canvas(width, height)?;
    draw_on(&canvas, history, Theme::Light, scale)?;
    Ok(png_blob(canvas))
}

fn draw_on(
    canvas: &HtmlCanvasElement,
    history: &History,
    theme: Theme,
    scale: f64,
) -> Result<chart::Layout, JsError> {
    // Our backend, not plotters-canvas's own: it measures text without touching the DOM,
    // as the page's Content-Security-Policy requires (see `super::canvas`).
    let root = canvas_backend(canvas)?.into_drawing_area();
    Ok(chart::draw(&root, history, theme, scale)?)
}

/// Sizes the backing store to the canvas's CSS size × devicePixelRatio and returns that
/// ratio. A canvas with no CSS size (hidden, detached) keeps its attributes at scale 1:
/// scaling them again on every redraw would grow it without end.
pub(crate) fn fit_backing_store(canvas: &HtmlCanvasElement) -> f64 {
    let (css_width, css_height) = (canvas.client_width(), canvas.client_height());
    if css_width <= 0 || css_height <= 0 {
        return 1.0;
    }
    let ratio = web_sys::window().map_or(1.0, |w| w.device_pixel_ratio());
    let ratio = if ratio.is_finite() && ratio > 0.0 {
        ratio
    } else {
        1.0
    };
    let device = |css: i32| (f64::from(css) * ratio).round() as u32;
    // Assigning the same size still clears the canvas; skip it to avoid a flash.
    if canvas.width() != device(css_width) {
        canvas.set_width(device(css_width));
    }
    if canvas.height() != device(css_height) {
        canvas.set_height(device(css_height));
    }
    ratio
}

pub(crate) fn detached_canvas(width: u32, height: u32) -> Result<HtmlCanvasElement, JsError> {
    let no_canvas = || JsError::new("No document to create the export canvas in.");
    let document = web_sys::window()
        .and_then(|w| w.document())
        .ok_or_else(no_canvas)?;
    let canvas: HtmlCanvasElement = document
        .create_element("canvas")
        .map_err(|_| no_canvas())?
        .dyn_into()
        .map_err(|_| no_canvas())?;
    canvas.set_width(width);
    canvas.set_height(height);
    Ok(canvas)
}

/// `canvas.toBlob` as a Promise of a PNG Blob; rejects if the browser encodes nothing.
pub(crate) fn png_blob(canvas: HtmlCanvasElement) -> Promise {
    Promise::new(&mut |resolve: Function, reject: Function| {
        let settle_reject = reject.clone();
        let on_blob = Closure::once_into_js(move |blob: JsValue| {
            let _ = if blob.is_null() {
                let error = JsError::new("The browser could not encode the figure as PNG.");
                reject.call1(&JsValue::NULL, &error.into())
            } else {
                resolve.call1(&JsValue::NULL, &blob)
            };
        });
        if let Err(error) = canvas.to_blob(on_blob.unchecked_ref()) {
            let _ = settle_reject.call1(&JsValue::NULL, &error);
        }
    })
}
