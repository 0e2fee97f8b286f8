//! The sweep heat map on a canvas or into a PNG. The drawing itself lives in `crate::chart`
//! (`draw_heatmap`); the canvas plumbing is `web::chart`'s.

use js_sys::Promise;
use plotters::prelude::IntoDrawingArea;
use wasm_bindgen::prelude::*;
use web_sys::HtmlCanvasElement;

use super::canvas::canvas_backend;
use super::chart::{detached_canvas, fit_backing_store, png_blob};
use crate::chart::{self, HeatLayout, HeatMap, Theme, HEATMAP_EXPORT_HEIGHT, HEATMAP_EXPORT_WIDTH};

/// Draws the heat map in `theme`, the canvas's backing store sized to its CSS size ×
/// devicePixelRatio first. Returns where each cell landed, in CSS pixels relative to the
/// canvas, so a click can be mapped to a cell.
pub fn draw_heatmap(
    canvas: &HtmlCanvasElement,
    map: &HeatMap,
    theme: Theme,
) -> Result<HeatLayout, JsError> {
    let scale = fit_backing_store(canvas);
    draw_on(canvas, map, theme, scale)
}

/// Draws the heat map, light theme on white, on a detached 1200×900 canvas and resolves to
/// its PNG `Blob`.
pub fn export_heatmap_png(map: &HeatMap) -> Result<Promise, JsError> {
    let (width, height) = (HEATMAP_EXPORT_WIDTH, HEATMAP_EXPORT_HEIGHT);
    let scale = chart::heatmap_export_scale(width, height)?;
    let canvas = detached_canvas(width, height)?;
    draw_on(&canvas, map, Theme::Light, scale)?;
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
