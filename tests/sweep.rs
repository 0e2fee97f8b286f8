//! Sweeps: reading the grid a user types, planning the runs, estimating their time and
//! summing up what they measured.
#![cfg(not(target_arch = "wasm32"))]

#[path = "fixtures/csv.rs"]
mod csv;
use ayla::chart::HeatMap;
use ayla::config::{Config, FIELDS};
use ayla::history::TestScore;
use ayla::method::Method;
use ayla::sweep::{
    parse_axis, JobResult, Speed, Sweep, SweepRecord, MAX_AXIS_VALUES, MAX_RUNS, SEEDS_FIELD,
};
use ayla::train::EpochMetrics;
use csv::csv_rows;

const N1: &ayla::config::FieldSpec = &FIELDS[1];

fn sweep(pairs: &[(&str, &str)]) -> Result<Sweep, Vec<(String, String)>> {
    Sweep::parse(|key| pairs.iter().find(|(k, _)| *k == key).map(|(_, v)| *v)).map_err(|errors| {
        errors
            .into_iter()
            .map(|e| (e.key.to_string(), e.message))
            .collect()
    })
}

#[test]
fn lists_and_ranges_give_ascending_values_without_repeats() {
    assert_eq!(parse_axis(N1, "0.8, 0.9, 1.0"), Ok(vec![0.8, 0.9, 1.0]));
    assert_eq!(parse_axis(N1, "1 0.5;0.5"), Ok(vec![0.5, 1.0]));
    assert_eq!(
        parse_axis(N1, "0.5:1.5:0.25"),
        Ok(vec![0.5, 0.75, 1.0, 1.25, 1.5])
    );
    // Steps of 0.1 must land on the stop despite binary rounding.
    assert_eq!(
        parse_axis(N1, "0.1:0.5:0.1"),
        Ok(vec![0.1, 0.2, 0.3, 0.4, 0.5])
    );
    // A stop between steps is not reached.
    assert_eq!(parse_axis(N1, "1:2:0.4"), Ok(vec![1.0, 1.4, 1.8]));
    assert_eq!(
        parse_axis(N1, "0.9, 1:1.2:0.1"),
        Ok(vec![0.9, 1.0, 1.1, 1.2])
    );
}

#[test]
fn bad_grids_are_explained() {
    let cases = [
        (
            "",
            "N1 is empty; enter values like 0.8, 0.9 or a range like 0.5:1.5:0.25.",
        ),
        ("0.8, abc", "“abc” is not a number."),
        ("0.8, 0", "N1 must be above 0 and at most 10."),
        (
            "0.5:1.5",
            "“0.5:1.5” is not a range; write start:stop:step, e.g. 0.5:1.5:0.25.",
        ),
        ("1:0.5:0.1", "In “1:0.5:0.1” the stop is below the start."),
        ("0.5:1:0", "The step in “0.5:1:0” must be above 0."),
        ("0.5:1:-1", "The step in “0.5:1:-1” must be above 0."),
        ("0.5:1:abc", "The step in “0.5:1:abc” is not a number."),
        (
            "0.5:1:x",
            "The factor in “0.5:1:x” is not a number or a power such as 10^(1/2).",
        ),
        ("0.5:11:1", "N1 must be above 0 and at most 10."),
        (
            "0.1:10:0.1",
            "N1 has more than 12 values; use a coarser step.",
        ),
        (
            "1,2,3,4,5,6,7,8,9,10,0.5,1.5,2.5",
            "N1 has more than 12 values; use a coarser step.",
        ),
    ];
    for (text, message) in cases {
        assert_eq!(parse_axis(N1, text), Err(message.to_string()), "{text:?}");
    }
    assert_eq!(
        parse_axis(N1, "0.1:1.2:0.1").map(|v| v.len()),
        Ok(MAX_AXIS_VALUES)
    );
}

const LR: &ayla::config::FieldSpec = &FIELDS[4];

/// start · factor^k to 3 significant digits, by way of decimal text (independent of the
/// parser's arithmetic).
fn log_reference(start: f64, factor: f64, count: i32) -> Vec<f32> {
    (0..count)
        .map(|k| {
            let text = format!("{:.2e}", start * factor.powi(k));
            text.parse::<f32>().unwrap()
        })
        .collect()
}

#[test]
fn learning_rates_take_lists_ranges_and_log_spaced_ranges() {
    assert_eq!(LR.key, "lr");
    assert_eq!(parse_axis(LR, "0.01, 0.1"), Ok(vec![0.01, 0.1]));
    assert_eq!(
        parse_axis(LR, "0.05:0.2:0.05"),
        Ok(vec![0.05, 0.1, 0.15, 0.2])
    );
    // √10 apart, every way of writing the factor.
    let expected = Ok(vec![0.003, 0.00949, 0.03, 0.0949, 0.3]);
    for text in [
        "0.003:0.3:×10^(1/2)",
        "0.003:0.3:x10^(1/2)",
        "0.003:0.3:X10^0.5",
        "0.003:0.3:*10^1/2",
        "0.003:0.3:×3.16227766",
    ] {
        assert_eq!(parse_axis(LR, text), expected, "{text}");
    }
    assert_eq!(
        parse_axis(LR, "0.003:0.3:×10^(1/2)").unwrap(),
        log_reference(0.003, 10f64.sqrt(), 5)
    );
    // A cube-root-of-ten grid from 0.01 to 3: the stop is not landed on.
    assert_eq!(
        parse_axis(LR, "0.01:3:×10^(1/3)").unwrap(),
        log_reference(0.01, 10f64.cbrt(), 8)
    );
    assert_eq!(
        parse_axis(LR, "0.01:3:×10^(1/3)").unwrap(),
        [0.01, 0.0215, 0.0464, 0.1, 0.215, 0.464, 1.0, 2.15]
    );
    // Whole factors land on their decimals exactly; lists and ranges mix.
    assert_eq!(parse_axis(LR, "0.1:1:*3"), Ok(vec![0.1, 0.3, 0.9]));
    assert_eq!(
        parse_axis(LR, "0.001:1:×10, 0.5"),
        Ok(vec![0.001, 0.01, 0.1, 0.5, 1.0])
    );
}

