//! The comparison figure's logic, natively: the history JSON, axes and ticks, the hover
//! readout, and the drawing itself on a recording backend (pixels and text).
#![cfg(not(target_arch = "wasm32"))]

use ayla::chart::{
    self, epoch_ticks, export_scale, format_tick, nice_ticks, panel_grid, x_range, y_range,
    ChartError, History, Layout, Metric, Theme, YScale,
};
use plotters_backend::BackendCoord;
use serde_json::json;

#[path = "fixtures/histories.rs"]
mod histories;

use histories::{diverged_json, history_json, metrics, ALL_AYLA};

#[path = "fixtures/recorder.rs"]
mod recorder;

use recorder::{record, Record};

fn parse(json: &str) -> History {
    History::parse(json).expect("test history parses")
}

// ---------------------------------------------------------------------------------------
// The history JSON

#[test]
fn history_of_the_agreed_shape_parses() {
    let history = parse(&history_json(5, 2, &["AYLA val_loss"]));
    assert_eq!(history.epochs, 5);
    assert_eq!(history.runs.len(), 2);
    assert_eq!(history.runs[1].method.label(), "AYLA");
    assert_eq!(history.runs[0].metrics.len(), 2);
    assert!(!history.is_visible(history.runs[1].method, Metric::ValLoss));
    assert!(history.is_visible(history.runs[0].method, Metric::ValLoss));
}

#[test]
fn hidden_is_optional() {
    let json = r#"{ "n1": 0.95, "n2": 1.0, "epochs": 5, "runs": [] }"#;
    assert!(parse(json).hidden.is_empty());
}

#[test]
fn null_metrics_read_back_as_nan() {
    let history = parse(&diverged_json());
    let broken = history.runs[1].at(3).expect("epoch 3 reported");
    assert!(broken.loss.is_nan());
    assert_eq!(broken.diverged_at, Some(17));
}

#[test]
fn bad_json_is_an_error_sentence() {
    let err = History::parse("{ not json").unwrap_err();
    assert!(matches!(err, ChartError::Json(_)));
    let message = err.to_string();
    assert!(
        message.starts_with("The chart history is not valid"),
        "{message}"
    );
    assert!(message.ends_with('.'), "{message}");
}

#[test]
fn an_unknown_method_is_rejected() {
    let json = r#"{ "n1": 1, "n2": 1, "epochs": 5,
                    "runs": [{ "method": "Adam", "metrics": [], "diverged": false }] }"#;
    let message = History::parse(json).unwrap_err().to_string();
    assert!(message.contains("Adam"), "{message}");
}

#[test]
fn zero_planned_epochs_is_rejected() {
    let json = r#"{ "n1": 1, "n2": 1, "epochs": 0, "runs": [] }"#;
    assert!(matches!(History::parse(json), Err(ChartError::NoEpochs)));
}

#[test]
fn a_misspelt_hidden_series_is_rejected() {
    let err = History::parse(&history_json(5, 1, &["AYLA val-loss"])).unwrap_err();
    assert!(matches!(&err, ChartError::UnknownSeries(name) if name == "AYLA val-loss"));
    assert!(err.to_string().contains("val_loss"));
}

#[test]
fn every_series_name_is_accepted_in_hidden() {
    let names = [
        "Normal accuracy",
        "Normal val_accuracy",
        "Normal loss",
        "Normal val_loss",
        "Normal grad_norm",
        "AYLA accuracy",
        "AYLA val_accuracy",
        "AYLA loss",
        "AYLA val_loss",
        "AYLA grad_norm",
    ];
    assert!(History::parse(&history_json(5, 1, &names)).is_ok());
}

#[test]
fn the_x_axis_covers_epochs_reported_beyond_the_plan() {
    let history = parse(&history_json(3, 4, &[]));
    assert_eq!(history.last_epoch(), 4);
}

// ---------------------------------------------------------------------------------------
// Runs: segments and divergence

