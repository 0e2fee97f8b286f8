//! The fair verdict: learning rates chosen on validation, test compared per seed, and the
//! 95 % t-interval of the paired difference, read as a sentence.

use ayla::sweep::verdict::{choose, difference, sentence, t_975, Candidate, Edge, Score};

fn score(seed: u64, val_accuracy: f64, test_accuracy: f64) -> Score {
    Score {
        seed,
        val_accuracy,
        test_accuracy,
    }
}

fn candidate(learning_rate: f32, vals: &[f64], tests: &[f64]) -> Candidate {
    Candidate {
        learning_rate,
        scores: (0..vals.len())
            .map(|k| score(k as u64, vals[k], tests[k]))
            .collect(),
    }
}

#[test]
fn t_quantiles_match_the_tables() {
    // Two-sided 95 %: the classic table's values, then the large-sample limit.
    for (df, t) in [(1, 12.706), (2, 4.303), (4, 2.776), (9, 2.262), (30, 2.042)] {
        assert_eq!(t_975(df), t, "df {df}");
    }
    assert!((t_975(60) - 2.000).abs() < 1e-3, "{}", t_975(60));
    assert!((t_975(120) - 1.980).abs() < 1e-3, "{}", t_975(120));
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
    let (low, high) = d.interval.unwrap();
    let half = 4.303 * 0.01 / 3f64.sqrt();
    assert!((low - (0.02 - half)).abs() < 1e-9 && (high - (0.02 + half)).abs() < 1e-9);
    // Paired by seed: a seed Normal lacks is left out; one seed has no interval.
    let one = difference(&ayla[..1], &normal).unwrap();
    assert_eq!((one.n, one.interval), (1, None));
    assert!(difference(&ayla, &[score(9, 0.0, 0.9)]).is_none());
}

#[test]
fn the_best_mean_validation_accuracy_chooses_the_rate() {
    let normal = [
        candidate(0.01, &[0.90, 0.91], &[0.89, 0.90]),
        candidate(0.1, &[0.95, 0.96], &[0.94, 0.95]),
        candidate(1.0, &[0.93, 0.92], &[0.99, 0.99]),
    ];
    let choice = choose(&normal).unwrap();
    // Test accuracy never chooses: lr 1 has the best test figures but not the best val.
    assert_eq!((choice.learning_rate, choice.edge), (0.1, None));
    assert!((choice.test_accuracy.mean - 0.945).abs() < 1e-12);
    let edge = choose(&normal[..2]).unwrap();
    assert_eq!((edge.learning_rate, edge.edge), (0.1, Some(Edge::Largest)));
    let low = choose(&[normal[0].clone(), candidate(0.001, &[0.97], &[0.9])]).unwrap();
    assert_eq!((low.learning_rate, low.edge), (0.001, Some(Edge::Smallest)));
    assert_eq!(
        choose(&normal[1..2]).unwrap().edge,
        None,
        "a single rate has no edge"
    );
    assert!(choose(&[candidate(0.1, &[], &[])]).is_none());
}

#[test]
fn each_setting_gets_a_plain_sentence() {
    let middle = |lr, vals: &[f64], tests: &[f64]| {
        let grid = [
            candidate(lr / 10.0, &[0.1], &[0.1]),
            candidate(lr, vals, tests),
            candidate(lr * 10.0, &[0.1], &[0.1]),
        ];
        choose(&grid).unwrap()
    };
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
    let text = sentence((0.9, 1.0), &worse, &normal, Some(&d));
    assert!(
        text.contains("−2.00 points under Normal") && text.ends_with("worse beyond seed noise."),
        "{text}"
    );
    let at_edge = choose(&[
        candidate(0.01, &[0.9], &[0.9]),
        candidate(0.1, &[0.95], &[0.9]),
    ])
    .unwrap();
    assert_eq!(
        sentence((1.2, 0.8), &ayla, &at_edge, Some(&d)),
        "AYLA (1.2, 0.8) at lr 0.01: no verdict. Normal's best lr is the largest tried: widen the grid."
    );
    let one = difference(&ayla.scores[..1], &normal.scores).unwrap();
    assert!(sentence((1.2, 0.8), &ayla, &normal, Some(&one))
        .ends_with("(1 seed: no interval, run more seeds)."));
}
