//! The sweep heat map in a real browser: pixels on a canvas, the layout handed back, the
//! PNG export, and errors that reach JavaScript as errors rather than panics.
#![cfg(target_arch = "wasm32")]

use ayla::chart::{HeatMap, Theme};
use ayla::sweep::{Sweep, SweepRecord};
use ayla::web::heatmap::{draw_heatmap, export_heatmap_png};
use ayla::web::sweep_session::SweepSession;
use js_sys::Uint8Array;
use serde_json::{json, Value};
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};
use web_sys::{Blob, HtmlCanvasElement, ImageBitmap};

wasm_bindgen_test_configure!(run_in_browser);

#[path = "fixtures/canvas.rs"]
mod canvas;

use canvas::{device_pixel_ratio, js_object, layout, message, Pixels};

/// 3×3, every state: row j = 0 is +1.23 ± 0.31, −0.40, 0.00; row 1 is pending, +0.21
/// (selected), diverged 2/3; row 2 is −0.87, diverged 3/3, +0.04.
fn mixed_json() -> String {
    let value = |delta: f64| json!({ "state": "Value", "delta": delta, "std": 0.003, "runs": 3 });
    json!({
        "title": "Final val accuracy − Normal (3 seeds, 3 epochs)",
        "n1": [0.5, 0.95, 1.5],
        "n2": [0.8, 1.0, 2.0],
        "cells": [
            value(0.0123), value(-0.004), value(0.0),
            { "state": "Pending" }, value(0.0021), { "state": "Diverged", "diverged": 2, "runs": 3 },
            value(-0.0087), { "state": "Diverged", "diverged": 3, "runs": 3 }, value(0.0004)
        ],
        "selected": [1, 1]
    })
    .to_string()
}

/// A canvas in the document, 800×600 CSS pixels.
fn page_canvas() -> HtmlCanvasElement {
    canvas::page_canvas(800, 600)
}

fn draw(canvas: &HtmlCanvasElement, json: &str, theme: &str) -> Value {
    let map = HeatMap::parse(json).expect("a test heat map");
    layout(draw_heatmap(canvas, &map, Theme::parse(theme).unwrap()))
}

/// Cell (i, j)'s box from the layout, in CSS pixels: (left, top, width, height).
fn cell(layout: &Value, i: u64, j: u64) -> (f64, f64, f64, f64) {
    let cell = layout["cells"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["i"].as_u64() == Some(i) && c["j"].as_u64() == Some(j))
        .expect("the cell is in the layout");
    let f = |key: &str| cell[key].as_f64().unwrap();
    (f("left"), f("top"), f("width"), f("height"))
}

/// A pixel of cell (i, j) away from its centred label and its edges.
fn fill_pixel(pixels: &Pixels, layout: &Value, i: u64, j: u64) -> [u8; 4] {
    let (left, top, width, height) = cell(layout, i, j);
    let ratio = device_pixel_ratio();
    let x = ((left + 0.2 * width) * ratio) as u32;
    let y = ((top + 0.2 * height) * ratio) as u32;
    pixels.at(x, y)
}

fn is_bluish(p: [u8; 4]) -> bool {
    p[3] == 255 && i32::from(p[2]) > i32::from(p[0]) + 40
}

fn is_reddish(p: [u8; 4]) -> bool {
    p[3] == 255 && i32::from(p[0]) > i32::from(p[2]) + 40
}

// ---------------------------------------------------------------------------------------
// Drawing

#[wasm_bindgen_test]
fn cells_are_painted_on_their_side_of_the_scale() {
    let canvas = page_canvas();
    let blank = Pixels::of(&canvas).rgba;
    let layout = draw(&canvas, &mixed_json(), "light");
    let pixels = Pixels::of(&canvas);
    assert_ne!(pixels.rgba, blank, "the canvas changed");
    let better = fill_pixel(&pixels, &layout, 0, 0);
    let worse = fill_pixel(&pixels, &layout, 1, 0);
    let zero = fill_pixel(&pixels, &layout, 2, 0);
    let pending = fill_pixel(&pixels, &layout, 0, 1);
    assert!(is_bluish(better), "+1.23 is blue: {better:?}");
    assert!(is_reddish(worse), "−0.40 is red: {worse:?}");
    assert_eq!(zero, [247, 247, 247, 255], "0.00 is neutral");
    assert_eq!(pending, [180, 180, 180, 255], "pending is grey");
    assert_eq!(pixels.at(2, 2), [255, 255, 255, 255], "white background");
    assert_eq!(layout["limit"], 0.015);
}

#[wasm_bindgen_test]
fn labels_are_drawn_in_the_cells() {
    let canvas = page_canvas();
    let layout = draw(&canvas, &mixed_json(), "light");
    let pixels = Pixels::of(&canvas);
    let ratio = device_pixel_ratio();
    // The pale +0.04 cell: dark ink around its centre, none near its corner.
    let (left, top, width, height) = cell(&layout, 2, 2);
    let dark_in = |x0: f64, y0: f64, x1: f64, y1: f64| {
        let mut count = 0;
        for y in (y0 * ratio) as u32..(y1 * ratio) as u32 {
            for x in (x0 * ratio) as u32..(x1 * ratio) as u32 {
                let p = pixels.at(x, y);
                if p[0] < 100 && p[1] < 100 && p[2] < 100 {
                    count += 1;
                }
            }
        }
        count
    };
    let (cx, cy) = (left + width / 2.0, top + height / 2.0);
    let ink = dark_in(cx - 40.0, cy - 25.0, cx + 40.0, cy + 25.0);
    assert!(ink > 40, "the label is drawn: {ink} dark pixels");
    assert_eq!(dark_in(left + 4.0, top + 4.0, left + 30.0, top + 20.0), 0);
}

