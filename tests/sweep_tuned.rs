//! A tuned sweep as the page shows it (SweepSession): a row and a log prefix per learning
//! rate, the heat map's views (tuned, or one rate), a cell chosen at a rate, the verdict,
//! and the verdict again after a reload.
#![cfg(not(target_arch = "wasm32"))]

#[path = "fixtures/kept.rs"]
mod kept;

use ayla::chart::{HeatCell, HeatView, TUNED_CAPTION};
use ayla::data_identity::DataIdentity;
use ayla::history::TestScore;
use ayla::method::Method;
use ayla::protocol::FromWorker;
use ayla::session::{restore, Head, RestoredSession, SweepSession, Update};
use ayla::sweep::{Column, Sweep};
use kept::{epoch, Kept};

/// lr {0.01, 0.1, 1} × (1.2, 0.8) × 2 seeds, held out: per seed and rate a Normal then the
/// AYLA run; seed 42 is jobs 0 to 5, seed 43 jobs 6 to 11.
fn sweep() -> Sweep {
    let pairs = [
        ("n1", "1.2"),
        ("n2", "0.8"),
        ("lr", "0.01:1:×10"),
        ("seeds", "2"),
        ("epochs", "1"),
        ("validate", "held-out"),
    ];
    Sweep::parse(|key| pairs.iter().find(|(k, _)| *k == key).map(|(_, v)| *v)).unwrap()
}

/// (val, test) accuracy of each job: Normal is best on validation at 0.1, AYLA at 0.1
/// too; at lr 1 both score best on test (never chosen).
const FIGURES: [(f32, f32); 12] = [
    (0.90, 0.89),
    (0.91, 0.90),
    (0.95, 0.92),
    (0.96, 0.94),
    (0.93, 0.99),
    (0.92, 0.99),
    (0.90, 0.88),
    (0.91, 0.90),
    (0.95, 0.91),
    (0.96, 0.94),
    (0.93, 0.99),
    (0.92, 0.99),
];

/// What the page kept of a sweep, and the log it printed.
#[derive(Default)]
struct Shown {
    kept: Kept,
    log: Vec<String>,
}

impl Shown {
    fn take(&mut self, update: Update) {
        self.kept.take(&update);
        self.log.extend(update.log);
    }
}

fn run_job(s: &mut SweepSession, shown: &mut Shown, job: usize) {
    let method = s.jobs()[job].method;
    let (val, test) = FIGURES[job];
    shown.take(s.job_started(job, 0));
    shown.take(s.receive(job, 0, epoch(method, 1, val), 1.0));
    let done = FromWorker::Done {
        method,
        test: Some(TestScore {
            loss: 0.3,
            accuracy: test,
        }),
    };
    shown.take(s.receive(job, 0, done, 1.0));
}

fn finished() -> (SweepSession, Shown) {
    let mut s = SweepSession::new(sweep(), 60_000, 1);
    let mut shown = Shown::default();
    shown.take(s.start());
    for job in 0..12 {
        run_job(&mut s, &mut shown, job);
    }
    shown.take(s.idle(0, 5.0));
    (s, shown)
}

#[test]
fn the_verdict_compares_each_method_at_its_best_rate() {
    let (s, _) = finished();
    let verdict = s.record().verdict();
    assert_eq!(verdict.note, None);
    // Seeds 42 and 43 at lr 0.1: 0.94 − 0.92 and 0.94 − 0.91: +2.5 points, sd 0.71;
    // half-width 12.706 · 0.707 / √2 = 6.35.
    assert_eq!(
        verdict.items(),
        [
            "Normal: best lr 0.1 (val acc 0.9500 ± 0.0000), test acc 0.9150 ± 0.0071 over 2 seeds.",
            "AYLA (1.2, 0.8) at lr 0.1: +2.50 points over Normal at its best lr 0.1 (95 % CI \
             −3.85 to +8.85, 2 seeds): within seed noise."
        ]
    );
}

#[test]
fn the_table_has_a_row_per_rate_and_the_log_names_each_runs_rate() {
    let (s, shown) = finished();
    let table = s.table();
    assert_eq!(table.len(), 6);
    let lr = Column::ALL
        .iter()
        .position(|&c| c == Column::LearningRate)
        .unwrap();
    let rates: Vec<(&str, &str, usize)> = table
        .iter()
        .map(|r| (r.cells[0].as_str(), r.cells[lr].as_str(), r.rate))
        .collect();
    // Normal by rate first; then AYLA by its gain over the same rate's Normal.
    assert_eq!(
        rates,
        [
            ("Normal", "0.01", 0),
            ("Normal", "0.1", 1),
            ("Normal", "1", 2),
            ("1.2", "0.01", 0),
            ("1.2", "0.1", 1),
            ("1.2", "1", 2)
        ]
    );
    let log = shown.log.join("\n");
    assert!(
        log.contains("[Normal, lr 0.1, seed 43] Normal - Epoch 1:"),
        "{log}"
    );
    assert!(
        log.contains("[N1 1.2, N2 0.8, lr 1, seed 42] AYLA   - Epoch 1:"),
        "{log}"
    );
    assert!(s
        .describe()
        .starts_with("Sweep: N1 1.2 · N2 0.8 · lr 0.01, 0.1, 1 · 2 seeds"));
    // The closing summary names the best row's rate: AYLA gains +1 point at 0.01 and at 0.1
    // (0.91 − 0.90 a hair more than 0.96 − 0.95 in f32), −1 at 1.
    assert_eq!(
        s.figures(),
        "Best: N1 1.2, N2 0.8 at lr 0.01 (+1.00 ± 0.00 points of val acc against Normal at the \
         same lr)."
    );
}

