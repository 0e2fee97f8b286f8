//! The fair verdict: learning rates chosen on validation, test compared per seed, and the
//! 95 % t-interval of the paired difference, read as a sentence; and a sweep's verdict from
//! its runs.
#![cfg(not(target_arch = "wasm32"))]

#[path = "fixtures/csv.rs"]
mod csv;
use ayla::sweep::verdict::{
    choose, difference, sentence, t_975, Candidate, Edge, Score, ONE_RATE_NOTE, TEST_SET_NOTE,
};
use ayla::sweep::{JobResult, Sweep, SweepRecord};
use ayla::train::EpochMetrics;
use csv::csv_rows;
use serde_json::json;

fn score(seed: u64, val_accuracy: f64, test_accuracy: f64) -> Score {
    Score {
        seed,
        val_accuracy,
        test_accuracy: Some(test_accuracy),
    }
}

fn candidate(learning_rate: f32, vals: &[f64], tests: &[f64]) -> Candidate {
    Candidate {
        learning_rate,
        scores: (0..vals.len())
            .map(|k| score(k as u64, vals[k], tests[k]))
            .collect(),
        diverged: 0,
    }
}

/// P(T ≤ t) for Student's t with `df` degrees of freedom, in float64 by an independent
/// route: with t = √df · tan θ the density becomes ∝ cos^(df−1) θ on (−π/2, π/2), a smooth
/// integrand on a finite interval (Simpson's rule).
fn t_cdf(t: f64, df: usize) -> f64 {
    let integral = |to: f64| {
        let (from, n) = (-std::f64::consts::FRAC_PI_2, 20_000);
        let h = (to - from) / n as f64;
        let f = |x: f64| x.cos().max(0.0).powi(df as i32 - 1);
        let inner: f64 = (1..n)
            .map(|k| f(from + k as f64 * h) * if k % 2 == 1 { 4.0 } else { 2.0 })
            .sum();
        (f(from) + inner + f(to)) * h / 3.0
    };
    integral((t / (df as f64).sqrt()).atan()) / integral(std::f64::consts::FRAC_PI_2)
}

/// The 0.975 quantile by bisection on [`t_cdf`].
fn t_quantile(df: usize) -> f64 {
    let (mut low, mut high) = (0.0, 20.0);
    for _ in 0..60 {
        let mid = (low + high) / 2.0;
        if t_cdf(mid, df) < 0.975 {
            low = mid;
        } else {
            high = mid;
        }
    }
    (low + high) / 2.0
}

#[test]
fn t_quantiles_match_the_tables_and_an_independent_float64_integral() {
    // Two-sided 95 %, from a printed table (e.g. NIST/SEMATECH e-Handbook, 1.3.6.7.2).
    for (df, t) in [
        (1, 12.706),
        (2, 4.303),
        (4, 2.776),
        (9, 2.262),
        (29, 2.045),
        (30, 2.042),
    ] {
        assert_eq!(t_975(df), t, "df {df}");
    }
    // The integral agrees with the table (to its rounding) and with the expansion used
    // beyond it.
    for df in [1, 2, 3, 4, 5, 9, 10, 20, 29, 30] {
        let exact = t_quantile(df);
        assert!(
            (t_975(df) - exact).abs() < 6e-4,
            "df {df}: {} vs {exact}",
            t_975(df)
        );
    }
    for df in [31, 40, 60, 100, 200] {
        let exact = t_quantile(df);
        assert!(
            (t_975(df) - exact).abs() < 2e-4,
            "df {df}: {} vs {exact}",
            t_975(df)
        );
    }
    assert!((t_975(100_000) - 1.960).abs() < 1e-3);
    assert!(t_975(0).is_infinite());
}

