//! The comparison figure in a real browser: pixels on a canvas, the PNG export, and errors
//! that reach JavaScript as errors rather than panics.
#![cfg(target_arch = "wasm32")]

use ayla::chart::{History, Theme};
use ayla::config::Config;
use ayla::method::Method;
use ayla::protocol::FromWorker;
use ayla::train::EpochMetrics;
use ayla::web::chart::{draw_chart, export_png};
use ayla::web::comparison::Comparison;
use js_sys::Uint8Array;
use serde_json::{json, Value};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};
use web_sys::{Blob, HtmlCanvasElement, ImageBitmap};

wasm_bindgen_test_configure!(run_in_browser);

#[path = "fixtures/histories.rs"]
mod histories;

use histories::{diverged_json, history_json, ALL_AYLA};

#[path = "fixtures/canvas.rs"]
mod canvas;

use canvas::{detached_canvas, device_pixel_ratio, js_object, layout, message, Pixels};

// ---------------------------------------------------------------------------------------
// The page side: a canvas in the document, its pixels, the layout handed back

/// A canvas in the document, 1200×450 CSS pixels, as the page lays it out.
fn page_canvas() -> HtmlCanvasElement {
    canvas::page_canvas(1200, 450)
}

impl Pixels {
    /// Pixels strictly inside the panels' plot areas, the axes excluded.
    fn in_plots<'a>(&'a self, layout: &'a Value, ratio: f64) -> impl Iterator<Item = [u8; 4]> + 'a {
        panels(layout).iter().flat_map(move |panel| {
            let px = |key: &str| (panel[key].as_f64().unwrap() * ratio) as u32;
            let (left, top) = (px("left") + 3, px("top") + 3);
            let (right, bottom) = (left + px("width") - 6, top + px("height") - 6);
            (top..bottom).flat_map(move |y| (left..right).map(move |x| self.at(x, y)))
        })
    }
}

fn is_black(p: &[u8; 4]) -> bool {
    p[3] == 255 && p[0] < 60 && p[1] < 60 && p[2] < 60
}

fn is_blue(p: &[u8; 4]) -> bool {
    p[3] == 255 && p[2] > 200 && p[0] < 80 && p[1] < 80
}

fn panels(layout: &Value) -> &Vec<Value> {
    layout["panels"]
        .as_array()
        .expect("layout.panels is an array")
}

fn draw(canvas: &HtmlCanvasElement, history: &str, theme: &str) -> Value {
    let history = History::parse(history).expect("a test history");
    layout(draw_chart(canvas, &history, Theme::parse(theme).unwrap()))
}

// ---------------------------------------------------------------------------------------
// Drawing

#[wasm_bindgen_test]
fn drawing_a_history_paints_both_colours_in_the_plots() {
    let canvas = page_canvas();
    let blank = Pixels::of(&canvas).rgba;
    let layout = draw(&canvas, &history_json(5, 5, &[]), "light");
    let pixels = Pixels::of(&canvas);
    assert_ne!(pixels.rgba, blank, "the canvas changed");
    let ratio = device_pixel_ratio();
    let black = pixels.in_plots(&layout, ratio).filter(is_black).count();
    let blue = pixels.in_plots(&layout, ratio).filter(is_blue).count();
    assert!(black > 300, "Normal in black: {black} pixels");
    assert!(blue > 300, "AYLA in blue: {blue} pixels");
    assert_eq!(pixels.at(2, 2), [255, 255, 255, 255], "white background");
}

#[wasm_bindgen_test]
fn the_backing_store_is_css_size_times_device_pixel_ratio() {
    let canvas = page_canvas();
    draw(&canvas, &history_json(2, 2, &[]), "light");
    let ratio = device_pixel_ratio();
    assert_eq!(canvas.width(), (1200.0 * ratio).round() as u32);
    assert_eq!(canvas.height(), (450.0 * ratio).round() as u32);
}

#[wasm_bindgen_test]
fn a_canvas_without_css_size_keeps_its_attributes() {
    let canvas = detached_canvas(900, 400);
    for _ in 0..3 {
        let layout = draw(&canvas, &history_json(3, 3, &[]), "light");
        assert_eq!(layout["width"], 900.0);
    }
    assert_eq!((canvas.width(), canvas.height()), (900, 400));
}

