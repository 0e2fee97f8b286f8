//! The sweep heat map, natively: its JSON, its checks, its colour scale, and the drawing on
//! a recording backend (pixels, and text with the box each label takes).
#![cfg(not(target_arch = "wasm32"))]

use ayla::chart::{
    draw_heatmap, heat_colour, heat_limit, heatmap_export_scale, ChartError, HeatCell, HeatLayout,
    HeatMap, Theme, HEATMAP_EXPORT_HEIGHT, HEATMAP_EXPORT_WIDTH, HEAT_CAPTION,
};
use plotters::prelude::*;
use serde_json::json;

#[path = "fixtures/recorder.rs"]
mod recorder;

use recorder::{record, Label, Record};

// ---------------------------------------------------------------------------------------
// Maps

fn value(delta: f64, std: Option<f64>) -> HeatCell {
    HeatCell::Value {
        delta,
        std,
        runs: 3,
    }
}

/// 3×3, every state: row j = 0 (N2 = 0.8) is +1.23 ± 0.31, −0.40 ± 0.20, 0.00;
/// row 1 is pending, +0.21, diverged 2/3; row 2 is −0.87 ± 0.52, diverged 3/3, +0.04.
fn mixed() -> HeatMap {
    HeatMap {
        title: "Final val accuracy − Normal (3 seeds, 3 epochs)".to_string(),
        caption: HEAT_CAPTION.to_string(),
        n1: vec![0.5, 0.95, 1.5],
        n2: vec![0.8, 1.0, 2.0],
        cells: vec![
            value(0.0123, Some(0.0031)),
            value(-0.004, Some(0.002)),
            value(0.0, Some(0.001)),
            HeatCell::Pending,
            value(0.0021, None),
            HeatCell::Diverged {
                diverged: 2,
                runs: 3,
            },
            value(-0.0087, Some(0.0052)),
            HeatCell::Diverged {
                diverged: 3,
                runs: 3,
            },
            value(0.0004, Some(0.0001)),
        ],
        selected: Some((1, 1)),
    }
}

/// n × n values from −3 to +3 points, with a few diverged and pending cells.
fn square(n: usize) -> HeatMap {
    let axis: Vec<f32> = (0..n).map(|k| 0.25 + 0.25 * k as f32).collect();
    let cells = (0..n * n)
        .map(|k| {
            let (i, j) = ((k % n) as f64, (k / n) as f64);
            if k % 29 == 7 {
                HeatCell::Diverged {
                    diverged: 1,
                    runs: 5,
                }
            } else if k + 10 > n * n {
                HeatCell::Pending
            } else {
                let t = (i + j) / (2.0 * (n as f64 - 1.0).max(1.0)) * 2.0 - 1.0;
                value(0.03 * t, Some(0.0029))
            }
        })
        .collect();
    HeatMap {
        title: "Final val accuracy − Normal (5 seeds, 10 epochs)".to_string(),
        caption: HEAT_CAPTION.to_string(),
        n1: axis.clone(),
        n2: axis,
        cells,
        selected: Some((3.min(n - 1), n - 1)),
    }
}

// ---------------------------------------------------------------------------------------
// Drawing, on a backend that records pixels, and text with its box (tests/fixtures/recorder.rs)

struct Drawn {
    record: Record,
    layout: HeatLayout,
}

impl Drawn {
    fn pixel(&self, (x, y): (i32, i32)) -> (u8, u8, u8) {
        self.record.pixel(x, y)
    }

    fn labels(&self, text: &str) -> Vec<&Label> {
        self.record
            .labels
            .iter()
            .filter(|l| l.text == text)
            .collect()
    }

    fn has(&self, text: &str) -> bool {
        !self.labels(text).is_empty()
    }

