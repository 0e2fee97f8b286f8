//! The sweep heat map as a PNG file, natively (`ayla sweep merge`): the page's drawing code
//! (`chart::draw_heatmap`, light theme, the export's size) on plotters' bitmap backend.
//! The text is set in DejaVu Sans, bundled (`assets/fonts/`), so no system font is needed.

use std::sync::Once;

use plotters::prelude::{BitMapBackend, IntoDrawingArea};
use plotters::style::{register_font, FontStyle};

use crate::chart::{
    draw_heatmap, heatmap_export_scale, ChartError, HeatMap, Theme, HEATMAP_EXPORT_HEIGHT,
    HEATMAP_EXPORT_WIDTH,
};

static SANS: &[u8] = include_bytes!("../assets/fonts/DejaVuSans.ttf");
static SANS_BOLD: &[u8] = include_bytes!("../assets/fonts/DejaVuSans-Bold.ttf");

/// The chart asks for the generic "sans-serif" family; here it is DejaVu Sans.
fn register_fonts() {
    static REGISTERED: Once = Once::new();
    REGISTERED.call_once(|| {
        for (style, bytes) in [(FontStyle::Normal, SANS), (FontStyle::Bold, SANS_BOLD)] {
            // The bundled files are valid fonts; a failure here is a broken build.
            if register_font("sans-serif", style, bytes).is_err() {
                panic!("the bundled DejaVu Sans font does not load");
            }
        }
    });
}

/// The heat map drawn as the page's "Export heat map PNG" draws it, encoded as PNG.
pub fn heatmap_png(map: &HeatMap) -> Result<Vec<u8>, ChartError> {
    register_fonts();
    let (width, height) = (HEATMAP_EXPORT_WIDTH, HEATMAP_EXPORT_HEIGHT);
    let scale = heatmap_export_scale(width, height)?;
    let mut pixels = vec![0u8; width as usize * height as usize * 3];
    {
        let root = BitMapBackend::with_buffer(&mut pixels, (width, height)).into_drawing_area();
        draw_heatmap(&root, map, Theme::Light, scale)?;
        root.present()
            .map_err(|e| ChartError::Drawing(e.to_string()))?;
    }
    encode_png(width, height, &pixels)
}

fn encode_png(width: u32, height: u32, rgb: &[u8]) -> Result<Vec<u8>, ChartError> {
    let mut bytes = Vec::new();
    let mut encoder = png::Encoder::new(&mut bytes, width, height);
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    let failed = |e: png::EncodingError| ChartError::Drawing(format!("PNG encoding: {e}"));
    let mut writer = encoder.write_header().map_err(failed)?;
    writer.write_image_data(rgb).map_err(failed)?;
    writer.finish().map_err(failed)?;
    Ok(bytes)
}