#[wasm_bindgen_test]
fn hiding_every_ayla_series_removes_the_blue() {
    let canvas = page_canvas();
    let layout = draw(&canvas, &history_json(5, 5, &ALL_AYLA), "light");
    let pixels = Pixels::of(&canvas);
    let ratio = device_pixel_ratio();
    assert_eq!(pixels.in_plots(&layout, ratio).filter(is_blue).count(), 0);
    assert!(pixels.in_plots(&layout, ratio).filter(is_black).count() > 300);
}

#[wasm_bindgen_test]
fn a_diverged_run_still_draws() {
    let canvas = page_canvas();
    let layout = draw(&canvas, &diverged_json(), "light");
    let pixels = Pixels::of(&canvas);
    let ratio = device_pixel_ratio();
    assert!(pixels.in_plots(&layout, ratio).filter(is_blue).count() > 50);
    assert!(pixels.in_plots(&layout, ratio).filter(is_black).count() > 300);
    let history = History::parse(&diverged_json()).unwrap();
    let text = ayla::chart::readout(&history, 4).unwrap();
    assert!(text.ends_with("AYLA: diverged in epoch 3"), "{text}");
}

#[wasm_bindgen_test]
fn an_empty_history_draws_clean_axes() {
    let canvas = page_canvas();
    let empty = json!({
        "n1": 0.95, "n2": 1.0, "epochs": 5,
        "runs": [{ "method": "Normal", "metrics": [] }, { "method": "AYLA", "metrics": [] }]
    });
    let layout = draw(&canvas, &empty.to_string(), "light");
    let pixels = Pixels::of(&canvas);
    let ratio = device_pixel_ratio();
    assert_eq!(pixels.in_plots(&layout, ratio).filter(is_blue).count(), 0);
    assert_eq!(pixels.in_plots(&layout, ratio).filter(is_black).count(), 0);
    assert_eq!(panels(&layout).len(), 3);
}

#[wasm_bindgen_test]
fn the_dark_theme_has_a_dark_background() {
    let canvas = page_canvas();
    draw(&canvas, &history_json(5, 5, &[]), "dark");
    let [r, g, b, a] = Pixels::of(&canvas).at(2, 2);
    assert!(r < 60 && g < 60 && b < 60 && a == 255, "{:?}", [r, g, b, a]);
}

#[wasm_bindgen_test]
fn the_layout_maps_the_planned_epochs() {
    let canvas = page_canvas();
    let layout = draw(&canvas, &history_json(2, 2, &[]), "light");
    // Two epochs done of seven planned: the axis spans all seven from the start.
    let mut seven: Value = serde_json::from_str(&history_json(2, 2, &[])).unwrap();
    seven["epochs"] = json!(7);
    let layout_seven = draw(&canvas, &seven.to_string(), "light");
    for (layout, epochs) in [(layout, 2.0), (layout_seven, 7.0)] {
        let names: Vec<&str> = panels(&layout)
            .iter()
            .map(|p| p["name"].as_str().unwrap())
            .collect();
        assert_eq!(names, ["accuracy", "loss", "grad_norm"]);
        for panel in panels(&layout) {
            let (x_min, x_max) = (
                panel["x_min"].as_f64().unwrap(),
                panel["x_max"].as_f64().unwrap(),
            );
            assert_eq!(panel["epochs"].as_f64(), Some(epochs));
            assert!(x_min < 1.0 && x_min > 0.5, "{panel}");
            assert!(x_max > epochs && x_max < epochs + 0.5, "{panel}");
            let right = panel["left"].as_f64().unwrap() + panel["width"].as_f64().unwrap();
            assert!(
                right <= 1200.0 && panel["top"].as_f64().unwrap() > 0.0,
                "{panel}"
            );
        }
    }
}

// ---------------------------------------------------------------------------------------
// Errors

/// A comparison of `epochs` planned epochs that has received `measured` epochs of both
/// methods, as the page builds it from the workers' messages.
fn comparison(epochs: usize, measured: usize) -> Comparison {
    let config = Config {
        epochs,
        ..Config::default()
    };
    let mut comparison = Comparison::new(js_object(&config), 60_000).unwrap();
    for epoch in 1..=measured {
        for (job, method) in [Method::Normal, Method::Ayla].into_iter().enumerate() {
            let metrics = EpochMetrics {
                epoch,
                loss: 1.0 / epoch as f32,
                accuracy: 0.8,
                val_loss: 0.9 / epoch as f32,
                val_accuracy: 0.85,
                grad_norm: 1.0,
                seconds: 1.0,
                diverged_at: None,
            };
            let text = FromWorker::epoch(method, metrics).encode();
            comparison.receive(job, job, &text, 1.0).unwrap();
        }
    }
    comparison
}