    /// The device-pixel box of cell (i, j) from the layout (scale 1).
    fn cell_rect(&self, i: usize, j: usize) -> (i32, i32, i32, i32) {
        let b = self
            .layout
            .cells
            .iter()
            .find(|b| b.i == i && b.j == j)
            .expect("cell in layout");
        let (x0, y0) = (b.left.round() as i32, b.top.round() as i32);
        (
            x0,
            y0,
            x0 + b.width.round() as i32,
            y0 + b.height.round() as i32,
        )
    }

    fn centre(&self, i: usize, j: usize) -> (i32, i32) {
        let (x0, y0, x1, y1) = self.cell_rect(i, j);
        ((x0 + x1) / 2, (y0 + y1) / 2)
    }

    fn pixels_in(&self, (x0, y0, x1, y1): (i32, i32, i32, i32)) -> Vec<(u8, u8, u8)> {
        (y0..y1)
            .flat_map(|y| (x0..x1).map(move |x| (x, y)))
            .map(|p| self.pixel(p))
            .collect()
    }
}

fn inside(inner: (i32, i32, i32, i32), outer: (i32, i32, i32, i32)) -> bool {
    inner.0 >= outer.0 && inner.1 >= outer.1 && inner.2 <= outer.2 && inner.3 <= outer.3
}

const UNTOUCHED: (u8, u8, u8) = (7, 7, 7);

fn try_draw(map: &HeatMap, theme: Theme, (width, height): (u32, u32)) -> Result<Drawn, ChartError> {
    let (record, layout) = record(width, height, UNTOUCHED, |root| {
        draw_heatmap(root, map, theme, 1.0)
    });
    layout.map(|layout| Drawn { record, layout })
}

fn draw(map: &HeatMap, theme: Theme, size: (u32, u32)) -> Drawn {
    try_draw(map, theme, size).unwrap_or_else(|e| panic!("the heat map draws: {e}"))
}

const PAGE: (u32, u32) = (800, 600);

fn rgb(c: RGBColor) -> (u8, u8, u8) {
    (c.0, c.1, c.2)
}

fn is_bluish((r, g, b): (u8, u8, u8)) -> bool {
    i32::from(b) > i32::from(r) + 40 && b >= g
}

fn is_reddish((r, g, b): (u8, u8, u8)) -> bool {
    i32::from(r) > i32::from(b) + 40 && r > g
}

// ---------------------------------------------------------------------------------------
// JSON and checks

#[test]
fn the_agreed_json_parses() {
    let json = json!({
        "title": "Final val accuracy − Normal (3 seeds, 3 epochs)",
        "n1": [0.5, 0.95],
        "n2": [1.0],
        "cells": [
            { "state": "Value", "delta": 0.0123, "std": 0.004, "runs": 3 },
            { "state": "Diverged", "diverged": 2, "runs": 3 }
        ],
        "selected": [1, 0]
    });
    let map = HeatMap::parse(&json.to_string()).unwrap();
    assert_eq!(map.n1, vec![0.5, 0.95]);
    assert_eq!(map.selected, Some((1, 0)));
    assert_eq!(*map.cell(0, 0), value(0.0123, Some(0.004)));
    assert_eq!(
        *map.cell(1, 0),
        HeatCell::Diverged {
            diverged: 2,
            runs: 3
        }
    );

    // `selected` and `std` may be null or absent; a pending cell is just its state.
    let json = json!({
        "title": "", "n1": [1.0], "n2": [1.0, 2.0],
        "cells": [{ "state": "Value", "delta": -0.01, "runs": 1 }, { "state": "Pending" }],
        "selected": null
    });
    let map = HeatMap::parse(&json.to_string()).unwrap();
    assert_eq!(
        map.cells,
        vec![
            HeatCell::Value {
                delta: -0.01,
                std: None,
                runs: 1
            },
            HeatCell::Pending
        ]
    );
    assert_eq!(map.selected, None);
}

