//! A plotters bitmap backend that measures and draws text with a bundled font.
//!
//! Natively plotters has no font unless a global one is switched on for the whole crate
//! (its `ab_glyph` or `ttf` features), which would change how every native chart test
//! measures text. So, as `web::canvas` does for the page, [`Glyphs`] delegates every
//! shape to the inner `BitMapBackend` and answers text itself: DejaVu Sans
//! (`assets/fonts/`, through the `ab_glyph` crate) both measures and draws, so what is
//! measured is what gets drawn.

use ab_glyph::{point, Font, FontRef, PxScale, ScaleFont};
use plotters::prelude::BitMapBackend;
use plotters_backend::text_anchor::{HPos, VPos};
use plotters_backend::{
    BackendColor, BackendCoord, BackendStyle, BackendTextStyle, DrawingBackend, DrawingErrorKind,
    FontStyle, FontTransform,
};

static SANS: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");
static SANS_BOLD: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans-Bold.ttf");

/// The error type of the inner backend.
type BitmapError = <BitMapBackend<'static> as DrawingBackend>::ErrorType;

/// A `BitMapBackend` whose text is set in DejaVu Sans (bold for a bold style).
pub struct Glyphs<'a> {
    inner: BitMapBackend<'a>,
    regular: FontRef<'static>,
    bold: FontRef<'static>,
}

impl<'a> Glyphs<'a> {
    /// Draws into `rgb` (3 bytes per pixel, row by row) of `size` pixels.
    pub fn new(rgb: &'a mut [u8], size: (u32, u32)) -> Glyphs<'a> {
        let font = |bytes| FontRef::try_from_slice(bytes).expect("the bundled fonts are valid");
        Glyphs {
            inner: BitMapBackend::with_buffer(rgb, size),
            regular: font(SANS),
            bold: font(SANS_BOLD),
        }
    }

    fn font<S: BackendTextStyle>(&self, style: &S) -> &FontRef<'static> {
        match style.style() {
            FontStyle::Bold => &self.bold,
            _ => &self.regular,
        }
    }
}

/// The scale at which `font`'s em square is `size` pixels, as CSS sizes fonts (ab_glyph's
/// scale is the height from descent to ascent).
fn scale(font: &FontRef<'static>, size: f64) -> PxScale {
    let units_per_em = font.units_per_em().unwrap_or(2048.0);
    PxScale::from((size as f32) * font.height_unscaled() / units_per_em)
}

/// The pen's advance over `text`, kerning included.
fn advance(font: &FontRef<'static>, scale: PxScale, text: &str) -> f32 {
    let scaled = font.as_scaled(scale);
    let mut width = 0.0;
    let mut previous = None;
    for c in text.chars() {
        let id = scaled.glyph_id(c);
        if let Some(previous) = previous {
            width += scaled.kern(previous, id);
        }
        width += scaled.h_advance(id);
        previous = Some(id);
    }
    width
}

