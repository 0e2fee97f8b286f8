//! What every drawing shares: the themes' colours, design sizes turned into device pixels
//! and fonts, export scales, and small text helpers. The figure, its legend, the heat map
//! and the error notes all draw with these.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::ChartError;
use crate::method::Method;

/// Larger canvases fail to allocate in some browsers.
pub const MAX_EXPORT_SIDE: u32 = 8192;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Theme {
    Light,
    Dark,
}

impl Theme {
    /// The page's theme flag: "light" or "dark".
    pub fn parse(name: &str) -> Result<Theme, ChartError> {
        match name {
            "light" => Ok(Theme::Light),
            "dark" => Ok(Theme::Dark),
            other => Err(ChartError::UnknownTheme(other.to_string())),
        }
    }

    pub fn palette(self) -> Palette {
        match self {
            // The original's colours: Normal black, AYLA blue, on white.
            Theme::Light => Palette {
                background: RGBColor(255, 255, 255),
                text: RGBColor(34, 34, 34),
                axis: RGBColor(118, 118, 118),
                grid: RGBColor(230, 230, 230),
                muted: RGBColor(180, 180, 180),
                normal: RGBColor(0, 0, 0),
                ayla: RGBColor(0, 0, 255),
            },
            // Black would vanish on a dark background: Normal takes the ink colour and
            // AYLA a lighter blue, keeping "Normal = ink, AYLA = blue".
            Theme::Dark => Palette {
                background: RGBColor(24, 26, 31),
                text: RGBColor(226, 228, 233),
                axis: RGBColor(140, 145, 155),
                grid: RGBColor(50, 54, 62),
                muted: RGBColor(95, 100, 110),
                normal: RGBColor(236, 236, 236),
                ayla: RGBColor(110, 155, 255),
            },
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Palette {
    pub background: RGBColor,
    pub text: RGBColor,
    pub axis: RGBColor,
    pub grid: RGBColor,
    /// Legend entries of hidden series.
    pub muted: RGBColor,
    pub normal: RGBColor,
    pub ayla: RGBColor,
}

impl Palette {
    pub fn method(&self, method: Method) -> RGBColor {
        match method {
            Method::Normal => self.normal,
            Method::Ayla => self.ayla,
        }
    }
}

/// Device pixels per design pixel for a `size` export of a drawing designed at `design`
/// CSS pixels (the figure's and the heat map's export scales).
pub fn scale_for(
    (width, height): (u32, u32),
    (design_width, design_height): (f64, f64),
) -> Result<f64, ChartError> {
    let fits = |side: u32| (1..=MAX_EXPORT_SIDE).contains(&side);
    if !(fits(width) && fits(height)) {
        return Err(ChartError::BadSize {
            width,
            height,
            max: MAX_EXPORT_SIDE,
        });
    }
    let scale = (f64::from(width) / design_width).min(f64::from(height) / design_height);
    Ok(scale.clamp(0.5, 6.0))
}

/// Design sizes turned into device pixels, and the theme's colours.
pub struct Pen {
    pub palette: Palette,
    pub scale: f64,
}

impl Pen {
    pub fn px(&self, design: f64) -> i32 {
        (design * self.scale).round().max(1.0) as i32
    }

    pub fn font(&self, design_size: f64, color: RGBColor) -> TextStyle<'static> {
        let size = design_size * self.scale;
        FontDesc::new(FontFamily::SansSerif, size, FontStyle::Normal).color(&color)
    }

    pub fn bold_font(&self, design_size: f64, color: RGBColor) -> TextStyle<'static> {
        let size = design_size * self.scale;
        FontDesc::new(FontFamily::SansSerif, size, FontStyle::Bold).color(&color)
    }

    pub fn line(&self, color: RGBColor, design_width: f64) -> ShapeStyle {
        color.stroke_width(self.px(design_width) as u32)
    }
}

pub fn drawing<E: std::fmt::Display>(e: E) -> ChartError {
    ChartError::Drawing(e.to_string())
}

/// The width in device pixels of the widest of these labels.
pub fn widest<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    labels: &[String],
    font: &TextStyle,
) -> Result<i32, ChartError> {
    let mut widest = 0;
    for label in labels {
        let (width, _) = area.estimate_text_size(label, font).map_err(drawing)?;
        widest = widest.max(width as i32);
    }
    Ok(widest)
}

/// An exponent as the user typed it: "1.0" rather than "1", "0.95" rather than the f32
/// round trip "0.949999988079071".
pub fn exponent(value: f64) -> String {
    let fixed = format!("{value:.6}");
    let trimmed = fixed.trim_end_matches('0');
    if trimmed.ends_with('.') {
        format!("{trimmed}0")
    } else {
        trimmed.to_string()
    }
}

/// A title fitted to `room` device pixels: its lines and the (bold) font to draw them in.
pub struct FittedTitle {
    pub lines: Vec<String>,
    pub font: TextStyle<'static>,
}

/// Fits a title to `room` device pixels: on one line at the largest of `sizes` (design
/// pixels, largest first) that fits; else, if `break_before` is given and found, on two
/// lines broken there; else on one line at the smallest size, cut short with "…".
pub fn fit_title<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    title: &str,
    room: i32,
    sizes: &[f64],
    break_before: Option<&str>,
    pen: &Pen,
) -> Result<FittedTitle, ChartError> {
    let fits = |text: &str, font: &TextStyle| -> Result<bool, ChartError> {
        let (w, _) = area.estimate_text_size(text, font).map_err(drawing)?;
        Ok(w as i32 <= room)
    };
    let font = |size: f64| pen.bold_font(size, pen.palette.text);
    for &size in sizes {
        if fits(title, &font(size))? {
            return Ok(FittedTitle {
                lines: vec![title.to_string()],
                font: font(size),
            });
        }
    }
    let broken = break_before
        .and_then(|mark| title.rfind(mark))
        .map(|at| [title[..at].trim_end(), title[at..].trim_start()]);
    if let Some(lines) = broken {
        for &size in sizes {
            if fits(lines[0], &font(size))? && fits(lines[1], &font(size))? {
                return Ok(FittedTitle {
                    lines: lines.map(String::from).to_vec(),
                    font: font(size),
                });
            }
        }
    }
    let smallest = font(sizes.last().copied().unwrap_or(11.0));
    let mut chars: Vec<char> = title.chars().collect();
    let mut text = title.to_string();
    while !fits(&text, &smallest)? && !chars.is_empty() {
        chars.pop();
        text = format!("{}…", chars.iter().collect::<String>().trim_end());
    }
    Ok(FittedTitle {
        lines: vec![text],
        font: smallest,
    })
}