#[test]
fn the_map_round_trips_through_json() {
    let map = mixed();
    let json = serde_json::to_string(&map).unwrap();
    assert!(
        json.contains(r#""state":"Diverged","diverged":2,"runs":3"#),
        "{json}"
    );
    assert_eq!(HeatMap::parse(&json).unwrap(), map);
}

#[test]
fn bad_json_is_a_heat_map_sentence() {
    let err =
        HeatMap::parse(r#"{ "title": "x", "n1": [1], "n2": [1], "cells": [{ "state": "Done" }] }"#)
            .unwrap_err();
    assert!(matches!(err, ChartError::HeatMapJson(_)), "{err:?}");
    let message = err.to_string();
    assert!(
        message.starts_with("The sweep heat map is not valid"),
        "{message}"
    );
    assert!(message.ends_with('.'), "{message}");
}

#[test]
fn a_mismatched_cell_count_is_an_error() {
    let mut map = mixed();
    map.cells.pop();
    let err = map.validate().unwrap_err();
    assert!(
        matches!(
            err,
            ChartError::HeatCellCount {
                n1: 3,
                n2: 3,
                cells: 8
            }
        ),
        "{err:?}"
    );
    assert_eq!(
        err.to_string(),
        "The sweep heat map has 8 cells, but its 3 N1 × 3 N2 values need 9."
    );
    // Drawing checks too, before touching the canvas.
    let err = try_draw(&map, Theme::Light, PAGE).err().expect("an error");
    assert!(matches!(err, ChartError::HeatCellCount { .. }));
}

#[test]
fn empty_axes_are_errors() {
    let mut map = mixed();
    map.n1.clear();
    map.cells.clear();
    let err = map.validate().unwrap_err();
    assert!(matches!(err, ChartError::EmptyHeatAxis("N1")), "{err:?}");
    assert!(err.to_string().contains("no N1 values"), "{err}");
    let mut map = mixed();
    map.n2.clear();
    assert!(matches!(
        map.validate(),
        Err(ChartError::EmptyHeatAxis("N2"))
    ));
}

#[test]
fn non_finite_numbers_are_errors() {
    let mut map = mixed();
    map.cells[4] = value(f64::NAN, None);
    let err = map.validate().unwrap_err();
    assert_eq!(
        err.to_string(),
        "The sweep heat map's delta of the cell at N1=0.95, N2=1.0 is not a finite number."
    );
    let mut map = mixed();
    map.cells[0] = value(0.01, Some(f64::INFINITY));
    assert!(map
        .validate()
        .unwrap_err()
        .to_string()
        .contains("std of the cell at N1=0.5, N2=0.8"));
    let mut map = mixed();
    map.n2[2] = f32::NAN;
    assert!(matches!(map.validate(), Err(ChartError::HeatNotFinite(_))));
}

#[test]
fn axes_must_ascend() {
    let mut map = mixed();
    map.n1 = vec![0.5, 1.5, 0.95];
    let err = map.validate().unwrap_err();
    assert!(
        matches!(
            err,
            ChartError::HeatAxisOrder {
                axis: "N1",
                index: 2,
                ..
            }
        ),
        "{err:?}"
    );
    assert!(
        err.to_string()
            .contains("value 3 (0.95) is not above value 2 (1.5)"),
        "{err}"
    );
}

#[test]
fn the_selection_must_be_inside_the_grid() {
    let mut map = mixed();
    map.selected = Some((0, 3));
    let err = map.validate().unwrap_err();
    assert!(matches!(err, ChartError::HeatSelection { i: 0, j: 3, .. }));
    assert!(err.to_string().contains("(0, 3)"), "{err}");
}

#[test]
fn a_canvas_too_small_is_an_error_not_a_panic() {
    let err = try_draw(&square(12), Theme::Light, (120, 90))
        .err()
        .expect("too small");
    assert!(matches!(err, ChartError::HeatTooSmall { .. }), "{err:?}");
    assert!(err.to_string().contains("120×90"), "{err}");
}

#[test]
fn the_export_scale_fits_the_design() {
    let scale = heatmap_export_scale(HEATMAP_EXPORT_WIDTH, HEATMAP_EXPORT_HEIGHT).unwrap();
    assert!((scale - 1.5).abs() < 1e-9, "{scale}");
    assert!(matches!(
        heatmap_export_scale(0, 900),
        Err(ChartError::BadSize { .. })
    ));
}

// ---------------------------------------------------------------------------------------
// The colour scale

#[test]
fn the_limit_is_the_largest_delta_rounded_up() {
    let map_of = |deltas: &[f64]| HeatMap {
        title: String::new(),
        caption: HEAT_CAPTION.to_string(),
        n1: (0..deltas.len()).map(|k| k as f32).collect(),
        n2: vec![1.0],
        cells: deltas.iter().map(|&d| value(d, None)).collect(),
        selected: None,
    };
    let close = |a: f64, b: f64| (a - b).abs() < 1e-12;
    assert!(close(heat_limit(&map_of(&[0.0123, -0.004])), 0.015));
    assert!(
        close(heat_limit(&map_of(&[0.001, -0.031])), 0.04),
        "negative deltas count"
    );
    assert!(
        close(heat_limit(&map_of(&[0.02])), 0.02),
        "a round maximum stays"
    );
    assert!(
        close(heat_limit(&map_of(&[0.0, 0.0])), 0.001),
        "all zero: the minimum"
    );
    assert!(close(heat_limit(&map_of(&[0.25])), 0.3));
    let mut pending = map_of(&[0.0]);
    pending.cells = vec![HeatCell::Pending];
    assert!(close(heat_limit(&pending), 0.001));
}

#[test]
fn zero_is_neutral_better_is_blue_and_worse_is_red() {
    let limit = 0.015;
    assert_eq!(rgb(heat_colour(0.0, limit)), (247, 247, 247));
    for delta in [0.001, 0.005, 0.0123, 0.015, 0.5] {
        let better = rgb(heat_colour(delta, limit));
        let worse = rgb(heat_colour(-delta, limit));
        assert!(
            is_bluish(better) || better.2 > better.0,
            "{delta}: {better:?}"
        );
        assert!(worse.0 > worse.2, "{delta}: {worse:?}");
        // Symmetric: the same distance from neutral on both sides.
        let distance = |c: (u8, u8, u8)| {
            let d = |a: u8| (247 - i32::from(a)).abs();
            d(c.0).max(d(c.1)).max(d(c.2))
        };
        let (b, w) = (distance(better), distance(worse));
        assert!(
            (b - w).abs() <= b.max(w) / 4 + 3,
            "{delta}: {better:?} vs {worse:?}"
        );
    }
    // The ends, and beyond them clamped.
    assert_eq!(rgb(heat_colour(limit, limit)), (5, 48, 97));
    assert_eq!(rgb(heat_colour(-limit, limit)), (103, 0, 31));
    assert_eq!(rgb(heat_colour(3.0 * limit, limit)), (5, 48, 97));
    // Stronger differences are darker.
    let light = heat_colour(0.003, limit);
    let dark = heat_colour(0.012, limit);
    assert!(u32::from(dark.0) + u32::from(dark.1) < u32::from(light.0) + u32::from(light.1));
}

// ---------------------------------------------------------------------------------------
// Drawing

#[test]
fn cells_are_painted_on_the_right_side_of_the_scale() {
    let drawn = draw(&mixed(), Theme::Light, PAGE);
    let limit = drawn.layout.limit;
    assert!((limit - 0.015).abs() < 1e-12, "{limit}");
    let better = drawn.pixel(drawn.centre(0, 0));
    let worse = drawn.pixel(drawn.centre(1, 0));
    let zero = drawn.pixel(drawn.centre(2, 0));
    assert!(is_bluish(better), "+1.23: {better:?}");
    assert!(is_reddish(worse), "−0.40: {worse:?}");
    assert_eq!(zero, (247, 247, 247), "0.00 is neutral");
    assert_eq!(better, rgb(heat_colour(0.0123, limit)));
    assert!(is_reddish(drawn.pixel(drawn.centre(0, 2))), "−0.87");
}

#[test]
fn every_value_is_labelled_once_in_its_cell_in_points() {
    let drawn = draw(&mixed(), Theme::Light, PAGE);
    let expected = [
        ((0, 0), "+1.23", Some("±0.31")),
        ((1, 0), "−0.40", Some("±0.20")),
        ((2, 0), "0.00", Some("±0.10")),
        ((1, 1), "+0.21", None),
        ((0, 2), "−0.87", Some("±0.52")),
        ((2, 2), "+0.04", Some("±0.01")),
    ];
    for ((i, j), text, std) in expected {
        let labels = drawn.labels(text);
        assert_eq!(labels.len(), 1, "{text}: {labels:?}");
        let cell = drawn.cell_rect(i, j);
        assert!(inside(labels[0].rect, cell), "{text} in its cell {cell:?}");
        if let Some(std) = std {
            let std_labels = drawn.labels(std);
            assert_eq!(std_labels.len(), 1, "{std}");
            assert!(inside(std_labels[0].rect, cell), "{std} in its cell");
            assert!(
                std_labels[0].rect.1 >= labels[0].rect.3,
                "{std} under {text}"
            );
        }
    }
    // Contrast: white on the dark blue +1.23, dark on the pale −0.40.
    assert_eq!(drawn.labels("+1.23")[0].color, (255, 255, 255));
    assert_eq!(drawn.labels("−0.40")[0].color, (20, 20, 20));
}

#[test]
fn diverged_cells_are_hatched_and_say_so() {
    let drawn = draw(&mixed(), Theme::Light, PAGE);
    let axis = rgb(Theme::Light.palette().axis);
    for ((i, j), count) in [((2, 1), "2/3"), ((1, 2), "3/3")] {
        let cell = drawn.cell_rect(i, j);
        let word = drawn
            .labels("diverged")
            .into_iter()
            .filter(|l| inside(l.rect, cell))
            .count();
        assert_eq!(word, 1, "\"diverged\" in cell ({i}, {j})");
        let counts = drawn.labels(count);
        assert_eq!(counts.len(), 1, "{count}");
        assert!(inside(counts[0].rect, cell), "{count} in its cell");
        let hatch = drawn.pixels_in(cell).iter().filter(|&&p| p == axis).count();
        let area = ((cell.2 - cell.0) * (cell.3 - cell.1)) as usize;
        assert!(
            hatch > area / 20,
            "hatching in ({i}, {j}): {hatch} of {area}"
        );
    }
    // Value cells carry no hatching.
    let plain = drawn.cell_rect(0, 0);
    let inner = (plain.0 + 2, plain.1 + 2, plain.2 - 3, plain.3 - 3);
    assert!(!drawn.pixels_in(inner).contains(&axis));
}

#[test]
fn pending_cells_are_grey_and_keyed() {
    let drawn = draw(&mixed(), Theme::Light, PAGE);
    let grey = drawn.pixel(drawn.centre(0, 1));
    assert_eq!(grey, rgb(Theme::Light.palette().muted));
    assert!(grey.0 == grey.1 && grey.1 == grey.2, "grey: {grey:?}");
    let dots = drawn.labels("…");
    assert_eq!(dots.len(), 1);
    assert!(inside(dots[0].rect, drawn.cell_rect(0, 1)));
    assert!(drawn.has("pending") && drawn.has("diverged"));

    // A finished map has no pending key, and no diverged key without diverged cells.
    let mut done = mixed();
    done.cells = done
        .cells
        .iter()
        .map(|c| match c {
            HeatCell::Value { .. } => c.clone(),
            _ => value(0.001, None),
        })
        .collect();
    let drawn = draw(&done, Theme::Light, PAGE);
    assert!(!drawn.has("pending") && !drawn.has("diverged") && !drawn.has("…"));
}

#[test]
fn the_layout_has_one_box_per_cell_bottom_row_first() {
    let drawn = draw(&mixed(), Theme::Light, PAGE);
    let layout = &drawn.layout;
    assert_eq!((layout.width, layout.height), (800.0, 600.0));
    assert_eq!(layout.cells.len(), 9);
    for (index, b) in layout.cells.iter().enumerate() {
        assert_eq!((b.i, b.j), (index % 3, index / 3), "row-major order");
        assert!(b.width > 50.0 && b.height > 50.0, "{b:?}");
        assert!(b.left >= 0.0 && b.top >= 0.0, "{b:?}");
        assert!(
            b.left + b.width <= 800.0 && b.top + b.height <= 600.0,
            "{b:?}"
        );
    }
    for (a, pair) in layout.cells.iter().enumerate() {
        for b in &layout.cells[a + 1..] {
            let apart = pair.left + pair.width <= b.left
                || b.left + b.width <= pair.left
                || pair.top + pair.height <= b.top
                || b.top + b.height <= pair.top;
            assert!(apart, "{pair:?} overlaps {b:?}");
        }
    }
    let b = |i: usize, j: usize| &layout.cells[j * 3 + i];
    assert!(
        b(0, 0).top > b(0, 1).top && b(0, 1).top > b(0, 2).top,
        "N2 grows upwards"
    );
    assert!(
        b(0, 0).left < b(1, 0).left && b(1, 0).left < b(2, 0).left,
        "N1 to the right"
    );
    // Neighbours touch: a click anywhere on the grid finds a cell.
    assert_eq!(b(0, 0).left + b(0, 0).width, b(1, 0).left);
    assert_eq!(b(0, 1).top + b(0, 1).height, b(0, 0).top);
}

#[test]
fn the_layout_is_in_css_pixels() {
    let (_, doubled) = record(1600, 1200, UNTOUCHED, |root| {
        draw_heatmap(root, &mixed(), Theme::Light, 2.0)
    });
    let doubled = doubled.unwrap();
    let single = draw(&mixed(), Theme::Light, PAGE).layout;
    assert_eq!((doubled.width, doubled.height), (800.0, 600.0));
    for (a, b) in doubled.cells.iter().zip(&single.cells) {
        assert!(
            (a.left - b.left).abs() <= 1.0 && (a.width - b.width).abs() <= 1.0,
            "{a:?} {b:?}"
        );
        assert!(
            (a.top - b.top).abs() <= 1.0 && (a.height - b.height).abs() <= 1.0,
            "{a:?} {b:?}"
        );
    }
}

#[test]
fn the_layout_serialises_to_the_agreed_json() {
    let layout = draw(&mixed(), Theme::Light, PAGE).layout;
    let json = serde_json::to_value(&layout).unwrap();
    assert_eq!(json["width"], 800.0);
    assert_eq!(json["limit"], 0.015);
    let cell = &json["cells"][4];
    for key in ["i", "j", "left", "top", "width", "height"] {
        assert!(cell.get(key).is_some(), "{key} in {cell}");
    }
    assert_eq!((cell["i"].as_u64(), cell["j"].as_u64()), (Some(1), Some(1)));
}

#[test]
fn the_frame_has_title_axes_ticks_and_a_symmetric_colour_bar() {
    let drawn = draw(&mixed(), Theme::Light, PAGE);
    for text in [
        "Final val accuracy − Normal (3 seeds, 3 epochs)",
        "N1",
        "N2",
        "0.5",
        "0.95",
        "1.5",
        "0.8",
        "1.0",
        "2.0",
        HEAT_CAPTION,
    ] {
        assert!(drawn.has(text), "{text}");
    }
    // Tick labels sit on their cells: 0.95 under column 1, 2.0 beside row 2.
    let (x, _) = drawn.labels("0.95")[0].centre();
    let column = drawn.cell_rect(1, 0);
    assert!(column.0 < x && x < column.2);
    let (_, y) = drawn.labels("2.0")[0].centre();
    let row = drawn.cell_rect(0, 2);
    assert!(row.1 < y && y < row.3);

    // The colour bar runs from −1.5 to +1.5 points, +1.5 at the top, blue beside +, red
    // beside −, neutral beside 0.
    let top = drawn.labels("+1.5");
    let bottom = drawn.labels("−1.5");
    let zero = drawn.labels("0");
    assert_eq!((top.len(), bottom.len(), zero.len()), (1, 1, 1));
    assert!(drawn.has("+0.5") && drawn.has("−0.5"));
    let (top, bottom, zero) = (top[0], bottom[0], zero[0]);
    assert!(top.rect.1 < zero.rect.1 && zero.rect.1 < bottom.rect.1);
    let zero_y = zero.centre().1;
    let mid = (top.centre().1 + bottom.centre().1) / 2;
    assert!(
        (zero_y - mid).abs() <= 2,
        "0 is in the middle: {zero_y} vs {mid}"
    );
    // The bar is left of its labels: probe 12 px left of each label, inside the bar.
    let probe = |label: &Label, dy: i32| drawn.pixel((label.rect.0 - 12, label.centre().1 + dy));
    assert!(is_bluish(probe(top, 2)), "{:?}", probe(top, 2));
    assert!(is_reddish(probe(bottom, -2)), "{:?}", probe(bottom, -2));
    let neutral = probe(zero, 0);
    assert!(
        neutral.0 > 230 && neutral.1 > 230 && neutral.2 > 230,
        "{neutral:?}"
    );
    // The caption reads along the bar, to its right.
    let caption = drawn.labels(HEAT_CAPTION)[0];
    assert!(caption.rotated && caption.rect.0 > top.rect.0);
}

#[test]
fn the_selected_cell_is_outlined() {
    let ring = (20, 20, 20);
    let drawn = draw(&mixed(), Theme::Light, PAGE);
    let (x0, y0, x1, y1) = drawn.cell_rect(1, 1);
    let (cx, cy) = drawn.centre(1, 1);
    for edge in [(x0 + 1, cy), (cx, y0 + 1), (x1 - 3, cy), (cx, y1 - 3)] {
        assert_eq!(drawn.pixel(edge), ring, "outline at {edge:?}");
    }
    // No other cell has it.
    let (ox0, _, _, _) = drawn.cell_rect(0, 0);
    assert_ne!(drawn.pixel((ox0 + 1, drawn.centre(0, 0).1)), ring);
    let mut none = mixed();
    none.selected = None;
    let drawn = draw(&none, Theme::Light, PAGE);
    assert_ne!(drawn.pixel((x0 + 1, cy)), ring);
}

#[test]
fn the_dark_theme_uses_its_palette() {
    let drawn = draw(&mixed(), Theme::Dark, PAGE);
    let palette = Theme::Dark.palette();
    assert_eq!(drawn.pixel((2, 2)), rgb(palette.background));
    for text in ["N1", "N2", "0.95", HEAT_CAPTION] {
        assert_eq!(drawn.labels(text)[0].color, rgb(palette.text), "{text}");
    }
    assert_eq!(
        drawn.pixel(drawn.centre(0, 1)),
        rgb(palette.muted),
        "pending"
    );
    // The scale does not change with the theme.
    assert_eq!(drawn.pixel(drawn.centre(2, 0)), (247, 247, 247));
    assert!(is_bluish(drawn.pixel(drawn.centre(0, 0))));
}

/// No two labels overlap, and all lie on the canvas.
fn assert_tidy(drawn: &Drawn) {
    let (w, h) = (drawn.record.width as i32, drawn.record.height as i32);
    let labels = &drawn.record.labels;
    for (k, a) in labels.iter().enumerate() {
        assert!(inside(a.rect, (0, 0, w, h)), "{a:?} off the canvas");
        for b in &labels[k + 1..] {
            assert!(!a.overlaps(b), "{a:?} overlaps {b:?}");
        }
    }
    assert!(
        drawn
            .pixels_in((0, 0, w, h))
            .iter()
            .all(|&p| p != UNTOUCHED),
        "the background is painted everywhere"
    );
}

#[test]
fn twelve_by_twelve_draws_without_overlapping_labels() {
    let map = square(12);
    let drawn = draw(&map, Theme::Light, PAGE);
    assert_tidy(&drawn);
    assert_eq!(drawn.layout.cells.len(), 144);
    // At the page's size every value still gets its label, each in its own cell.
    for (index, cell) in map.cells.iter().enumerate() {
        if let HeatCell::Value { delta, .. } = cell {
            let expected = if (delta * 100.0).abs() < 0.005 {
                format!("{:.2}", 0.0)
            } else if *delta > 0.0 {
                format!("+{:.2}", delta * 100.0)
            } else {
                format!("−{:.2}", -delta * 100.0)
            };
            let rect = drawn.cell_rect(index % 12, index / 12);
            let found = drawn
                .labels(&expected)
                .into_iter()
                .filter(|l| inside(l.rect, rect))
                .count();
            assert_eq!(found, 1, "{expected} in cell {index}");
        }
    }
    // All twelve ticks on each axis fit.
    assert!(drawn.has("0.25") && drawn.has("3.0") && drawn.has("1.75"));
}

#[test]
fn small_canvases_drop_labels_rather_than_overlap_them() {
    for (map, size) in [
        (square(12), (420, 300)),
        (square(12), (300, 240)),
        (square(7), (360, 280)),
        (mixed(), (260, 200)),
        (square(1), (200, 150)),
        (square(12), (1200, 900)),
    ] {
        let drawn = draw(&map, Theme::Light, size);
        assert_tidy(&drawn);
        assert_eq!(drawn.layout.cells.len(), map.cells.len());
    }
    // On the smallest 12×12 some tick labels go, but the first stays.
    let drawn = draw(&square(12), Theme::Light, (300, 240));
    assert!(drawn.has("0.25"));
    let ticks = drawn
        .record
        .labels
        .iter()
        .filter(|l| l.text.parse::<f32>().is_ok() && !l.text.starts_with(['+', '−']))
        .count();
    assert!(ticks < 24, "{ticks} tick labels");
}

#[test]
fn one_cell_is_a_whole_map() {
    let map = HeatMap {
        title: "One".to_string(),
        caption: HEAT_CAPTION.to_string(),
        n1: vec![0.95],
        n2: vec![1.0],
        cells: vec![value(-0.004, Some(0.0012))],
        selected: Some((0, 0)),
    };
    let drawn = draw(&map, Theme::Light, PAGE);
    assert_tidy(&drawn);
    assert!(drawn.has("−0.40") && drawn.has("±0.12"));
    assert!((drawn.layout.limit - 0.004).abs() < 1e-12);
    assert_eq!(
        drawn.pixel(drawn.centre(0, 0)),
        (103, 0, 31),
        "the end of the scale"
    );
    let b = &drawn.layout.cells[0];
    assert!(
        b.width <= 2.0 * b.height && b.height <= 2.0 * b.width,
        "{b:?}"
    );
}

#[test]
fn an_all_zero_map_draws_on_the_minimum_scale() {
    let mut map = mixed();
    map.cells = vec![value(0.0, None); 9];
    let drawn = draw(&map, Theme::Light, PAGE);
    assert!((drawn.layout.limit - 0.001).abs() < 1e-12);
    assert_eq!(drawn.labels("0.00").len(), 9);
    assert!(drawn.has("+0.10") && drawn.has("−0.10"), "±0.1 points");
    assert_eq!(drawn.pixel(drawn.centre(1, 1)), (247, 247, 247));
}

#[test]
fn a_long_title_is_shortened_to_fit() {
    let mut map = mixed();
    map.title = "A very long title ".repeat(10);
    let drawn = draw(&map, Theme::Light, (400, 300));
    assert_tidy(&drawn);
    let title = drawn
        .record
        .labels
        .iter()
        .find(|l| l.text.starts_with("A very long"))
        .expect("title drawn");
    assert!(title.text.ends_with('…'), "{}", title.text);
}