#[test]
fn a_diverged_run_ends_at_its_last_finite_point() {
    let history = parse(&diverged_json());
    let ayla = &history.runs[1];
    let segments = ayla.segments(Metric::Loss);
    assert_eq!(segments.len(), 1);
    assert_eq!(segments[0].len(), 2, "epochs 1 and 2 only");
    assert_eq!(ayla.last_finite(Metric::Loss).map(|p| p.0), Some(2.0));
    // Accuracy stayed finite in the broken epoch, so it is drawn to epoch 3.
    assert_eq!(ayla.last_finite(Metric::Accuracy).map(|p| p.0), Some(3.0));
    assert_eq!(ayla.diverged_epoch(), Some(3));
    assert_eq!(history.runs[0].diverged_epoch(), None);
}

#[test]
fn a_gap_in_the_middle_splits_the_line() {
    let mut json: serde_json::Value = serde_json::from_str(&history_json(5, 5, &[])).unwrap();
    json["runs"][0]["metrics"][2]["val_loss"] = serde_json::Value::Null;
    let history = parse(&json.to_string());
    let lengths: Vec<usize> = history.runs[0]
        .segments(Metric::ValLoss)
        .iter()
        .map(Vec::len)
        .collect();
    assert_eq!(lengths, vec![2, 2]);
}

#[test]
fn the_diverged_flag_alone_marks_the_first_broken_epoch() {
    let json = json!({
        "n1": 1, "n2": 1, "epochs": 5,
        "runs": [{ "method": "AYLA", "diverged": true,
                   "metrics": [metrics(1, 0.0), metrics(2, 0.0)] }]
    });
    let history = parse(&json.to_string());
    assert_eq!(history.runs[0].diverged_epoch(), Some(3));
}

// ---------------------------------------------------------------------------------------
// Axes

#[test]
fn the_x_range_pads_around_the_epochs() {
    let (lo, hi) = x_range(5);
    assert!(lo < 1.0 && lo > 0.5, "{lo}");
    assert!(hi > 5.0 && hi < 5.5, "{hi}");
    let (lo, hi) = x_range(1);
    assert!(lo < 1.0 && hi > 1.0);
}

#[test]
fn few_epochs_get_a_tick_each() {
    assert_eq!(epoch_ticks(5, 10), vec![1, 2, 3, 4, 5]);
    assert_eq!(epoch_ticks(1, 10), vec![1]);
}

#[test]
fn many_epochs_get_round_integer_steps() {
    assert_eq!(epoch_ticks(30, 8), vec![5, 10, 15, 20, 25, 30]);
    assert_eq!(
        epoch_ticks(30, 15),
        vec![2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30]
    );
    assert_eq!(epoch_ticks(200, 5), vec![50, 100, 150, 200]);
}

#[test]
fn epoch_ticks_never_exceed_the_room() {
    for epochs in 1..=500 {
        for room in 1..=20 {
            let ticks = epoch_ticks(epochs, room);
            assert!(
                ticks.len() <= room,
                "{epochs} epochs, room {room}: {ticks:?}"
            );
            assert!(ticks.iter().all(|&t| (1..=epochs).contains(&t)));
        }
    }
}

#[test]
fn accuracy_gets_a_tight_range_inside_zero_to_one() {
    let (lo, hi) = y_range(YScale::Fraction, &[0.91, 0.95, 0.97]);
    assert!(lo > 0.85 && lo < 0.91, "{lo}");
    assert!(hi > 0.97 && hi <= 1.0, "{hi}");
    let (lo, hi) = y_range(YScale::Fraction, &[0.02, 0.999]);
    assert_eq!((lo, hi), (0.0, 1.0));
}

#[test]
fn losses_start_at_zero() {
    let (lo, hi) = y_range(YScale::FromZero, &[0.3, 0.8]);
    assert_eq!(lo, 0.0);
    assert!(hi > 0.8 && hi < 0.9, "{hi}");
}