#[test]
fn bad_learning_rate_axes_are_explained() {
    let cases = [
        ("0.01:1:×1", "The factor in “0.01:1:×1” must be above 1."),
        (
            "0.01:1:×0.5",
            "The factor in “0.01:1:×0.5” must be above 1.",
        ),
        (
            "0.01:1:×ten",
            "The factor in “0.01:1:×ten” is not a number or a power such as 10^(1/2).",
        ),
        (
            "0.01:1:×10^(1/x)",
            "The factor in “0.01:1:×10^(1/x)” is not a number or a power such as 10^(1/2).",
        ),
        ("0:1:×10", "Learning rate must be above 0 and at most 10."),
        (
            "0.01:20:×10",
            "Learning rate must be above 0 and at most 10.",
        ),
        ("1:0.1:×10", "In “1:0.1:×10” the stop is below the start."),
        (
            "0.0001:10:×2",
            "Learning rate has more than 12 values; use a larger factor.",
        ),
        (
            "0.01:0.13:0.01",
            "Learning rate has more than 12 values; use a coarser step.",
        ),
        ("0.01, -1", "Learning rate must be above 0 and at most 10."),
    ];
    for (text, message) in cases {
        assert_eq!(parse_axis(LR, text), Err(message.to_string()), "{text:?}");
    }
    // Twelve values is the most: 2^11 · 0.001 = 2.048.
    assert_eq!(parse_axis(LR, "0.001:3:×2").map(|v| v.len()), Ok(12));
}

#[test]
fn a_learning_rate_axis_gives_each_rate_and_seed_its_own_normal() {
    let s = sweep(&[
        ("n1", "0.9,1.2"),
        ("n2", "0.8"),
        ("lr", "0.01,0.1,1"),
        ("seeds", "2"),
        ("seed", "7"),
    ])
    .unwrap();
    assert_eq!(s.lr, [0.01, 0.1, 1.0]);
    assert_eq!(s.base.learning_rate, 0.01);
    // (2 settings + Normal) × 3 rates × 2 seeds.
    assert_eq!(s.run_count(), 18);
    let jobs = s.jobs();
    assert_eq!(jobs.len(), 18);
    let plan: Vec<(Method, f32, u64)> = jobs
        .iter()
        .map(|j| (j.method, j.config.learning_rate, j.config.seed))
        .collect();
    // Seed by seed, rate by rate, Normal first at each.
    for (id, &(method, lr, seed)) in plan.iter().enumerate() {
        let (seed_k, rate_k, place) = (id / 9, (id % 9) / 3, id % 3);
        assert_eq!(seed, 7 + seed_k as u64, "job {id}");
        assert_eq!(lr, s.lr[rate_k], "job {id}");
        let expected = if place == 0 {
            Method::Normal
        } else {
            Method::Ayla
        };
        assert_eq!(method, expected, "job {id}");
        let cell = (place > 0).then(|| place - 1);
        assert_eq!(s.job_id(seed_k, rate_k, cell), id);
    }
    let normals: Vec<(f32, u64)> = plan
        .iter()
        .filter(|j| j.0 == Method::Normal)
        .map(|j| (j.1, j.2))
        .collect();
    assert_eq!(
        normals,
        [(0.01, 7), (0.1, 7), (1.0, 7), (0.01, 8), (0.1, 8), (1.0, 8)]
    );
    // Everything else is the base's: the same init and batch order per seed.
    for job in &jobs {
        let c = job.config;
        assert_eq!(
            Config {
                n1: 0.9,
                n2: 0.8,
                learning_rate: 0.01,
                seed: 7,
                ..c
            },
            s.base
        );
    }
    assert_eq!(
        s.grid_text(),
        "2 × 1 settings × 3 learning rates × 2 seeds, plus Normal at each rate"
    );
}

#[test]
fn the_run_limit_counts_the_learning_rates() {
    // (4 + 1) × 12 rates × 6 seeds = 360 runs.
    let errors = sweep(&[
        ("n1", "0.9,1"),
        ("n2", "0.8,1"),
        ("lr", "0.001:3:×2"),
        ("seeds", "6"),
    ])
    .unwrap_err();
    assert_eq!(
        errors,
        [(
            "n1".to_string(),
            format!(
                "The sweep would be 360 runs (2 × 2 settings × 12 learning rates × 6 seeds, \
                 plus Normal at each rate); the limit is {MAX_RUNS}. Use fewer values or seeds."
            )
        )]
    );
    let five = sweep(&[
        ("n1", "0.9,1"),
        ("n2", "0.8,1"),
        ("lr", "0.001:3:×2"),
        ("seeds", "5"),
    ])
    .unwrap();
    assert_eq!(five.run_count(), MAX_RUNS);
}