#[wasm_bindgen_test]
fn the_layout_maps_clicks_to_cells() {
    let canvas = page_canvas();
    let layout = draw(&canvas, &mixed_json(), "light");
    assert_eq!(
        (layout["width"].as_f64(), layout["height"].as_f64()),
        (Some(800.0), Some(600.0))
    );
    let cells = layout["cells"].as_array().unwrap();
    assert_eq!(cells.len(), 9);
    for (index, c) in cells.iter().enumerate() {
        assert_eq!(c["i"].as_u64(), Some(index as u64 % 3));
        assert_eq!(c["j"].as_u64(), Some(index as u64 / 3));
        let (left, top, width, height) = cell(&layout, index as u64 % 3, index as u64 / 3);
        assert!(left >= 0.0 && top >= 0.0 && left + width <= 800.0 && top + height <= 600.0);
    }
    // Row j = 0 (the lowest N2) at the bottom.
    assert!(cell(&layout, 0, 0).1 > cell(&layout, 0, 2).1);
}

#[wasm_bindgen_test]
fn the_backing_store_is_css_size_times_device_pixel_ratio() {
    let canvas = page_canvas();
    draw(&canvas, &mixed_json(), "light");
    let ratio = device_pixel_ratio();
    assert_eq!(canvas.width(), (800.0 * ratio).round() as u32);
    assert_eq!(canvas.height(), (600.0 * ratio).round() as u32);
}

#[wasm_bindgen_test]
fn the_dark_theme_has_a_dark_background_and_the_same_scale() {
    let canvas = page_canvas();
    let layout = draw(&canvas, &mixed_json(), "dark");
    let pixels = Pixels::of(&canvas);
    let [r, g, b, a] = pixels.at(2, 2);
    assert!(r < 60 && g < 60 && b < 60 && a == 255, "{:?}", [r, g, b, a]);
    assert!(is_bluish(fill_pixel(&pixels, &layout, 0, 0)));
    assert_eq!(fill_pixel(&pixels, &layout, 2, 0), [247, 247, 247, 255]);
}

#[wasm_bindgen_test]
fn twelve_by_twelve_draws() {
    let axis: Vec<f64> = (1..=12).map(|k| f64::from(k) * 0.25).collect();
    let cells: Vec<Value> = (0..144)
        .map(|k| json!({ "state": "Value", "delta": (f64::from(k) - 72.0) * 0.0004, "runs": 2 }))
        .collect();
    let map = json!({ "title": "12 × 12", "n1": axis, "n2": axis, "cells": cells });
    let canvas = page_canvas();
    let layout = draw(&canvas, &map.to_string(), "light");
    assert_eq!(layout["cells"].as_array().unwrap().len(), 144);
    let pixels = Pixels::of(&canvas);
    assert!(is_reddish(fill_pixel(&pixels, &layout, 0, 0)));
    assert!(is_bluish(fill_pixel(&pixels, &layout, 11, 11)));
}

// ---------------------------------------------------------------------------------------
// Errors

/// A 2 × 2 sweep (N1 0.9, 1.1; N2 0.8, 1) as the page starts it, before any run.
fn sweep() -> Sweep {
    let pairs = [("n1", "0.9, 1.1"), ("n2", "0.8, 1")];
    Sweep::parse(|key| pairs.iter().find(|(k, _)| *k == key).map(|(_, v)| *v)).unwrap()
}

#[wasm_bindgen_test]
fn a_click_on_the_heat_map_chooses_the_cell_under_it() {
    let canvas = page_canvas();
    let mut session = SweepSession::new(js_object(&sweep()), 60_000, 2).unwrap();
    session.draw_heatmap(&canvas, "light").unwrap();
    // The same map drawn on the same canvas lands in the same place.
    let record = SweepRecord {
        sweep: sweep(),
        results: Vec::new(),
    };
    let layout = layout(draw_heatmap(
        &canvas,
        &HeatMap::of_sweep(&record, 0, None),
        Theme::Light,
    ));
    let (left, top, width, height) = cell(&layout, 1, 0);
    assert!(session.pick(left + width / 2.0, top + height / 2.0));
    assert_eq!(
        session.selection_caption(),
        "N1 1.1, N2 0.8: no epoch finished yet."
    );
    assert!(!session.pick(1.0, 1.0), "the title is no cell");
    let error = message(session.draw_heatmap(&canvas, "sepia").unwrap_err());
    assert!(error.contains("sepia"), "{error}");
}

// ---------------------------------------------------------------------------------------
// Export

#[wasm_bindgen_test]
async fn the_export_is_a_png_of_the_export_size() {
    let map = HeatMap::parse(&mixed_json()).unwrap();
    let promise = export_heatmap_png(&map).unwrap_or_else(|e| panic!("{}", message(e)));
    let blob: Blob = JsFuture::from(promise).await.unwrap().unchecked_into();
    assert_eq!(blob.type_(), "image/png");
    assert!(blob.size() > 10_000.0, "{} bytes", blob.size());
    let buffer = JsFuture::from(blob.array_buffer()).await.unwrap();
    let bytes = Uint8Array::new(&buffer).to_vec();
    assert_eq!(bytes[..8], [0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A]);
    let window = web_sys::window().unwrap();
    let promise = window.create_image_bitmap_with_blob(&blob).unwrap();
    let bitmap: ImageBitmap = JsFuture::from(promise).await.unwrap().unchecked_into();
    assert_eq!(
        (bitmap.width(), bitmap.height()),
        (
            ayla::chart::HEATMAP_EXPORT_WIDTH,
            ayla::chart::HEATMAP_EXPORT_HEIGHT
        )
    );
    assert_eq!((bitmap.width(), bitmap.height()), (1200, 900));
}