#[test]
fn no_values_yet_give_zero_to_one() {
    assert_eq!(y_range(YScale::Fraction, &[]), (0.0, 1.0));
    assert_eq!(y_range(YScale::FromZero, &[]), (0.0, 1.0));
}

#[test]
fn nice_ticks_are_round_and_inside_the_range() {
    for (lo, hi, max) in [
        (0.0, 1.0, 6),
        (0.78, 0.94, 8),
        (0.0, 0.87, 10),
        (0.0, 2.3e7, 5),
    ] {
        let ticks = nice_ticks(lo, hi, max);
        assert!(
            !ticks.values.is_empty() && ticks.values.len() <= max,
            "{ticks:?}"
        );
        for v in &ticks.values {
            assert!(*v >= lo - 1e-9 && *v <= hi + 1e-9, "{v} outside {lo}..{hi}");
            let multiple = v / ticks.step;
            assert!(
                (multiple - multiple.round()).abs() < 1e-6,
                "{v} vs {}",
                ticks.step
            );
        }
    }
    assert_eq!(nice_ticks(0.0, 1.0, 6).values.len(), 6, "0, 0.2, ... 1.0");
}

#[test]
fn tick_labels_have_the_decimals_of_their_step() {
    assert_eq!(format_tick(0.9, 0.02), "0.90");
    assert_eq!(format_tick(0.925, 0.025), "0.925");
    assert_eq!(format_tick(2.5, 2.5), "2.5");
    assert_eq!(format_tick(12.0, 2.0), "12");
    assert_eq!(format_tick(0.0, 0.1), "0.0");
    assert_eq!(format_tick(-1e-17, 0.1), "0.0");
    assert_eq!(format_tick(1.5e6, 5e5), "1.5e6");
}

// ---------------------------------------------------------------------------------------
// Readout

#[test]
fn readout_lists_every_series_of_both_runs() {
    let history = parse(&history_json(5, 5, &[]));
    let text = chart::readout(&history, 1).unwrap();
    assert_eq!(
        text,
        "Epoch 1 — Normal: acc 0.8000, val acc 0.8400, loss 0.8000, val loss 0.4500, \
         grad 1.6000 | AYLA: acc 0.7800, val acc 0.8200, loss 0.8200, val loss 0.4700, \
         grad 1.6200"
    );
}

#[test]
fn readout_leaves_out_hidden_series_and_fully_hidden_runs() {
    let hidden = [&ALL_AYLA[..], &["Normal grad_norm"]].concat();
    let history = parse(&history_json(5, 5, &hidden));
    let text = chart::readout(&history, 1).unwrap();
    assert_eq!(
        text,
        "Epoch 1 — Normal: acc 0.8000, val acc 0.8400, loss 0.8000, val loss 0.4500"
    );
}

#[test]
fn readout_says_diverged_where_a_run_broke() {
    let history = parse(&diverged_json());
    let at_break = chart::readout(&history, 3).unwrap();
    assert!(
        at_break.ends_with("| AYLA: diverged in this epoch"),
        "{at_break}"
    );
    let after = chart::readout(&history, 5).unwrap();
    assert!(after.ends_with("| AYLA: diverged in epoch 3"), "{after}");
    assert!(after.contains("Normal: acc 0.9200"), "{after}");
}

#[test]
fn readout_shows_a_test_score_at_its_runs_last_epoch() {
    let mut json: serde_json::Value = serde_json::from_str(&history_json(3, 3, &[])).unwrap();
    json["runs"][1]["test"] = json!({"loss": 0.25, "accuracy": 0.9195});
    let history = parse(&json.to_string());
    let last = chart::readout(&history, 3).unwrap();
    assert!(
        last.ends_with(
            "AYLA: acc 0.8800, val acc 0.9000, loss 0.4819, val loss 0.2798, grad 1.1708; \
             test acc 0.9195, test loss 0.2500 (scored once at the end)"
        ),
        "{last}"
    );
    // Normal has none; and no epoch before the last shows it.
    assert_eq!(last.matches("test acc").count(), 1, "{last}");
    assert!(!chart::readout(&history, 2).unwrap().contains("test"));
}