#[test]
fn a_learning_rate_axis_survives_the_link_and_the_plan_file() {
    let s = sweep(&[
        ("n1", "1.2"),
        ("n2", "0.8"),
        ("lr", "0.003:0.3:×10^(1/2)"),
        ("seeds", "3"),
        ("validate", "held-out"),
    ])
    .unwrap();
    let query = s.query();
    assert!(
        query.contains("&lr=0.003,0.00949,0.03,0.0949,0.3&"),
        "{query}"
    );
    let pairs: Vec<(&str, &str)> = query
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .collect();
    assert_eq!(sweep(&pairs).unwrap(), s);
    let json = serde_json::to_value(&s).unwrap();
    assert_eq!(serde_json::from_value::<Sweep>(json.clone()).unwrap(), s);
    // A record written before the rate was an axis reads with its one rate.
    let mut old = json.clone();
    old.as_object_mut().unwrap().remove("lr");
    old["base"]["learning_rate"] = serde_json::json!(0.05);
    let back: Sweep = serde_json::from_value(old).unwrap();
    assert_eq!((back.lr.clone(), back.run_count()), (vec![0.05], 6));
    // A base rate that is not the axis's first is refused, as is an axis out of order.
    let mut odd = json.clone();
    odd["base"]["learning_rate"] = serde_json::json!(0.5);
    let error = serde_json::from_value::<Sweep>(odd)
        .unwrap_err()
        .to_string();
    assert!(
        error.contains("not the first of the sweep's learning rates"),
        "{error}"
    );
    let mut odd = json;
    odd["lr"] = serde_json::json!([0.003, 0.3, 0.03]);
    let error = serde_json::from_value::<Sweep>(odd)
        .unwrap_err()
        .to_string();
    assert!(error.contains("Learning rate must be ascending"), "{error}");
}

/// Normal and (1.2, 0.8) at lr 0.01 and 0.1, one seed: jobs 0 Normal 0.01, 1 AYLA 0.01,
/// 2 Normal 0.1, 3 AYLA 0.1.
fn two_rates() -> SweepRecord {
    let s = sweep(&[
        ("n1", "1.2"),
        ("n2", "0.8"),
        ("lr", "0.01,0.1"),
        ("epochs", "1"),
    ])
    .unwrap();
    SweepRecord {
        sweep: s,
        results: vec![
            done(0, vec![epoch(1, 0.80, 0.6)]),
            done(1, vec![epoch(1, 0.85, 0.5)]),
            done(2, vec![epoch(1, 0.92, 0.3)]),
            done(3, vec![epoch(1, 0.91, 0.3)]),
        ],
    }
}

#[test]
fn the_table_has_a_row_per_setting_and_rate_each_against_its_own_rates_normal() {
    let rows = two_rates().rows();
    let keys: Vec<(Method, f32)> = rows.iter().map(|r| (r.method, r.learning_rate)).collect();
    assert_eq!(
        keys,
        [
            (Method::Normal, 0.01),
            (Method::Normal, 0.1),
            (Method::Ayla, 0.01),
            (Method::Ayla, 0.1)
        ]
    );
    // +5 points against Normal at 0.01, −1 against Normal at 0.1 (not against 0.01's).
    assert!((rows[2].gain.unwrap().mean - 0.05).abs() < 1e-6);
    assert!((rows[3].gain.unwrap().mean + 0.01).abs() < 1e-6);
    let csv = csv_rows(&two_rates().to_csv());
    let lr: Vec<&str> = csv.iter().map(|r| r["lr"].as_str()).collect();
    assert_eq!(lr, ["0.01", "0.1", "0.01", "0.1"]);
    let json: serde_json::Value = serde_json::from_str(&two_rates().to_json()).unwrap();
    assert_eq!(json["parameters"]["lr"], serde_json::json!([0.01, 0.1]));
    let rates: Vec<f64> = json["runs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["lr"].as_f64().unwrap() as f32 as f64)
        .collect();
    assert_eq!(
        rates,
        [0.01f32 as f64, 0.01f32 as f64, 0.1f32 as f64, 0.1f32 as f64]
    );
    // The heat map of each rate, titled with it.
    let map = HeatMap::of_sweep(&two_rates(), 1, None);
    assert_eq!(
        map.title,
        "Final val accuracy − Normal at lr 0.1 (1 seed, 1 epoch)"
    );
    let ayla::chart::HeatCell::Value { delta, .. } = map.cells[0] else {
        panic!("{:?}", map.cells[0]);
    };
    assert!((delta + 0.01).abs() < 1e-6);
}

#[test]
fn a_sweep_reads_every_field_and_reports_every_problem() {
    let s = sweep(&[
        ("n1", "0.9,1"),
        ("n2", "0.5:1:0.5"),
        ("seeds", "3"),
        ("epochs", "2"),
    ])
    .unwrap();
    assert_eq!(
        (s.n1.clone(), s.n2.clone(), s.seeds),
        (vec![0.9, 1.0], vec![0.5, 1.0], 3)
    );
    assert_eq!(
        (s.base.epochs, s.base.seed, s.base.n1, s.base.n2),
        (2, 42, 0.9, 0.5)
    );
    // Untouched fields keep the defaults; one seed by default.
    let d = sweep(&[]).unwrap();
    assert_eq!(
        (d.n1.clone(), d.n2.clone(), d.seeds),
        (vec![0.95], vec![1.0], 1)
    );

    let errors = sweep(&[("epochs", "0"), ("n2", "x"), ("seeds", "11"), ("n1", "")]).unwrap_err();
    let keys: Vec<&str> = errors.iter().map(|(k, _)| k.as_str()).collect();
    // In the page's order, seeds (not one of FIELDS) last.
    assert_eq!(keys, ["epochs", "n1", "n2", "seeds"]);
    assert_eq!(errors[3].1, "Seeds must be at least 1 and at most 10.");
}

#[test]
fn over_large_grids_are_refused_with_the_count() {
    // 12 × 12 settings × 3 seeds + 3 Normal = 435 runs.
    let errors =
        sweep(&[("n1", "0.1:1.2:0.1"), ("n2", "0.1:1.2:0.1"), ("seeds", "3")]).unwrap_err();
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0].0, "n1");
    assert_eq!(
        errors[0].1,
        format!(
            "The sweep would be 435 runs (12 × 12 settings × 3 seeds, plus Normal); the limit \
             is {MAX_RUNS}. Use fewer values or seeds."
        )
    );
    // 12 × 12 with one seed is 145 runs: allowed.
    assert_eq!(
        sweep(&[("n1", "0.1:1.2:0.1"), ("n2", "0.1:1.2:0.1")])
            .unwrap()
            .run_count(),
        145
    );
}