#[test]
fn the_paired_interval_is_mean_plus_minus_t_sd_over_root_n() {
    // Differences +1, +3, +2 points: mean 0.02, sd 0.01, n 3; half-width 4.303 · 0.01 / √3.
    let ayla = [
        score(1, 0.0, 0.91),
        score(2, 0.0, 0.93),
        score(3, 0.0, 0.92),
    ];
    let normal = [
        score(1, 0.0, 0.90),
        score(2, 0.0, 0.90),
        score(3, 0.0, 0.90),
    ];
    let d = difference(&ayla, &normal).unwrap();
    assert_eq!(d.n, 3);
    assert!((d.mean - 0.02).abs() < 1e-12);
    assert!((d.std.unwrap() - 0.01).abs() < 1e-12);
    let (low, high) = d.interval.unwrap();
    let half = 4.303 * 0.01 / 3f64.sqrt();
    assert!((low - (0.02 - half)).abs() < 1e-9 && (high - (0.02 + half)).abs() < 1e-9);
    // Paired by seed: a seed Normal lacks is left out; one seed has no interval.
    let one = difference(&ayla[..1], &normal).unwrap();
    assert_eq!((one.n, one.interval, one.std), (1, None, None));
    assert!(difference(&ayla, &[score(9, 0.0, 0.9)]).is_none());
    // A seed without a test score on either side is left out too.
    let untested = Score {
        test_accuracy: None,
        ..ayla[2]
    };
    let d = difference(&[ayla[0], ayla[1], untested], &normal).unwrap();
    assert_eq!(d.n, 2);
    assert!((d.mean - 0.02).abs() < 1e-12);
}

#[test]
fn the_best_mean_validation_accuracy_chooses_the_rate_never_the_test_accuracy() {
    let normal = [
        candidate(0.01, &[0.90, 0.91], &[0.89, 0.90]),
        candidate(0.1, &[0.95, 0.96], &[0.94, 0.95]),
        candidate(1.0, &[0.93, 0.92], &[0.99, 0.99]),
    ];
    let choice = choose(&normal).unwrap();
    // lr 1 has the best test figures but not the best val: lr 0.1 is chosen.
    assert_eq!((choice.learning_rate, choice.edge), (0.1, None));
    assert!((choice.val_accuracy.mean - 0.955).abs() < 1e-12);
    assert!((choice.test_accuracy.unwrap().mean - 0.945).abs() < 1e-12);
    // The order candidates come in does not matter.
    let reversed: Vec<Candidate> = normal.iter().rev().cloned().collect();
    assert_eq!(choose(&reversed), Some(choice));
}

#[test]
fn a_choice_at_the_grids_edge_is_flagged() {
    let edge = choose(&[
        candidate(0.01, &[0.90], &[0.9]),
        candidate(0.1, &[0.95], &[0.9]),
    ])
    .unwrap();
    assert_eq!((edge.learning_rate, edge.edge), (0.1, Some(Edge::Largest)));
    let low = choose(&[
        candidate(0.01, &[0.90], &[0.9]),
        candidate(0.001, &[0.97], &[0.9]),
    ])
    .unwrap();
    assert_eq!((low.learning_rate, low.edge), (0.001, Some(Edge::Smallest)));
    let only = choose(&[candidate(0.1, &[0.95], &[0.9])]).unwrap();
    assert_eq!(only.edge, Some(Edge::Only), "one rate tried is not tuned");
}

#[test]
fn a_tie_goes_to_the_smaller_rate() {
    let tie = [
        candidate(1.0, &[0.90], &[0.1]),
        candidate(0.3, &[0.95], &[0.2]),
        candidate(0.1, &[0.95], &[0.3]),
        candidate(0.01, &[0.90], &[0.4]),
    ];
    assert_eq!(choose(&tie).unwrap().learning_rate, 0.1);
}

#[test]
fn a_rate_where_a_run_diverged_is_not_chosen() {
    // At lr 1 one seed diverged; its surviving seed has the best val accuracy of all.
    let mut unstable = candidate(1.0, &[0.99], &[0.99]);
    unstable.diverged = 1;
    let grid = [
        candidate(0.01, &[0.90, 0.90], &[0.9, 0.9]),
        candidate(0.1, &[0.95, 0.95], &[0.9, 0.9]),
        unstable,
    ];
    let choice = choose(&grid).unwrap();
    // lr 0.1 is not at the edge of the rates that trained: lr 1 was tried, and blew up.
    assert_eq!((choice.learning_rate, choice.edge), (0.1, None));
    // Nothing but diverged or unfinished rates: no choice.
    let mut gone = candidate(0.1, &[], &[]);
    gone.diverged = 2;
    assert!(choose(&[gone, candidate(0.2, &[], &[])]).is_none());
}