#[test]
fn readout_before_an_epoch_is_reported() {
    let history = parse(&history_json(5, 2, &[]));
    let text = chart::readout(&history, 4).unwrap();
    assert_eq!(text, "Epoch 4 — Normal: no data yet | AYLA: no data yet");
}

#[test]
fn readout_shows_a_single_non_finite_value_as_such() {
    let mut json: serde_json::Value = serde_json::from_str(&history_json(5, 2, &[])).unwrap();
    json["runs"][0]["metrics"][1]["grad_norm"] = serde_json::Value::Null;
    let text = chart::readout(&parse(&json.to_string()), 2).unwrap();
    assert!(text.contains("grad not finite |"), "{text}");
}

#[test]
fn readout_outside_the_epochs_is_an_error() {
    let history = parse(&history_json(5, 2, &[]));
    for epoch in [0, 6] {
        let err = chart::readout(&history, epoch).unwrap_err();
        assert!(matches!(err, ChartError::EpochOutOfRange { .. }));
        assert!(err.to_string().contains("1 to 5"), "{err}");
    }
}

// ---------------------------------------------------------------------------------------
// Sizes and themes

#[test]
fn the_default_export_is_the_page_figure_at_one_and_a_half() {
    let scale = export_scale(chart::EXPORT_WIDTH, chart::EXPORT_HEIGHT).unwrap();
    assert!((scale - 1.5).abs() < 1e-9, "{scale}");
}

#[test]
fn impossible_export_sizes_are_rejected() {
    for (w, h) in [(0, 700), (1800, 0), (100_000, 700)] {
        let err = export_scale(w, h).unwrap_err();
        assert!(matches!(err, ChartError::BadSize { .. }), "{w}×{h}");
    }
}

#[test]
fn panels_sit_side_by_side_when_wide_and_stack_when_narrow() {
    assert_eq!(panel_grid(1200.0, 450.0), (1, 3));
    assert_eq!(panel_grid(400.0, 700.0), (3, 1));
}

#[test]
fn themes_are_light_or_dark() {
    assert_eq!(Theme::parse("light").unwrap(), Theme::Light);
    assert_eq!(Theme::parse("dark").unwrap(), Theme::Dark);
    assert!(Theme::parse("sepia")
        .unwrap_err()
        .to_string()
        .contains("sepia"));
}

// ---------------------------------------------------------------------------------------
// Drawing, on a backend that records pixels and text (tests/fixtures/recorder.rs)

struct Drawn {
    record: Record,
    layout: Layout,
}

impl Drawn {
    fn pixel(&self, x: i32, y: i32) -> (u8, u8, u8) {
        self.record.pixel(x, y)
    }

    /// Pixels strictly inside a panel's plot area (the axes themselves excluded).
    fn plot_pixels(&self) -> impl Iterator<Item = (u8, u8, u8)> + '_ {
        self.layout.panels.iter().flat_map(move |p| {
            let (x0, y0) = (p.left as i32 + 2, p.top as i32 + 2);
            let (x1, y1) = ((p.left + p.width) as i32 - 2, (p.top + p.height) as i32 - 2);
            (y0..y1).flat_map(move |y| (x0..x1).map(move |x| self.pixel(x, y)))
        })
    }

    fn count_in_plots(&self, color: (u8, u8, u8)) -> usize {
        self.plot_pixels().filter(|&p| p == color).count()
    }

    fn has_text(&self, text: &str) -> bool {
        self.record.labels.iter().any(|l| l.text == text)
    }

    /// Every text drawn, with the anchor plotters drew it at.
    fn texts(&self) -> impl Iterator<Item = (&str, BackendCoord)> + '_ {
        self.record.labels.iter().map(|l| (l.text.as_str(), l.pos))
    }
}

fn draw(json: &str, theme: Theme, (width, height): (u32, u32)) -> Drawn {
    let (record, layout) = record(width, height, (7, 7, 7), |root| {
        chart::draw(root, &parse(json), theme, 1.0).expect("the figure draws")
    });
    Drawn { record, layout }
}