#[test]
fn each_seed_has_a_normal_baseline_first_and_every_setting_once() {
    let s = sweep(&[
        ("n1", "0.9,1"),
        ("n2", "0.5,1"),
        ("seeds", "2"),
        ("seed", "7"),
    ])
    .unwrap();
    let jobs = s.jobs();
    assert_eq!(jobs.len(), s.run_count());
    assert_eq!(jobs.len(), 10);
    for (id, job) in jobs.iter().enumerate() {
        assert_eq!(job.id, id);
        let seed = 7 + (id / 5) as u64;
        assert_eq!(job.config.seed, seed, "job {id}");
        // Every run of a seed shares everything but the method and exponents.
        assert_eq!(
            Config {
                n1: 0.9,
                n2: 0.5,
                seed: 7,
                ..job.config
            },
            s.base
        );
    }
    let settings: Vec<(Method, f32, f32)> = jobs[..5]
        .iter()
        .map(|j| (j.method, j.config.n1, j.config.n2))
        .collect();
    assert_eq!(settings[0].0, Method::Normal);
    assert_eq!(
        settings[1..],
        [
            (Method::Ayla, 0.9, 0.5),
            (Method::Ayla, 0.9, 1.0),
            (Method::Ayla, 1.0, 0.5),
            (Method::Ayla, 1.0, 1.0)
        ]
    );
}

#[test]
fn seeds_wrap_within_the_seed_fields_range() {
    let s = sweep(&[("seed", "4294967295"), ("seeds", "2")]).unwrap();
    assert_eq!(s.seed_values(), [4_294_967_295, 0]);
}

#[test]
fn the_link_reproduces_the_sweep() {
    let s = sweep(&[
        ("n1", "0.5:1:0.25"),
        ("n2", "1"),
        ("seeds", "2"),
        ("lr", "0.05"),
    ])
    .unwrap();
    let query = s.query();
    assert!(
        query.starts_with("mode=sweep&epochs=5&n1=0.5,0.75,1&n2=1&"),
        "{query}"
    );
    assert!(query.ends_with("&seeds=2"), "{query}");
    let pairs: Vec<(&str, &str)> = query
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .collect();
    assert_eq!(sweep(&pairs).unwrap(), s);
}

#[test]
fn the_estimate_deals_runs_to_the_first_free_worker() {
    let s = sweep(&[
        ("n1", "0.9,1"),
        ("n2", "1"),
        ("epochs", "1"),
        ("train", "60000"),
    ])
    .unwrap();
    // Validation costs nothing here, so each run is 60,000 images: Normal 1 s, AYLA 2 s.
    let speed = Speed {
        normal: 60_000.0,
        ayla: 30_000.0,
        start_up: 0.5,
    };
    let no_test = 0;
    // One worker: 0.5 + 1 + 2 + 2.
    assert!((s.estimate_seconds(60_000, no_test, speed, 1) - 5.5).abs() < 1e-9);
    // Two: worker A takes Normal then the second AYLA (0.5 + 1 + 2), B the first (0.5 + 2).
    assert!((s.estimate_seconds(60_000, no_test, speed, 2) - 3.5).abs() < 1e-9);
    // Three: every run at once; the longest decides.
    assert!((s.estimate_seconds(60_000, no_test, speed, 3) - 2.5).abs() < 1e-9);
    // A smaller data set than `train` asks for trains on what there is.
    assert!((s.estimate_seconds(30_000, no_test, speed, 3) - 1.5).abs() < 1e-9);
    // Validation adds a forward pass per test image: cheaper than training one.
    let with_test = s.estimate_seconds(60_000, 10_000, speed, 1);
    assert!(
        with_test > 5.5 && with_test < 5.5 + 5.0 / 6.0,
        "{with_test}"
    );
}

#[test]
fn a_held_out_estimate_trains_on_the_rest_and_scores_the_test_set_once() {
    let s = sweep(&[
        ("n1", "1"),
        ("n2", "1"),
        ("epochs", "2"),
        ("validate", "held-out"),
        ("holdout", "20000"),
    ])
    .unwrap();
    // Normal and AYLA both at 40,000 images/s, one worker, no start-up.
    let speed = Speed {
        normal: 40_000.0,
        ayla: 40_000.0,
        start_up: 0.0,
    };
    // 2 epochs of 40,000 trained images; the held-out 20,000 evaluated every epoch, the test
    // set once per run: the cost of a run on 40,000 images validated on 25,000 each epoch.
    let held_out = s.estimate_seconds(60_000, 10_000, speed, 1);
    let plain = sweep(&[
        ("n1", "1"),
        ("n2", "1"),
        ("epochs", "2"),
        ("train", "40000"),
    ])
    .unwrap()
    .estimate_seconds(60_000, 25_000, speed, 1);
    assert!((held_out - plain).abs() < 1e-9, "{held_out} vs {plain}");
    // Training alone would be 2 runs × 2 epochs × 1 s.
    assert!(held_out > 4.0 && held_out < 4.0 + 2.0 * 50_000.0 / 40_000.0);
}