#[wasm_bindgen_test]
fn a_config_outside_the_limits_is_an_error_not_a_panic() {
    let config = Config {
        batch_size: 0,
        ..Config::default()
    };
    let error = message(Comparison::new(js_object(&config), 60_000).err().unwrap());
    assert!(error.contains("outside their limits"), "{error}");
    assert!(Comparison::new(JsValue::from_str("not a config"), 1).is_err());
}

#[wasm_bindgen_test]
fn bad_themes_and_sizes_are_errors() {
    let canvas = page_canvas();
    let theme = message(comparison(2, 2).draw(&canvas, "sepia").unwrap_err());
    assert!(theme.contains("sepia"), "{theme}");
    let history = History::parse(&history_json(2, 2, &[])).unwrap();
    let size = message(export_png(&history, 0, 700).unwrap_err());
    assert!(size.contains("0×700"), "{size}");
}

#[wasm_bindgen_test]
fn the_readout_follows_the_pointer_and_stays_within_the_epochs_measured() {
    let canvas = page_canvas();
    let mut comparison = comparison(5, 3);
    assert!(
        comparison.readout_at(10.0, 10.0).unwrap().is_undefined(),
        "before any drawing"
    );
    comparison.draw(&canvas, "light").unwrap();
    let layout = draw(&canvas, &history_json(5, 3, &[]), "light");
    let panel = &panels(&layout)[0];
    let f = |key: &str| panel[key].as_f64().unwrap();
    // The middle of the first panel is epoch 3 of 1..=5; the right edge is past the last
    // epoch measured, so it reads epoch 3 too; outside the panels there is nothing.
    let at = |x: f64| {
        let readout = comparison
            .readout_at(x, f("top") + f("height") / 2.0)
            .unwrap();
        let text: String = js_sys::Reflect::get(&readout, &"text".into())
            .unwrap()
            .as_string()
            .unwrap();
        text
    };
    assert!(at(f("left") + f("width") / 2.0).starts_with("Epoch 3 — Normal: acc 0.8000"));
    assert!(at(f("left") + 2.0).starts_with("Epoch 1 — "));
    assert!(at(f("left") + f("width") - 1.0).starts_with("Epoch 3 — "));
    assert!(comparison.readout_at(1.0, 1.0).unwrap().is_undefined());
    let keyed = comparison.readout_at_epoch(9).unwrap();
    let epoch = js_sys::Reflect::get(&keyed, &"epoch".into())
        .unwrap()
        .as_f64()
        .unwrap();
    assert_eq!(epoch, 3.0, "the keyboard stops at the last epoch measured");
}

// ---------------------------------------------------------------------------------------
// Export

async fn exported(width: Option<u32>, height: Option<u32>) -> Blob {
    let promise = match (width, height) {
        (Some(width), Some(height)) => {
            let history = History::parse(&history_json(5, 5, &[])).unwrap();
            export_png(&history, width, height)
        }
        _ => comparison(5, 5).export_png(),
    }
    .unwrap_or_else(|e| panic!("{}", message(e)));
    JsFuture::from(promise).await.unwrap().unchecked_into()
}

async fn bitmap_size(blob: &Blob) -> (u32, u32) {
    let window = web_sys::window().unwrap();
    let promise = window.create_image_bitmap_with_blob(blob).unwrap();
    let bitmap: ImageBitmap = JsFuture::from(promise).await.unwrap().unchecked_into();
    (bitmap.width(), bitmap.height())
}

#[wasm_bindgen_test]
async fn the_export_is_a_real_png_of_the_default_size() {
    let blob = exported(None, None).await;
    assert_eq!(blob.type_(), "image/png");
    assert!(blob.size() > 30_000.0, "{} bytes", blob.size());
    let buffer = JsFuture::from(blob.array_buffer()).await.unwrap();
    let bytes = Uint8Array::new(&buffer).to_vec();
    assert_eq!(bytes[..8], [0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A]);
    assert_eq!(bitmap_size(&blob).await, (1800, 700));
}

#[wasm_bindgen_test]
async fn the_export_has_the_requested_size() {
    let blob = exported(Some(1000), Some(420)).await;
    assert_eq!(bitmap_size(&blob).await, (1000, 420));
}