const WIDE: (u32, u32) = (1200, 450);
const BLACK_RGB: (u8, u8, u8) = (0, 0, 0);
const BLUE_RGB: (u8, u8, u8) = (0, 0, 255);

#[test]
fn the_figure_is_titled_with_n1_and_n2() {
    let drawn = draw(&history_json(5, 3, &[]), Theme::Light, WIDE);
    assert!(drawn.has_text("MNIST: Normal vs AYLA (N1=0.95, N2=1.0)"));
    for caption in ["Accuracy", "Loss", "Gradient norm", "Epoch"] {
        assert!(drawn.has_text(caption), "{caption}");
    }
}

#[test]
fn the_layout_has_three_panels_over_the_planned_epochs() {
    let drawn = draw(&history_json(5, 2, &[]), Theme::Light, WIDE);
    let names: Vec<&str> = drawn.layout.panels.iter().map(|p| p.name).collect();
    assert_eq!(names, ["accuracy", "loss", "grad_norm"]);
    for panel in &drawn.layout.panels {
        assert_eq!(panel.epochs, 5);
        assert_eq!((panel.x_min, panel.x_max), x_range(5));
        assert!(panel.width > 250.0 && panel.height > 250.0, "{panel:?}");
        assert!(panel.left + panel.width <= 1200.0 && panel.top + panel.height <= 450.0);
    }
    let panels = &drawn.layout.panels;
    for pair in panels.windows(2) {
        assert!(
            pair[0].left + pair[0].width < pair[1].left,
            "panels overlap"
        );
    }
}

#[test]
fn both_colours_are_drawn_in_the_plots() {
    let drawn = draw(&history_json(5, 5, &[]), Theme::Light, WIDE);
    assert!(
        drawn.count_in_plots(BLACK_RGB) > 200,
        "Normal's black lines"
    );
    assert!(drawn.count_in_plots(BLUE_RGB) > 200, "AYLA's blue lines");
    assert_eq!(drawn.pixel(3, 3), (255, 255, 255), "white background");
}

#[test]
fn hidden_series_are_not_drawn() {
    let drawn = draw(&history_json(5, 5, &ALL_AYLA), Theme::Light, WIDE);
    assert_eq!(drawn.count_in_plots(BLUE_RGB), 0);
    assert!(drawn.count_in_plots(BLACK_RGB) > 200);
    // Nor anywhere else: the legend greys the hidden entries.
    assert!(!drawn.record.pixels.contains(&BLUE_RGB));
}

#[test]
fn an_empty_history_draws_the_empty_axes() {
    let drawn = draw(&history_json(5, 0, &[]), Theme::Light, WIDE);
    assert_eq!(drawn.count_in_plots(BLACK_RGB), 0);
    assert_eq!(drawn.count_in_plots(BLUE_RGB), 0);
    for tick in ["1", "2", "3", "4", "5", "0.0", "1.0"] {
        assert!(drawn.has_text(tick), "tick {tick}");
    }
    assert!(drawn.has_text("Normal training") && drawn.has_text("AYLA validation"));
}

