//! A plotters backend for an HTML canvas that works under a strict Content-Security-Policy.
//!
//! `plotters_canvas::CanvasBackend` draws everything, text included, through the canvas 2D
//! context, but it leaves text *measuring* to plotters' default, which on wasm32 builds a
//! `<span>`, styles it with `setAttribute("style", …)` and reads its size back
//! (plotters' `src/style/font/web.rs`). A policy without `style-src-attr 'unsafe-inline'`
//! blocks that attribute: the browser reports a violation for every label measured and the
//! span is measured in the page's default font, so the layout gets wrong sizes. It also
//! needs a document (`window().unwrap()`), and it cannot measure a bold font (it writes
//! "bold" into `font-style`, where it is not a valid value).
//!
//! [`Canvas`] delegates every drawing call to the inner `CanvasBackend` and answers
//! `estimate_text_size` with the context's own `measureText`, in the very font string
//! `CanvasBackend::draw_text` draws with, so what is measured is what gets drawn.

use plotters_backend::{
    BackendColor, BackendCoord, BackendStyle, BackendTextStyle, DrawingBackend, DrawingErrorKind,
};
use plotters_canvas::CanvasBackend;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement};

/// plotters-canvas does not export its error type by name.
type CanvasError = <CanvasBackend as DrawingBackend>::ErrorType;

/// A `CanvasBackend` that measures text on the canvas instead of in the DOM.
pub struct Canvas {
    inner: CanvasBackend,
    /// The same 2D context the inner backend draws with (`getContext` returns one object
    /// per canvas), used only for `measureText`.
    context: CanvasRenderingContext2d,
}

/// The backend for drawing on `canvas` (in the document or detached).
pub fn canvas_backend(canvas: &HtmlCanvasElement) -> Result<Canvas, JsError> {
    let no_context = || JsError::new("The chart canvas has no 2D drawing context.");
    let context: CanvasRenderingContext2d = canvas
        .get_context("2d")
        .ok()
        .flatten()
        .and_then(|context| context.dyn_into().ok())
        .ok_or_else(no_context)?;
    let inner = CanvasBackend::with_canvas_object(canvas.clone()).ok_or_else(no_context)?;
    Ok(Canvas { inner, context })
}

/// `measureText` failed (it throws only for a font string the context cannot parse).
#[derive(Debug)]
pub struct MeasureError(String);

impl std::fmt::Display for MeasureError {
    fn fmt(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        write!(f, "the text could not be measured: {}", self.0)
    }
}

impl std::error::Error for MeasureError {}

/// The CSS font shorthand `CanvasBackend::draw_text` sets, e.g. "bold 21px sans-serif".
fn css_font<S: BackendTextStyle>(style: &S) -> String {
    format!(
        "{} {}px {}",
        style.style().as_str(),
        style.size(),
        style.family().as_str()
    )
}

impl DrawingBackend for Canvas {
    type ErrorType = CanvasError;

    fn get_size(&self) -> (u32, u32) {
        self.inner.get_size()
    }

    fn ensure_prepared(&mut self) -> Result<(), DrawingErrorKind<CanvasError>> {
        self.inner.ensure_prepared()
    }

    fn present(&mut self) -> Result<(), DrawingErrorKind<CanvasError>> {
        self.inner.present()
    }

    fn draw_pixel(
        &mut self,
        point: BackendCoord,
        color: BackendColor,
    ) -> Result<(), DrawingErrorKind<CanvasError>> {
        self.inner.draw_pixel(point, color)
    }

    fn draw_line<S: BackendStyle>(
        &mut self,
        from: BackendCoord,
        to: BackendCoord,
        style: &S,
    ) -> Result<(), DrawingErrorKind<CanvasError>> {
        self.inner.draw_line(from, to, style)
    }

    fn draw_rect<S: BackendStyle>(
        &mut self,
        upper_left: BackendCoord,
        bottom_right: BackendCoord,
        style: &S,
        fill: bool,
    ) -> Result<(), DrawingErrorKind<CanvasError>> {
        self.inner.draw_rect(upper_left, bottom_right, style, fill)
    }

    fn draw_path<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        path: I,
        style: &S,
    ) -> Result<(), DrawingErrorKind<CanvasError>> {
        self.inner.draw_path(path, style)
    }

    fn draw_circle<S: BackendStyle>(
        &mut self,
        center: BackendCoord,
        radius: u32,
        style: &S,
        fill: bool,
    ) -> Result<(), DrawingErrorKind<CanvasError>> {
        self.inner.draw_circle(center, radius, style, fill)
    }

    fn fill_polygon<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        vert: I,
        style: &S,
    ) -> Result<(), DrawingErrorKind<CanvasError>> {
        self.inner.fill_polygon(vert, style)
    }

    // CanvasBackend::draw_text anchors with the context's textAlign and textBaseline and
    // never measures, so drawing text needs no DOM either.
    fn draw_text<S: BackendTextStyle>(
        &mut self,
        text: &str,
        style: &S,
        pos: BackendCoord,
    ) -> Result<(), DrawingErrorKind<CanvasError>> {
        self.inner.draw_text(text, style, pos)
    }

    /// The horizontal extent of `text` (as plotters' default: rotation is not applied).
    /// The height is the font's ascent plus descent rather than this text's ink, so every
    /// label of one font gets the same height ("0.90" and "Epoch" alike) — the line box the
    /// DOM span used to report. Browsers without font metrics fall back to the ink, then
    /// to the font size.
    fn estimate_text_size<S: BackendTextStyle>(
        &self,
        text: &str,
        style: &S,
    ) -> Result<(u32, u32), DrawingErrorKind<CanvasError>> {
        self.context.set_font(&css_font(style));
        let metrics = self.context.measure_text(text).map_err(|error| {
            let detail = error.as_string().unwrap_or_else(|| format!("{error:?}"));
            DrawingErrorKind::FontError(Box::new(MeasureError(detail)))
        })?;
        let positive = |value: f64| (value.is_finite() && value > 0.0).then_some(value);
        let height =
            positive(metrics.font_bounding_box_ascent() + metrics.font_bounding_box_descent())
                .or_else(|| {
                    positive(
                        metrics.actual_bounding_box_ascent()
                            + metrics.actual_bounding_box_descent(),
                    )
                })
                .unwrap_or_else(|| style.size());
        let width = positive(metrics.width()).unwrap_or(0.0);
        // Rounded up: a label must fit in the room reserved for it.
        Ok((width.ceil() as u32, height.ceil() as u32))
    }

    fn blit_bitmap(
        &mut self,
        pos: BackendCoord,
        size: (u32, u32),
        src: &[u8],
    ) -> Result<(), DrawingErrorKind<CanvasError>> {
        self.inner.blit_bitmap(pos, size, src)
    }
}