#[test]
fn the_heat_map_shows_the_tuned_difference_or_one_rate() {
    let (mut s, _) = finished();
    let (views, shown) = s.heat_views();
    let keys: Vec<&str> = views.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(keys, ["tuned", "lr-0", "lr-1", "lr-2"]);
    assert_eq!(shown, "tuned", "a tuned sweep opens on the tuned view");
    assert_eq!(
        views[0].1,
        "Tuned: each method at its best lr (test accuracy)"
    );
    assert_eq!(views[3].1, "At lr 1 (final val accuracy)");
    let map = s.heat_map();
    assert_eq!(map.caption, TUNED_CAPTION);
    assert_eq!(
        map.title,
        "Test accuracy, each method at its best lr: AYLA − Normal (2 seeds, 1 epoch)"
    );
    let HeatCell::Value { delta, std, runs } = map.cells[0] else {
        panic!("{:?}", map.cells[0]);
    };
    assert!((delta - 0.025).abs() < 1e-6 && runs == 2);
    assert!((std.unwrap() - 0.007_071).abs() < 1e-5);

    assert!(s.set_heat_view("lr-2"));
    let map = s.heat_map();
    assert_eq!(
        map.title,
        "Final val accuracy − Normal at lr 1 (2 seeds, 1 epoch)"
    );
    let HeatCell::Value { delta, .. } = map.cells[0] else {
        panic!("{:?}", map.cells[0]);
    };
    // At lr 1, AYLA's val accuracy is 0.92 against Normal's 0.93 on both seeds.
    assert!((delta + 0.01).abs() < 1e-6);
    assert!(!s.set_heat_view("lr-3"), "no fourth rate");
    assert!(!s.set_heat_view("bogus"));
}

#[test]
fn a_cell_is_shown_at_the_views_rate_and_a_row_at_its_own() {
    let (mut s, _) = finished();
    // The tuned view's cell stands for AYLA at its chosen rate (0.1).
    assert!(s.pick(0, 0));
    assert_eq!(
        s.selection().1,
        "Comparison figure below: N1 1.2, N2 0.8 against Normal at lr 0.1, seed 42 (of 2 \
         seeds; the table has all)."
    );
    let history = s.selection().0.unwrap().history().clone();
    assert_eq!(history.runs[0].metrics[0].val_accuracy, 0.95);
    // A table row at lr 1 shows lr 1; the tuned view stays.
    assert!(s.select(0, 0, 2));
    assert!(s.selection().1.contains("against Normal at lr 1, seed 42"));
    assert_eq!(s.heat_views().1, "tuned");
    let selected: Vec<usize> = (s.table().iter().enumerate())
        .filter(|(_, r)| r.selected)
        .map(|(k, _)| k)
        .collect();
    assert_eq!(selected, [5], "only the AYLA row at lr 1");
    // In a rate's view, choosing a row of another rate turns the map to that rate.
    assert!(s.set_heat_view("lr-0"));
    assert!(s.select(0, 0, 1));
    assert_eq!(s.heat_views().1, "lr-1");
    assert!(!s.select(0, 0, 3), "no such rate");
}

#[test]
fn the_verdict_comes_back_after_a_reload() {
    let (s, shown) = finished();
    let head = Head::new(s.plan(), DataIdentity::mnist(), 60_000).to_json();
    let kept = &shown.kept;
    let (back, restored) = match restore(&head, &kept.summary, &kept.entries, false).unwrap() {
        (RestoredSession::Sweep(back), restored) => (back, restored),
        (RestoredSession::Run(_), _) => panic!("a sweep restored as a run"),
    };
    assert!(restored.skipped.is_empty(), "{:?}", restored.skipped);
    assert_eq!(back.record().verdict(), s.record().verdict());
    assert_eq!(back.heat_map(), s.heat_map());
    assert_eq!(back.record().to_csv(), s.record().to_csv());
}

#[test]
fn a_sweep_validated_on_the_test_set_offers_no_tuned_view() {
    let pairs = [("lr", "0.01, 0.1"), ("epochs", "1")];
    let sweep = Sweep::parse(|key| pairs.iter().find(|(k, _)| *k == key).map(|(_, v)| *v)).unwrap();
    assert_eq!(HeatView::default_for(&sweep), HeatView::Rate(0));
    let s = SweepSession::new(sweep, 60_000, 1);
    let keys: Vec<String> = s.heat_views().0.into_iter().map(|(k, _)| k).collect();
    assert_eq!(keys, ["lr-0", "lr-1"]);
    assert!(s
        .record()
        .verdict()
        .note
        .unwrap()
        .contains("overstate the winner"));
    assert_eq!(s.jobs()[2].method, Method::Normal);
}