#[test]
fn runs_without_a_test_score_still_choose_but_report_no_test_figures() {
    let untested = Candidate {
        learning_rate: 0.1,
        scores: vec![Score {
            seed: 0,
            val_accuracy: 0.95,
            test_accuracy: None,
        }],
        diverged: 0,
    };
    let grid = [candidate(0.01, &[0.9], &[0.9]), untested];
    let choice = choose(&grid).unwrap();
    assert_eq!(choice.learning_rate, 0.1);
    assert_eq!(choice.test_accuracy, None);
}

/// One chosen rate in the middle of a three-rate grid.
fn middle(lr: f32, vals: &[f64], tests: &[f64]) -> ayla::sweep::verdict::Choice {
    let low = vals.iter().map(|_| 0.1).collect::<Vec<_>>();
    let grid = [
        candidate(lr / 10.0, &low, &low),
        candidate(lr, vals, tests),
        candidate(lr * 10.0, &low, &low),
    ];
    choose(&grid).unwrap()
}

#[test]
fn each_setting_gets_a_plain_sentence() {
    let normal = middle(0.1, &[0.95, 0.95, 0.95], &[0.90, 0.91, 0.92]);
    let ayla = middle(0.01, &[0.96, 0.96, 0.96], &[0.91, 0.93, 0.92]);
    let d = difference(&ayla.scores, &normal.scores).unwrap();
    assert_eq!(
        sentence((1.2, 0.8), &ayla, &normal, Some(&d)),
        "AYLA (1.2, 0.8) at lr 0.01: +1.00 points over Normal at its best lr 0.1 \
         (95 % CI −1.48 to +3.48, 3 seeds): within seed noise."
    );
    let better = middle(0.01, &[0.96; 3], &[0.92, 0.93, 0.94]);
    let d = difference(&better.scores, &normal.scores).unwrap();
    assert!(sentence((1.2, 0.8), &better, &normal, Some(&d))
        .ends_with("3 seeds): better beyond seed noise."));
    let worse = middle(0.01, &[0.96; 3], &[0.88, 0.89, 0.90]);
    let d = difference(&worse.scores, &normal.scores).unwrap();
    assert_eq!(
        sentence((0.9, 1.0), &worse, &normal, Some(&d)),
        "AYLA (0.9, 1) at lr 0.01: 2.00 points under Normal at its best lr 0.1 \
         (95 % CI −2.00 to −2.00, 3 seeds): worse beyond seed noise."
    );
    let one = difference(&ayla.scores[..1], &normal.scores).unwrap();
    assert!(sentence((1.2, 0.8), &ayla, &normal, Some(&one))
        .ends_with("(1 seed: no interval; run more seeds)."));
    assert_eq!(
        sentence((1.2, 0.8), &ayla, &normal, None),
        "AYLA (1.2, 0.8) at lr 0.01: no seed has test figures of both runs yet."
    );
}

#[test]
fn a_choice_at_the_edge_gets_no_conclusion() {
    let normal = middle(0.1, &[0.95], &[0.90]);
    let ayla = middle(0.01, &[0.96], &[0.93]);
    let d = difference(&ayla.scores, &normal.scores);
    let at_edge = choose(&[
        candidate(0.01, &[0.9], &[0.9]),
        candidate(0.1, &[0.95], &[0.9]),
    ])
    .unwrap();
    assert_eq!(
        sentence((1.2, 0.8), &ayla, &at_edge, d.as_ref()),
        "AYLA (1.2, 0.8) at lr 0.01: no verdict. Normal's best lr is the largest tried: \
         widen the grid."
    );
    let low = choose(&[
        candidate(0.01, &[0.99], &[0.9]),
        candidate(0.1, &[0.95], &[0.9]),
    ])
    .unwrap();
    assert_eq!(
        sentence((1.2, 0.8), &low, &at_edge, d.as_ref()),
        "AYLA (1.2, 0.8) at lr 0.01: no verdict. Normal's best lr is the largest tried; \
         AYLA (1.2, 0.8)'s best lr is the smallest tried: widen the grid."
    );
    let only = choose(&[candidate(0.1, &[0.95], &[0.9])]).unwrap();
    assert!(sentence((1.2, 0.8), &only, &only, d.as_ref()).ends_with(
        "no verdict: one learning rate was tried, so neither method was tuned; sweep several."
    ));
}