impl DrawingBackend for Glyphs<'_> {
    type ErrorType = BitmapError;

    fn get_size(&self) -> (u32, u32) {
        self.inner.get_size()
    }

    fn ensure_prepared(&mut self) -> Result<(), DrawingErrorKind<BitmapError>> {
        self.inner.ensure_prepared()
    }

    fn present(&mut self) -> Result<(), DrawingErrorKind<BitmapError>> {
        self.inner.present()
    }

    fn draw_pixel(
        &mut self,
        point: BackendCoord,
        color: BackendColor,
    ) -> Result<(), DrawingErrorKind<BitmapError>> {
        self.inner.draw_pixel(point, color)
    }

    fn draw_line<S: BackendStyle>(
        &mut self,
        from: BackendCoord,
        to: BackendCoord,
        style: &S,
    ) -> Result<(), DrawingErrorKind<BitmapError>> {
        self.inner.draw_line(from, to, style)
    }

    fn draw_rect<S: BackendStyle>(
        &mut self,
        upper_left: BackendCoord,
        bottom_right: BackendCoord,
        style: &S,
        fill: bool,
    ) -> Result<(), DrawingErrorKind<BitmapError>> {
        self.inner.draw_rect(upper_left, bottom_right, style, fill)
    }

    fn draw_path<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        path: I,
        style: &S,
    ) -> Result<(), DrawingErrorKind<BitmapError>> {
        self.inner.draw_path(path, style)
    }

    fn draw_circle<S: BackendStyle>(
        &mut self,
        center: BackendCoord,
        radius: u32,
        style: &S,
        fill: bool,
    ) -> Result<(), DrawingErrorKind<BitmapError>> {
        self.inner.draw_circle(center, radius, style, fill)
    }

    fn fill_polygon<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        vert: I,
        style: &S,
    ) -> Result<(), DrawingErrorKind<BitmapError>> {
        self.inner.fill_polygon(vert, style)
    }

    fn blit_bitmap(
        &mut self,
        pos: BackendCoord,
        size: (u32, u32),
        src: &[u8],
    ) -> Result<(), DrawingErrorKind<BitmapError>> {
        self.inner.blit_bitmap(pos, size, src)
    }

    /// The pen's advance over the text, and the font's ascent plus descent as the height
    /// (as the page's canvas measures: every label of one font gets the same height).
    fn estimate_text_size<S: BackendTextStyle>(
        &self,
        text: &str,
        style: &S,
    ) -> Result<(u32, u32), DrawingErrorKind<BitmapError>> {
        let font = self.font(style);
        let scale = scale(font, style.size());
        let height = font.as_scaled(scale).height();
        // Rounded up: a label must fit in the room reserved for it.
        Ok((
            advance(font, scale, text).ceil() as u32,
            height.ceil() as u32,
        ))
    }

    /// Anchored as the canvas anchors text (textAlign start / center / end; textBaseline
    /// top / middle / bottom of the em square), then turned about the anchor.
    fn draw_text<S: BackendTextStyle>(
        &mut self,
        text: &str,
        style: &S,
        (x, y): BackendCoord,
    ) -> Result<(), DrawingErrorKind<BitmapError>> {
        let color = style.color();
        if color.alpha == 0.0 {
            return Ok(());
        }
        let font = self.font(style).clone();
        let size = style.size() as f32;
        let scale = scale(&font, style.size());
        let scaled = font.as_scaled(scale);
        // The em square's top lies above the baseline by the ascent's share of one em.
        let em_ascent = size * scaled.ascent() / scaled.height();
        let left = match style.anchor().h_pos {
            HPos::Left => 0.0,
            HPos::Center => -advance(&font, scale, text) / 2.0,
            HPos::Right => -advance(&font, scale, text),
        };
        let baseline = match style.anchor().v_pos {
            VPos::Top => em_ascent,
            VPos::Center => em_ascent - size / 2.0,
            VPos::Bottom => em_ascent - size,
        };
        // (u, v) in the text's own frame, anchored at (0, 0), to the bitmap's pixels.
        let turn = |u: i32, v: i32| match style.transform() {
            FontTransform::None => (x + u, y + v),
            FontTransform::Rotate90 => (x - v, y + u),
            FontTransform::Rotate180 => (x - u, y - v),
            FontTransform::Rotate270 => (x + v, y - u),
        };
        let mut pen = left;
        let mut previous = None;
        for c in text.chars() {
            let id = scaled.glyph_id(c);
            if let Some(previous) = previous {
                pen += scaled.kern(previous, id);
            }
            previous = Some(id);
            let glyph = id.with_scale_and_position(scale, point(pen, baseline));
            pen += scaled.h_advance(id);
            let Some(outline) = font.outline_glyph(glyph) else {
                continue; // a space
            };
            let bounds = outline.px_bounds();
            let mut pixels = Vec::new();
            outline.draw(|gx, gy, coverage| {
                let u = bounds.min.x as i32 + gx as i32;
                let v = bounds.min.y as i32 + gy as i32;
                pixels.push((turn(u, v), coverage.min(1.0)));
            });
            for (point, coverage) in pixels {
                let ink = BackendColor {
                    alpha: color.alpha * f64::from(coverage),
                    rgb: color.rgb,
                };
                self.inner.draw_pixel(point, ink)?;
            }
        }
        Ok(())
    }
}
