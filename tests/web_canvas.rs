//! The CSP-safe canvas backend in a real browser: text is measured on the canvas, in the
//! font it will be drawn in, without a document around it.
#![cfg(target_arch = "wasm32")]

use ayla::web::canvas::canvas_backend;
use plotters::prelude::*;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};
use web_sys::HtmlCanvasElement;

wasm_bindgen_test_configure!(run_in_browser);

#[path = "fixtures/canvas.rs"]
mod canvas;

use canvas::context_2d;

/// A canvas that is not in the document: the export draws on one.
fn detached_canvas() -> HtmlCanvasElement {
    canvas::detached_canvas(600, 200)
}

fn font(size: f64, style: FontStyle) -> TextStyle<'static> {
    FontDesc::new(FontFamily::SansSerif, size, style).into()
}

#[wasm_bindgen_test]
fn text_is_measured_as_the_canvas_draws_it() {
    let canvas = detached_canvas();
    let backend = canvas_backend(&canvas).unwrap();
    let (width, height) = backend
        .estimate_text_size("Gradient norm", &font(12.0, FontStyle::Normal))
        .unwrap();

    let context = context_2d(&canvas);
    context.set_font("normal 12px sans-serif");
    let expected = context.measure_text("Gradient norm").unwrap().width();
    assert_eq!(width, expected.ceil() as u32);
    // A line of 12 px text: taller than the size, not absurdly so.
    assert!((12..=20).contains(&height), "height {height}");
}

#[wasm_bindgen_test]
fn bold_measures_wider_than_normal() {
    // plotters' own DOM measuring wrote "bold" into font-style, where it is ignored.
    let backend = canvas_backend(&detached_canvas()).unwrap();
    let title = "MNIST: Normal vs AYLA (N1=0.95, N2=1.0)";
    let (normal, _) = backend
        .estimate_text_size(title, &font(17.0, FontStyle::Normal))
        .unwrap();
    let (bold, _) = backend
        .estimate_text_size(title, &font(17.0, FontStyle::Bold))
        .unwrap();
    assert!(bold > normal, "bold {bold}, normal {normal}");
}

#[wasm_bindgen_test]
fn size_scales_the_measure_and_every_label_of_a_font_is_as_tall() {
    let backend = canvas_backend(&detached_canvas()).unwrap();
    let (small, small_height) = backend
        .estimate_text_size("0.90", &font(12.0, FontStyle::Normal))
        .unwrap();
    let (large, _) = backend
        .estimate_text_size("0.90", &font(24.0, FontStyle::Normal))
        .unwrap();
    assert!(
        large >= 2 * small - 2 && large <= 2 * small + 2,
        "{small} → {large}"
    );
    // Rows of labels line up whatever their letters ("0.90" has no descender, "Epoch" has).
    let (_, epoch_height) = backend
        .estimate_text_size("Epoch", &font(12.0, FontStyle::Normal))
        .unwrap();
    assert_eq!(small_height, epoch_height);
}

#[wasm_bindgen_test]
fn empty_text_measures_zero_wide() {
    let backend = canvas_backend(&detached_canvas()).unwrap();
    let (width, _) = backend
        .estimate_text_size("", &font(12.0, FontStyle::Normal))
        .unwrap();
    assert_eq!(width, 0);
}