#[test]
fn the_bench_speed_predicts_a_full_epoch_pair_near_what_the_page_measured() {
    // `make bench` measured 1.05 s (Normal) and 1.32 s (AYLA) for one epoch of both in
    // parallel (60,000 + 10,000 images); the default speed must agree with that.
    let one = |method: &str| {
        let s = sweep(&[("n1", "1"), ("n2", "1"), ("epochs", "1")]).unwrap();
        let speed = Speed {
            start_up: 0.0,
            ..Speed::BENCH
        };
        let only = |rate: f64| Speed {
            normal: rate,
            ayla: rate,
            ..speed
        };
        let rate = if method == "Normal" {
            speed.normal
        } else {
            speed.ayla
        };
        // Two runs on two workers: the estimate is one run's time.
        s.estimate_seconds(60_000, 10_000, only(rate), 2)
    };
    assert!((one("Normal") - 1.05).abs() < 0.05, "{}", one("Normal"));
    assert!((one("AYLA") - 1.32).abs() < 0.05, "{}", one("AYLA"));
}

fn epoch(epoch: usize, val_accuracy: f32, val_loss: f32) -> EpochMetrics {
    EpochMetrics {
        epoch,
        loss: val_loss,
        accuracy: val_accuracy,
        val_loss,
        val_accuracy,
        grad_norm: 1.0,
        seconds: 1.0,
        diverged_at: None,
    }
}

fn done(job: usize, metrics: Vec<EpochMetrics>) -> JobResult {
    JobResult {
        job,
        metrics,
        done: true,
        test: None,
    }
}

/// 1 × 2 grid (N1 = 0.9; N2 = 0.5, 4), two seeds: jobs 0 Normal, 1 (0.9, 0.5), 2 (0.9, 4),
/// then 3, 4, 5 for the second seed. (0.9, 0.5) gains +0.03 on seed 42 and −0.01 on seed
/// 43: not symmetric, so a gain taken the wrong way round shows.
fn record() -> SweepRecord {
    let s = sweep(&[
        ("n1", "0.9"),
        ("n2", "0.5, 4"),
        ("seeds", "2"),
        ("epochs", "2"),
    ])
    .unwrap();
    let diverged = EpochMetrics {
        diverged_at: Some(3),
        ..epoch(1, f32::NAN, f32::NAN)
    };
    SweepRecord {
        sweep: s,
        results: vec![
            done(0, vec![epoch(1, 0.80, 0.60), epoch(2, 0.90, 0.40)]),
            done(1, vec![epoch(1, 0.79, 0.62), epoch(2, 0.93, 0.35)]),
            done(2, vec![diverged]),
            done(3, vec![epoch(1, 0.82, 0.58), epoch(2, 0.88, 0.45)]),
            done(4, vec![epoch(1, 0.85, 0.50), epoch(2, 0.87, 0.47)]),
            // Still running: not counted.
            JobResult {
                job: 5,
                metrics: vec![epoch(1, 0.5, 1.0)],
                done: false,
                test: None,
            },
        ],
    }
}

#[test]
fn the_table_has_normal_then_every_setting_with_mean_and_std_over_seeds() {
    let rows = record().rows();
    assert_eq!(rows.len(), 3);
    let normal = &rows[0];
    assert_eq!(
        (normal.method, normal.n1, normal.n2),
        (Method::Normal, None, None)
    );
    assert_eq!(
        (normal.runs_done, normal.runs_total, normal.diverged),
        (2, 2, 0)
    );
    let acc = normal.final_val_accuracy.unwrap();
    assert!((acc.mean - 0.89).abs() < 1e-6);
    // Sample standard deviation of 0.90 and 0.88.
    assert!((acc.std.unwrap() - 0.014_142_1).abs() < 1e-6);
    assert!(normal.first_beat.is_empty());
    assert_eq!(
        normal.gain, None,
        "Normal is the baseline, not compared with itself"
    );

    let good = &rows[1];
    assert_eq!((good.n1, good.n2), (Some(0.9), Some(0.5)));
    assert!((good.best_val_loss.unwrap().mean - 0.41).abs() < 1e-6);
    assert!((good.best_val_accuracy.unwrap().mean - 0.90).abs() < 1e-6);
    // Gains: +0.03 (seed 42), −0.01 (seed 43): mean +0.01, sample std √(2 · 0.02²).
    let gain = good.gain.unwrap();
    assert!((gain.mean - 0.01).abs() < 1e-6, "{gain:?}");
    assert!((gain.std.unwrap() - 0.028_284_3).abs() < 1e-6 && gain.n == 2);
    // Seed 1 beat Normal only in epoch 2; seed 2 from epoch 1.
    assert_eq!(good.first_beat, [Some(2), Some(1)]);

    let bad = &rows[2];
    assert_eq!((bad.n1, bad.n2), (Some(0.9), Some(4.0)));
    assert_eq!((bad.runs_done, bad.runs_total, bad.diverged), (1, 2, 1));
    assert_eq!((bad.final_val_accuracy, bad.gain), (None, None));
    // A diverged run is not compared.
    assert!(bad.first_beat.is_empty());
}

