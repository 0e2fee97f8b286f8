//! The sweep heat map for the page: draw it on a canvas, export it as a PNG. The drawing
//! itself lives in `crate::chart` (`draw_heatmap`); the canvas plumbing is `web::chart`'s.

use js_sys::Promise;
use plotters::prelude::IntoDrawingArea;
use wasm_bindgen::prelude::*;
use web_sys::HtmlCanvasElement;

use super::canvas::canvas_backend;
use super::chart::{detached_canvas, fit_backing_store, png_blob};
use super::js::to_js;
use crate::chart::{self, HeatLayout, HeatMap, Theme, HEATMAP_EXPORT_HEIGHT, HEATMAP_EXPORT_WIDTH};

/// Draws the heat map (a JSON string, see `chart::HeatMap`) in the "light" or "dark"
/// theme. The canvas's backing store is sized to its CSS size × devicePixelRatio first.
///
/// Returns the layout, in CSS pixels relative to the canvas:
/// `{ width, height, limit, cells: [{ i, j, left, top, width, height }] }`, cells in the
/// order of the map's `cells`, so the page can map a click to a cell.
#[wasm_bindgen]
pub fn draw_heatmap(
    canvas: &HtmlCanvasElement,
    heatmap_json: &str,
    theme: &str,
) -> Result<JsValue, JsError> {
    let map = HeatMap::parse(heatmap_json)?;
    let theme = Theme::parse(theme)?;
    let scale = fit_backing_store(canvas);
    let layout = draw_on(canvas, &map, theme, scale)?;
    to_js(&layout)
}

/// Draws the heat map, light theme on white, on a detached 1200×900 canvas and resolves to
/// its PNG `Blob`.
#[wasm_bindgen]
pub fn export_heatmap_png(heatmap_json: &str) -> Result<Promise, JsError> {
    let map = HeatMap::parse(heatmap_json)?;
    let (width, height) = (HEATMAP_EXPORT_WIDTH, HEATMAP_EXPORT_HEIGHT);
    let scale = chart::heatmap_export_scale(width, height)?;
    let canvas = detached_canvas(width, height)?;
    draw_on(&canvas, &map, Theme::Light, scale)?;
    Ok(png_blob(canvas))
}

fn draw_on(
    canvas: &HtmlCanvasElement,
    map: &HeatMap,
    theme: Theme,
    scale: f64,
) -> Result<HeatLayout, JsError> {
    let root = canvas_backend(canvas)?.into_drawing_area();
    Ok(chart::draw_heatmap(&root, map, theme, scale)?)
}