fn epoch(epoch: usize, val_accuracy: f32) -> EpochMetrics {
    EpochMetrics {
        epoch,
        loss: 0.3,
        accuracy: 0.9,
        val_loss: 0.3,
        val_accuracy,
        grad_norm: 1.0,
        seconds: 1.0,
        diverged_at: None,
    }
}

/// A finished run: one epoch at this val accuracy, and this test accuracy (if any).
fn run(job: usize, val: f32, test: Option<f32>) -> JobResult {
    serde_json::from_value(json!({
        "job": job,
        "metrics": [epoch(1, val)],
        "done": true,
        "test": test.map(|accuracy| json!({ "loss": 0.3, "accuracy": accuracy })),
    }))
    .unwrap()
}

fn sweep(pairs: &[(&str, &str)]) -> Sweep {
    Sweep::parse(|key| pairs.iter().find(|(k, _)| *k == key).map(|(_, v)| *v)).unwrap()
}

/// lr {0.01, 0.1, 1} × one setting (1.2, 0.8) × 2 seeds, held out. Jobs per seed and rate:
/// Normal, AYLA: seed 42 lr 0.01 → 0, 1; lr 0.1 → 2, 3; lr 1 → 4, 5; seed 43 → 6 to 11.
/// Normal's best val is lr 0.1; AYLA's is lr 0.01 (its test is worse at lr 1, which has the
/// best test accuracy of all: never chosen).
fn tuned() -> SweepRecord {
    let s = sweep(&[
        ("n1", "1.2"),
        ("n2", "0.8"),
        ("lr", "0.01:1:×10"),
        ("seeds", "2"),
        ("epochs", "1"),
        ("validate", "held-out"),
    ]);
    assert_eq!(s.lr, [0.01, 0.1, 1.0]);
    let results = vec![
        run(0, 0.90, Some(0.89)),
        run(1, 0.95, Some(0.93)),
        run(2, 0.94, Some(0.92)),
        run(3, 0.93, Some(0.90)),
        run(4, 0.91, Some(0.99)),
        run(5, 0.92, Some(0.99)),
        run(6, 0.90, Some(0.88)),
        run(7, 0.95, Some(0.94)),
        run(8, 0.94, Some(0.91)),
        run(9, 0.93, Some(0.90)),
        run(10, 0.91, Some(0.99)),
        run(11, 0.92, Some(0.99)),
    ];
    SweepRecord { sweep: s, results }
}