#[test]
fn a_blow_up_in_the_diverged_epoch_does_not_flatten_the_loss_axis() {
    // As on the page with N1 = N2 = 4: the epoch that broke reports a loss that is finite
    // but astronomically large (the mean over the batches before the break).
    let mut json: serde_json::Value = serde_json::from_str(&diverged_json()).unwrap();
    json["runs"][1]["metrics"][2]["loss"] = json!(1.3e34);
    let drawn = draw(&json.to_string(), Theme::Light, WIDE);
    let loss = drawn
        .layout
        .panels
        .iter()
        .find(|p| p.name == "loss")
        .unwrap();
    assert!(
        loss.y_max < 10.0,
        "the loss axis fits the real epochs: {}",
        loss.y_max
    );
    // The blow-up still shows: AYLA's line climbs off the scale to the panel's top edge at
    // epoch 3, and its ✕ sits there (its arms reach sideways, where the steep line does not).
    let top = loss.top as i32;
    let epoch_3 = loss.left + (3.0 - loss.x_min) / (loss.x_max - loss.x_min) * loss.width;
    let arms = (top..top + 8)
        .flat_map(|y| [-7, -6, -5, 5, 6, 7].map(|dx| (epoch_3.round() as i32 + dx, y)))
        .filter(|&(x, y)| drawn.pixel(x, y) == BLUE_RGB)
        .count();
    assert!(arms >= 4, "{arms} pixels of the ✕ at the top edge");
    // Without the broken epoch the axis would be the same.
    let fine = draw(&diverged_json(), Theme::Light, WIDE);
    let fine_loss = fine
        .layout
        .panels
        .iter()
        .find(|p| p.name == "loss")
        .unwrap();
    assert_eq!(fine_loss.y_max, loss.y_max);
}

#[test]
fn a_diverged_run_is_drawn_and_marked() {
    let drawn = draw(&diverged_json(), Theme::Light, WIDE);
    assert!(drawn.has_text("MNIST: Normal vs AYLA (N1=3.0, N2=1.5)"));
    assert!(drawn.has_text("AYLA diverged in epoch 3"));
    assert!(drawn.count_in_plots(BLUE_RGB) > 100);
    assert!(drawn.count_in_plots(BLACK_RGB) > 200);
}

#[test]
fn thirty_epochs_get_integer_ticks_that_do_not_overlap() {
    let drawn = draw(&history_json(30, 30, &[]), Theme::Light, WIDE);
    let panel = &drawn.layout.panels[0];
    let bottom = (panel.top + panel.height) as i32;
    let mut ticks: Vec<(i32, &str)> = drawn
        .texts()
        .filter(|(_, (x, y))| *y > bottom && *x < (panel.left + panel.width) as i32 + 10)
        .filter_map(|(t, (x, _))| t.parse::<usize>().ok().map(|_| (x, t)))
        .collect();
    ticks.sort();
    let labels: Vec<&str> = ticks.iter().map(|t| t.1).collect();
    assert!(labels.len() >= 3 && labels.len() <= 10, "{labels:?}");
    assert!(labels.contains(&"30"), "{labels:?}");
    for pair in ticks.windows(2) {
        assert!(
            pair[1].0 - pair[0].0 >= 24,
            "labels {pair:?} crowd each other"
        );
    }
}

/// The x tick labels under the first panel, left to right, as (anchor x, text).
fn x_tick_labels(drawn: &Drawn) -> Vec<(i32, String)> {
    let panel = &drawn.layout.panels[0];
    let bottom = (panel.top + panel.height) as i32;
    let right = (panel.left + panel.width) as i32 + 10;
    let mut ticks: Vec<(i32, String)> = drawn
        .texts()
        .filter(|(_, (x, y))| *y > bottom && *x < right)
        .filter(|(t, _)| t.parse::<usize>().is_ok())
        .map(|(t, (x, _))| (x, t.to_string()))
        .collect();
    ticks.sort();
    ticks
}

#[test]
fn a_thousand_epochs_get_few_labels_with_room_between_them() {
    // The page's limit. Four-digit labels need more room than the 34 px short ones get.
    let drawn = draw(&history_json(1000, 1000, &[]), Theme::Light, WIDE);
    let ticks = x_tick_labels(&drawn);
    let labels: Vec<&str> = ticks.iter().map(|t| t.1.as_str()).collect();
    assert!(labels.len() >= 3 && labels.len() <= 10, "{labels:?}");
    assert_eq!(labels.last(), Some(&"1000"), "{labels:?}");
    for pair in ticks.windows(2) {
        assert!(
            pair[1].0 - pair[0].0 >= 40,
            "labels {pair:?} crowd each other"
        );
    }
}