#[test]
fn single_values_have_no_std() {
    let mut r = record();
    r.results.retain(|j| j.job < 3);
    let rows = r.rows();
    let acc = rows[1].final_val_accuracy.unwrap();
    assert_eq!((acc.n, acc.std), (1, None));
    assert!((acc.mean - 0.93).abs() < 1e-6);
}

/// Asserts the CSV fields `{column}_mean` and `{column}_std` hold these values (`None`: empty).
fn assert_stat(
    row: &std::collections::HashMap<String, String>,
    column: &str,
    mean: Option<f64>,
    std: Option<f64>,
) {
    for (suffix, want) in [("mean", mean), ("std", std)] {
        let field = &row[&format!("{column}_{suffix}")];
        match want {
            None => assert_eq!(field, "", "{column}_{suffix}"),
            Some(want) => {
                let got: f64 = field
                    .parse()
                    .unwrap_or_else(|_| panic!("{column}_{suffix}: {field}"));
                assert!(
                    (got - want).abs() < 1e-6,
                    "{column}_{suffix}: {got} vs {want}"
                );
            }
        }
    }
}

#[test]
fn the_csv_has_one_line_per_row_with_every_parameter_and_statistic() {
    let csv = record().to_csv();
    let header: Vec<&str> = csv.lines().next().unwrap().split(',').collect();
    assert_eq!(
        header[..9],
        [
            "epochs",
            "batch",
            "optimizer",
            "hidden",
            "seed",
            "train",
            "validate",
            "holdout",
            SEEDS_FIELD.key
        ]
    );
    // The axes are the rows' own: the learning rate beside the exponents.
    assert_eq!(header[9..13], ["method", "n1", "n2", "lr"]);
    assert!(header.contains(&"first_beat_epochs"));
    assert_eq!(
        header[header.len() - 6..],
        [
            "chosen",
            "chosen_edge",
            "tuned_difference_mean",
            "tuned_difference_ci_low",
            "tuned_difference_ci_high",
            "tuned_seeds"
        ]
    );
    let rows = csv_rows(&csv);
    assert_eq!(rows.len(), 3);
    for row in &rows {
        let shared = [
            "epochs",
            "batch",
            "optimizer",
            "hidden",
            "seed",
            "train",
            "validate",
            "holdout",
            "seeds",
        ];
        let values: Vec<&str> = shared.iter().map(|k| row[*k].as_str()).collect();
        assert_eq!(
            values,
            ["2", "128", "sgd", "128", "42", "60000", "test", "10000", "2"]
        );
    }

    let normal = &rows[0];
    let counts = |r: &std::collections::HashMap<String, String>| {
        [
            "method",
            "n1",
            "n2",
            "lr",
            "runs_done",
            "runs_total",
            "diverged",
        ]
        .map(|k| r[k].clone())
    };
    assert_eq!(counts(normal), ["Normal", "", "", "0.01", "2", "2", "0"]);
    assert_stat(normal, "final_val_accuracy", Some(0.89), Some(0.014_142_1));
    assert_stat(normal, "best_val_accuracy", Some(0.89), Some(0.014_142_1));
    assert_stat(normal, "final_val_loss", Some(0.425), Some(0.035_355_3));
    assert_stat(normal, "best_val_loss", Some(0.425), Some(0.035_355_3));
    assert_stat(normal, "gain", None, None);
    assert_eq!(normal["first_beat_epochs"], "");

    let good = &rows[1];
    assert_eq!(counts(good), ["AYLA", "0.9", "0.5", "0.01", "2", "2", "0"]);
    assert_stat(good, "final_val_accuracy", Some(0.90), Some(0.042_426_4));
    assert_stat(good, "best_val_accuracy", Some(0.90), Some(0.042_426_4));
    assert_stat(good, "final_val_loss", Some(0.41), Some(0.084_852_8));
    assert_stat(good, "best_val_loss", Some(0.41), Some(0.084_852_8));
    assert_stat(good, "gain", Some(0.01), Some(0.028_284_3));
    assert_eq!(good["first_beat_epochs"], "2 1");

    let bad = &rows[2];
    assert_eq!(counts(bad), ["AYLA", "0.9", "4", "0.01", "1", "2", "1"]);
    for column in ["final_val_accuracy", "best_val_loss", "gain"] {
        assert_stat(bad, column, None, None);
    }
    assert_eq!(bad["first_beat_epochs"], "");
}

#[test]
fn a_diverged_normal_baseline_leaves_its_seed_out_of_every_comparison() {
    let mut r = record();
    // Seed 43's Normal (job 3) blows up in its first epoch.
    r.results[3] = done(
        3,
        vec![EpochMetrics {
            diverged_at: Some(2),
            ..epoch(1, f32::NAN, f32::NAN)
        }],
    );
    let rows = r.rows();
    let normal = &rows[0];
    assert_eq!((normal.runs_done, normal.diverged), (2, 1));
    let acc = normal.final_val_accuracy.unwrap();
    assert_eq!((acc.n, acc.std), (1, None));
    assert!((acc.mean - 0.90).abs() < 1e-6);
    let good = &rows[1];
    // Its own two runs still count; only seed 42 is compared with Normal.
    assert_eq!(good.final_val_accuracy.unwrap().n, 2);
    let gain = good.gain.unwrap();
    assert_eq!((gain.n, gain.std), (1, None));
    assert!((gain.mean - 0.03).abs() < 1e-6, "{gain:?}");
    assert_eq!(good.first_beat, [Some(2)]);
}