#[test]
fn a_sweeps_verdict_tunes_each_method_on_validation_and_pairs_test_by_seed() {
    let verdict = tuned().verdict();
    assert_eq!(verdict.note, None);
    let normal = verdict.normal.clone().unwrap();
    assert_eq!((normal.learning_rate, normal.edge), (0.1, None));
    let test = normal.test_accuracy.unwrap();
    assert!((test.mean - 0.915).abs() < 1e-6 && test.n == 2);
    assert_eq!(
        verdict.baseline.as_deref(),
        Some(
            "Normal: best lr 0.1 (val acc 0.9400 ± 0.0000), test acc 0.9150 ± 0.0071 over 2 seeds."
        )
    );
    let [setting] = &verdict.settings[..] else {
        panic!("{:?}", verdict.settings);
    };
    let ayla = setting.choice.clone().unwrap();
    // AYLA's best val is the grid's smallest rate: no conclusion, though the numbers are there.
    assert_eq!(
        (ayla.learning_rate, ayla.edge),
        (0.01, Some(Edge::Smallest))
    );
    // Paired: seed 42 0.93 − 0.92, seed 43 0.94 − 0.91: +1 and +3 points.
    let d = setting.difference.unwrap();
    assert!((d.mean - 0.02).abs() < 1e-6 && d.n == 2, "{d:?}");
    // sd of (0.01, 0.03) is √2 · 0.01; half-width 12.706 · √2 · 0.01 / √2 = 0.12706.
    let (low, high) = d.interval.unwrap();
    assert!((low - (0.02 - 0.127_06)).abs() < 1e-6, "{low}");
    assert!((high - (0.02 + 0.127_06)).abs() < 1e-6, "{high}");
    assert_eq!(
        setting.sentence,
        "AYLA (1.2, 0.8) at lr 0.01: no verdict. AYLA (1.2, 0.8)'s best lr is the smallest \
         tried: widen the grid."
    );
    assert_eq!(verdict.lines().len(), 2);
}

#[test]
fn a_bracketed_optimum_gets_a_conclusion() {
    let mut r = tuned();
    // AYLA's val at lr 0.1 becomes its best: both methods in the middle of the grid.
    for job in [3, 9] {
        r.results[job].metrics[0].val_accuracy = 0.97;
    }
    let verdict = r.verdict();
    let setting = &verdict.settings[0];
    assert_eq!(setting.choice.as_ref().unwrap().learning_rate, 0.1);
    // Paired at 0.1 vs 0.1: 0.90 − 0.92 and 0.90 − 0.91: −1.5 points, sd 0.707 points;
    // half-width 12.706 · 0.707 / √2 = 6.35 points.
    assert_eq!(
        setting.sentence,
        "AYLA (1.2, 0.8) at lr 0.1: 1.50 points under Normal at its best lr 0.1 (95 % CI \
         −7.85 to +4.85, 2 seeds): within seed noise."
    );
}

#[test]
fn diverged_and_unfinished_runs_stay_out_of_the_verdict() {
    let mut r = tuned();
    // Normal at lr 0.1, seed 43, diverges: lr 0.1 is no choice for Normal any more.
    r.results[8].metrics[0].diverged_at = Some(3);
    r.results[8].metrics[0].val_accuracy = f32::NAN;
    // And AYLA at lr 1 seed 43 has not finished.
    r.results[11].done = false;
    let verdict = r.verdict();
    let normal = verdict.normal.unwrap();
    assert_eq!(normal.learning_rate, 1.0);
    assert_eq!(normal.edge, Some(Edge::Largest));
    assert_eq!(
        verdict.note.as_deref(),
        Some("So far: 11 of 12 runs finished.")
    );
}

#[test]
fn without_test_scores_the_verdict_chooses_but_does_not_compare() {
    let mut r = tuned();
    for result in &mut r.results {
        result.test = None;
    }
    let verdict = r.verdict();
    assert_eq!(verdict.normal.as_ref().unwrap().test_accuracy, None);
    assert!(verdict
        .baseline
        .unwrap()
        .ends_with("(val acc 0.9400 ± 0.0000), no test figures."));
    assert_eq!(verdict.settings[0].difference, None);
}

#[test]
fn a_sweep_validated_on_the_test_set_gets_no_verdict_numbers() {
    let mut r = tuned();
    r.sweep = sweep(&[
        ("n1", "1.2"),
        ("n2", "0.8"),
        ("lr", "0.01:1:×10"),
        ("seeds", "2"),
        ("epochs", "1"),
    ]);
    let verdict = r.verdict();
    assert_eq!(verdict.note.as_deref(), Some(TEST_SET_NOTE));
    assert!(verdict.normal.is_none() && verdict.settings.is_empty());
    assert!(TEST_SET_NOTE.contains("overstate the winner"));
    assert_eq!(verdict.lines(), [TEST_SET_NOTE]);
}