#[test]
fn the_dark_theme_paints_a_dark_background_and_light_normal_lines() {
    let drawn = draw(&history_json(5, 5, &[]), Theme::Dark, WIDE);
    let palette = Theme::Dark.palette();
    let bg = palette.background;
    assert_eq!(drawn.pixel(3, 3), (bg.0, bg.1, bg.2));
    let normal = palette.normal;
    assert!(drawn.count_in_plots((normal.0, normal.1, normal.2)) > 200);
    assert_eq!(drawn.count_in_plots(BLACK_RGB), 0);
}

#[test]
fn a_narrow_figure_stacks_its_panels_and_wraps_its_legend() {
    let drawn = draw(&diverged_json(), Theme::Light, (400, 700));
    let panels = &drawn.layout.panels;
    for pair in panels.windows(2) {
        assert!(
            pair[0].top + pair[0].height < pair[1].top,
            "stacked, not overlapping"
        );
    }
    let legend_rows: std::collections::BTreeSet<i32> = drawn
        .texts()
        .filter(|(t, _)| t.contains("training") || t.contains("validation"))
        .map(|(_, (_, y))| y)
        .collect();
    assert!(legend_rows.len() >= 2, "the legend wraps: {legend_rows:?}");
}

/// The title's lines as drawn, checked to lie inside a canvas `width` device pixels wide.
fn title_lines(drawn: &Drawn, width: i32) -> Vec<String> {
    let title: Vec<&recorder::Label> = drawn
        .record
        .labels
        .iter()
        .filter(|l| l.text.starts_with("MNIST") || l.text.starts_with("(N1="))
        .collect();
    for line in &title {
        let (left, _, right, _) = line.rect;
        assert!(
            left >= 0 && right <= width,
            "{} spans {left}..{right}",
            line.text
        );
    }
    for pair in title.windows(2) {
        assert!(pair[0].rect.3 <= pair[1].rect.1, "one line under the other");
    }
    let last = title.last().expect("a title");
    assert!(
        drawn.layout.panels[0].top > f64::from(last.rect.3),
        "panels below the title"
    );
    title.iter().map(|l| l.text.clone()).collect()
}

#[test]
fn a_phone_wide_figure_shows_its_whole_title() {
    // 390 CSS pixels: a phone held upright. The title shrinks to fit, whole.
    let drawn = draw(&history_json(5, 3, &[]), Theme::Light, (390, 860));
    assert_eq!(
        title_lines(&drawn, 390).join(" "),
        "MNIST: Normal vs AYLA (N1=0.95, N2=1.0)"
    );
    // Narrower still, it breaks before the exponents instead of losing them.
    let drawn = draw(&history_json(5, 3, &[]), Theme::Light, (230, 600));
    assert_eq!(
        title_lines(&drawn, 230),
        ["MNIST: Normal vs AYLA", "(N1=0.95, N2=1.0)"]
    );
}

#[test]
fn the_pointer_maps_to_the_nearest_epoch_measured() {
    let drawn = draw(&history_json(5, 3, &[]), Theme::Light, WIDE);
    let layout = &drawn.layout;
    let panel = &layout.panels[1];
    let at = |fraction: f64| {
        let x = panel.left + fraction * panel.width;
        layout.epoch_at(x, panel.top + panel.height / 2.0, 3)
    };
    // Epochs 1..=5 span the panel (padded): the middle is epoch 3, the far right epoch 5,
    // which is past the 3 epochs measured.
    assert_eq!(at(0.5), Some(3));
    assert_eq!(at(0.02), Some(1));
    assert_eq!(at(0.98), Some(3));
    assert_eq!(layout.epoch_at(1.0, 1.0, 3), None, "above the panels");
    assert_eq!(
        layout.epoch_at(panel.left + 5.0, panel.top + 5.0, 0),
        None,
        "nothing yet"
    );
    // The keyboard's readout sits over the epoch it names.
    let x = layout.x_of_epoch(3);
    let first = &layout.panels[0];
    assert!((x - (first.left + first.width / 2.0)).abs() < 1.0, "{x}");
}
