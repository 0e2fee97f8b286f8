//! Charts as PNG files, natively (`ayla sweep merge`): the page's drawing code on plotters'
//! bitmap backend, with the text set in a bundled font (see [`text`]).

mod text;

use plotters::prelude::IntoDrawingArea;

use crate::chart::{
    draw_heatmap, heatmap_export_scale, ChartError, HeatMap, Theme, HEATMAP_EXPORT_HEIGHT,
    HEATMAP_EXPORT_WIDTH,
};
use text::Glyphs;

/// The heat map as the page's "Export heat map PNG" draws it (light theme, the export's
/// size and scale), encoded as PNG.
pub fn heatmap_png(map: &HeatMap) -> Result<Vec<u8>, ChartError> {
    let (width, height) = (HEATMAP_EXPORT_WIDTH, HEATMAP_EXPORT_HEIGHT);
    let scale = heatmap_export_scale(width, height)?;
    let mut rgb = vec![0u8; width as usize * height as usize * 3];
    {
        let root = Glyphs::new(&mut rgb, (width, height)).into_drawing_area();
        draw_heatmap(&root, map, Theme::Light, scale)?;
        root.present()
            .map_err(|e| ChartError::Drawing(e.to_string()))?;
    }
    encode_png(width, height, &rgb)
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