#[test]
fn one_learning_rate_is_not_a_tuned_comparison() {
    let s = sweep(&[
        ("n1", "1.2"),
        ("n2", "0.8"),
        ("seeds", "2"),
        ("epochs", "1"),
        ("validate", "held-out"),
    ]);
    let r = SweepRecord {
        sweep: s,
        results: vec![
            run(0, 0.9, Some(0.9)),
            run(1, 0.9, Some(0.91)),
            run(2, 0.9, Some(0.9)),
            run(3, 0.9, Some(0.92)),
        ],
    };
    let verdict = r.verdict();
    assert_eq!(verdict.note.as_deref(), Some(ONE_RATE_NOTE));
    assert_eq!(verdict.normal.as_ref().unwrap().edge, Some(Edge::Only));
    assert!(verdict.settings[0]
        .sentence
        .contains("neither method was tuned"));
    // The numbers are still there for the exports.
    assert!((verdict.settings[0].difference.unwrap().mean - 0.015).abs() < 1e-6);
}

#[test]
fn the_exports_carry_the_choices_the_statistics_and_every_runs_figures() {
    let mut r = tuned();
    for job in [3, 9] {
        r.results[job].metrics[0].val_accuracy = 0.97;
    }
    let csv = csv_rows(&r.to_csv());
    // Normal at 0.01, 0.1, 1, then AYLA at 0.01, 0.1, 1.
    let chosen: Vec<(&str, &str, &str)> = csv
        .iter()
        .map(|row| {
            (
                row["method"].as_str(),
                row["lr"].as_str(),
                row["chosen"].as_str(),
            )
        })
        .collect();
    assert_eq!(
        chosen,
        [
            ("Normal", "0.01", ""),
            ("Normal", "0.1", "yes"),
            ("Normal", "1", ""),
            ("AYLA", "0.01", ""),
            ("AYLA", "0.1", "yes"),
            ("AYLA", "1", ""),
        ]
    );
    let ayla = &csv[4];
    let number = |key: &str| ayla[key].parse::<f64>().unwrap();
    assert!((number("tuned_difference_mean") + 0.015).abs() < 1e-6);
    assert!((number("tuned_difference_ci_low") + 0.0785).abs() < 1e-4);
    assert!((number("tuned_difference_ci_high") - 0.0485).abs() < 1e-4);
    assert_eq!(
        (ayla["tuned_seeds"].as_str(), ayla["chosen_edge"].as_str()),
        ("2", "")
    );
    assert_eq!(
        csv[1]["tuned_difference_mean"], "",
        "Normal is not compared with itself"
    );
    // Each row's test accuracy over its seeds: AYLA at 1 scored 0.99 on both.
    assert!((csv[5]["test_accuracy_mean"].parse::<f64>().unwrap() - 0.99).abs() < 1e-6);
    assert_eq!(csv[5]["test_accuracy_std"].parse::<f64>().unwrap(), 0.0);

    let json: serde_json::Value = serde_json::from_str(&r.to_json()).unwrap();
    let verdict = &json["verdict"];
    assert_eq!(verdict["normal"]["learning_rate"], 0.1);
    assert_eq!(verdict["normal"]["scores"].as_array().unwrap().len(), 2);
    let setting = &verdict["settings"][0];
    assert_eq!((&setting["n1"], &setting["n2"]), (&json!(1.2), &json!(0.8)));
    assert_eq!(setting["choice"]["learning_rate"], 0.1);
    assert_eq!(setting["difference"]["n"], 2);
    assert!(setting["sentence"]
        .as_str()
        .unwrap()
        .contains("within seed noise"));
    // Every run's validation figures by epoch and its test figures.
    let runs = json["runs"].as_array().unwrap();
    assert_eq!(runs.len(), 12);
    for (run, result) in runs.iter().zip(&r.results) {
        let val = run["metrics"][0]["val_accuracy"].as_f64().unwrap();
        assert_eq!(val as f32, result.metrics[0].val_accuracy);
        let test = run["test"]["accuracy"].as_f64().unwrap();
        assert_eq!(test as f32, result.test.unwrap().accuracy);
    }
}