#[test]
fn an_ayla_run_finished_before_its_normal_is_compared_once_normal_finishes() {
    let mut r = record();
    // Seed 43's Normal is still running; seed 42's has not started.
    r.results[3].done = false;
    r.results.remove(0);
    let rows = r.rows();
    assert_eq!(rows[0].runs_done, 0);
    let good = &rows[1];
    assert_eq!(good.final_val_accuracy.unwrap().n, 2);
    assert_eq!((good.gain, good.first_beat.clone()), (None, vec![]));
    assert_eq!(
        HeatMap::of_sweep(&r, 0, None).cells[0],
        ayla::chart::HeatCell::Pending
    );
    // Once seed 43's Normal is done, that seed is compared.
    r.results[2].done = true;
    let gain = r.rows()[1].gain.unwrap();
    assert_eq!(gain.n, 1);
    assert!((gain.mean + 0.01).abs() < 1e-6, "{gain:?}");
}

#[test]
fn a_seed_that_never_beats_normal_is_listed_as_never() {
    let mut r = record();
    // Seed 43's (0.9, 0.5) run stays below its Normal (0.82, 0.88) at both epochs.
    r.results[4] = done(4, vec![epoch(1, 0.80, 0.50), epoch(2, 0.87, 0.47)]);
    assert_eq!(r.rows()[1].first_beat, [Some(2), None]);
    assert_eq!(csv_rows(&r.to_csv())[1]["first_beat_epochs"], "2 never");
}

#[test]
fn the_json_has_the_parameters_the_link_the_table_and_every_run() {
    let json: serde_json::Value = serde_json::from_str(&record().to_json()).unwrap();
    assert_eq!(json["parameters"]["seeds"], 2);
    assert_eq!(json["parameters"]["n2"], serde_json::json!([0.5, 4.0]));
    assert_eq!(json["parameters"]["base"]["epochs"], 2);
    assert!(json["query"].as_str().unwrap().starts_with("mode=sweep&"));
    assert_eq!(json["rows"].as_array().unwrap().len(), 3);
    let runs = json["runs"].as_array().unwrap();
    assert_eq!(runs.len(), 6);
    assert_eq!(runs[2]["diverged"], true);
    assert_eq!(runs[2]["n2"], 4.0);
    assert_eq!(
        runs[2]["metrics"][0]["val_accuracy"],
        serde_json::Value::Null
    );
    assert_eq!(runs[4]["seed"], 43);
    assert_eq!(runs[5]["done"], false);
    assert_eq!(runs[0]["n1"], serde_json::Value::Null);
}

#[test]
fn a_record_survives_the_trip_through_the_page() {
    let r = record();
    let text = serde_json::to_string(&r).unwrap();
    let back = SweepRecord::parse(&text).unwrap();
    assert_eq!(back.rows(), r.rows());
    assert!(SweepRecord::parse("{}")
        .unwrap_err()
        .starts_with("The sweep record is malformed"));
}

#[test]
fn the_heat_map_has_a_cell_per_setting_row_major_over_n2() {
    use ayla::chart::HeatCell;
    let map = HeatMap::of_sweep(&record(), 0, Some((0, 1)));
    assert_eq!(
        (map.n1.clone(), map.n2.clone()),
        (vec![0.9], vec![0.5, 4.0])
    );
    assert_eq!(map.title, "Final val accuracy − Normal (2 seeds, 2 epochs)");
    assert_eq!(map.selected, Some((0, 1)));
    let HeatCell::Value { delta, std, runs } = map.cells[0] else {
        panic!("{:?}", map.cells[0]);
    };
    assert!((delta - 0.01).abs() < 1e-6 && (std.unwrap() - 0.028_284_3).abs() < 1e-6);
    assert_eq!(runs, 2);
    assert_eq!(
        map.cells[1],
        HeatCell::Diverged {
            diverged: 1,
            runs: 1
        }
    );
    // Nothing finished for a setting: pending.
    let mut r = record();
    r.results.retain(|j| j.job == 0);
    assert!(HeatMap::of_sweep(&r, 0, None)
        .cells
        .iter()
        .all(|c| *c == HeatCell::Pending));
}

#[test]
fn a_wider_grid_puts_n1_along_each_row() {
    use ayla::chart::HeatCell;
    let s = sweep(&[("n1", "0.9, 1"), ("n2", "0.5, 1, 2")]).unwrap();
    // Jobs: 0 Normal, then (0.9, 0.5) (0.9, 1) (0.9, 2) (1, 0.5) (1, 1) (1, 2).
    let normal = done(0, vec![epoch(1, 0.5, 1.0)]);
    let one = |job, acc| done(job, vec![epoch(1, acc, 1.0)]);
    let r = SweepRecord {
        sweep: s,
        results: vec![normal, one(3, 0.53), one(4, 0.51)],
    };
    let map = HeatMap::of_sweep(&r, 0, None);
    // cells[j * 2 + i]: (0.9, 2) is i = 0, j = 2; (1, 0.5) is i = 1, j = 0.
    let delta = |k: usize| match map.cells[k] {
        HeatCell::Value { delta, .. } => Some((delta * 100.0).round()),
        _ => None,
    };
    assert_eq!(delta(4), Some(3.0));
    assert_eq!(delta(1), Some(1.0));
    assert_eq!([delta(0), delta(2), delta(3), delta(5)], [None; 4]);
}

#[test]
fn a_sweep_read_from_outside_is_checked_like_typed_input() {
    let good = serde_json::to_value(sweep(&[("n1", "0.8, 0.9"), ("seeds", "2")]).unwrap()).unwrap();
    let back: Sweep = serde_json::from_value(good.clone()).unwrap();
    assert_eq!(back.n1, [0.8, 0.9]);
    let refused = |change: &dyn Fn(&mut serde_json::Value)| {
        let mut value = good.clone();
        change(&mut value);
        serde_json::from_value::<Sweep>(value)
            .unwrap_err()
            .to_string()
    };
    assert!(refused(&|v| v["n1"] = serde_json::json!([0.9, 0.8])).contains("N1 must be ascending"));
    assert!(refused(&|v| v["n2"] = serde_json::json!([])).contains("N2 must have 1 to 12 values"));
    assert!(refused(&|v| v["n1"] = serde_json::json!([0.5, 11.0]))
        .contains("N1 must be above 0 and at most 10"));
    assert!(refused(&|v| v["seeds"] = serde_json::json!(0)).contains("Seeds must be at least 1"));
    let grid: Vec<f32> = (1..=12).map(|k| k as f32 * 0.5).collect();
    let error = refused(&|v| {
        v["n1"] = serde_json::json!(grid);
        v["n2"] = serde_json::json!(grid);
        v["seeds"] = serde_json::json!(3);
    });
    assert!(error.contains("The sweep would be 435 runs"), "{error}");
    assert!(refused(&|v| v["base"]["batch_size"] = serde_json::json!(0))
        .contains("outside their limits"));
}

#[test]
fn held_out_runs_test_scores_are_in_the_table_the_csv_and_the_json() {
    let mut r = record();
    // Seed 42's and 43's runs of (0.9, 0.5) and their Normals scored on the test set at
    // the end; the diverged run (job 2) has no score, nor the unfinished job 5.
    for (job, accuracy) in [(0, 0.88), (1, 0.91), (3, 0.86), (4, 0.85)] {
        r.results[job].test = Some(TestScore {
            loss: 0.3,
            accuracy,
        });
    }
    let rows = r.rows();
    let normal = rows[0].test_accuracy.unwrap();
    assert_eq!(normal.n, 2);
    assert!((normal.mean - 0.87).abs() < 1e-6, "{normal:?}");
    assert_eq!(rows[2].test_accuracy, None);
    let csv = r.to_csv();
    let lines = csv_rows(&csv);
    assert_stat(&lines[0], "test_accuracy", Some(0.87), Some(0.014_142_1));
    assert_stat(&lines[1], "test_accuracy", Some(0.88), Some(0.042_426_4));
    assert_stat(&lines[2], "test_accuracy", None, None);
    let json: serde_json::Value = serde_json::from_str(&r.to_json()).unwrap();
    let runs = json["runs"].as_array().unwrap();
    assert!((runs[1]["test"]["accuracy"].as_f64().unwrap() - 0.91).abs() < 1e-6);
    assert!((runs[1]["test"]["loss"].as_f64().unwrap() - 0.3).abs() < 1e-6);
    assert!(runs[2].get("test").is_none());
    assert!(json["rows"][0]["test_accuracy"]["mean"].is_number());
    assert!(json["rows"][2].get("test_accuracy").is_none());
}

#[test]
fn validated_on_the_test_set_the_test_columns_are_empty() {
    let lines = csv_rows(&record().to_csv());
    for line in &lines {
        assert_stat(line, "test_accuracy", None, None);
    }
}

#[test]
fn a_sweep_of_a_deeper_network_keeps_its_layers_in_the_link_and_a_quoted_csv_field() {
    let s = sweep(&[("n1", "0.9,1"), ("hidden", "256,128"), ("seeds", "2")]).unwrap();
    assert_eq!(s.base.hidden.widths(), [256, 128]);
    assert!(s
        .jobs()
        .iter()
        .all(|job| job.config.hidden == s.base.hidden));
    let query = s.query();
    assert!(query.contains("&hidden=256,128&"), "{query}");
    let pairs: Vec<(&str, &str)> = query
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .collect();
    assert_eq!(sweep(&pairs).unwrap(), s);
    let record = SweepRecord {
        sweep: s,
        results: vec![done(0, vec![epoch(1, 0.8, 0.6)])],
    };
    let csv = record.to_csv();
    let row = csv.lines().nth(1).unwrap();
    assert!(row.starts_with("5,128,sgd,\"256,128\",42,"), "{row}");
    assert_eq!(
        sweep(&[("hidden", "1,2,3,4")]).unwrap_err(),
        [(
            "hidden".to_string(),
            "Hidden units: at most 3 layers.".to_string()
        )]
    );
}

#[test]
fn a_deeper_network_is_estimated_to_take_longer_by_its_work_per_image() {
    let speed = Speed {
        start_up: 0.0,
        ..Speed::BENCH
    };
    let seconds = |hidden: &str| {
        let s = sweep(&[
            ("n1", "1"),
            ("n2", "1"),
            ("epochs", "1"),
            ("train", "20000"),
            ("hidden", hidden),
        ])
        .unwrap();
        s.estimate_seconds(20_000, 10_000, speed, 2)
    };
    let (one, two, three) = (seconds("128"), seconds("256,128"), seconds("512,256,128"));
    // Measured natively (CPU time of one epoch of both methods, 20,000 training and 10,000
    // validation images): 0.53 s for 128 units, 1.79 s for 256,128, 5.93 s for 512,256,128.
    for (ratio, measured) in [(two / one, 1.79 / 0.53), (three / one, 5.93 / 0.53)] {
        assert!(
            (ratio / measured - 1.0).abs() < 0.1,
            "{ratio} vs {measured}"
        );
    }
}
