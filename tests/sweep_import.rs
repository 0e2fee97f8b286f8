//! Opening a sweep export (`mnist_sweep.json`, from the page or `ayla sweep merge`): it
//! reads back into the record that wrote it, and anything else gets one sentence.
#![cfg(not(target_arch = "wasm32"))]

use ayla::config::Config;
use ayla::export::Record;
use ayla::history::{Run, TestScore};
use ayla::method::Method;
use ayla::sweep::verdict::TEST_SET_NOTE;
use ayla::sweep::{JobResult, Sweep, SweepRecord};
use ayla::train::EpochMetrics;
use serde_json::{json, Value};

fn sweep() -> Sweep {
    let pairs = [
        ("epochs", "2"),
        ("n1", "0.8,0.9"),
        ("n2", "1"),
        ("seeds", "2"),
        ("train", "1000"),
    ];
    Sweep::parse(|key| pairs.iter().find(|(k, _)| *k == key).map(|(_, v)| *v)).unwrap()
}

fn metrics(epoch: usize, val_accuracy: f32) -> EpochMetrics {
    EpochMetrics {
        epoch,
        loss: 0.5,
        accuracy: 0.8,
        val_loss: 0.4,
        val_accuracy,
        grad_norm: 1.5,
        seconds: 0.75,
        diverged_at: None,
    }
}

fn result(job: usize, val_accuracy: f32) -> JobResult {
    JobResult {
        job,
        metrics: vec![metrics(1, val_accuracy - 0.05), metrics(2, val_accuracy)],
        done: true,
        test: None,
    }
}

/// Finished runs in the order a pool ends them (not job order), one seed incomplete.
fn record() -> SweepRecord {
    SweepRecord {
        sweep: sweep(),
        results: vec![
            result(0, 0.9),
            result(2, 0.93),
            result(1, 0.91),
            result(3, 0.89),
        ],
    }
}

fn refused(json: &str) -> String {
    SweepRecord::from_export(json).unwrap_err()
}

#[test]
fn an_export_reads_back_into_the_record_that_wrote_it() {
    let record = record();
    let read = SweepRecord::from_export(&record.to_json()).unwrap();
    assert_eq!(read, record);
    assert_eq!(read.to_csv(), record.to_csv());
}

#[test]
fn test_scores_read_back_with_their_runs() {
    let mut record = record();
    record.results[1].test = Some(TestScore {
        loss: 0.25,
        accuracy: 0.9375,
    });
    let json = record.to_json();
    let read = SweepRecord::from_export(&json).unwrap();
    assert_eq!(read, record);
    assert_eq!(read.to_json(), json);
}

#[test]
fn a_diverged_run_reads_back_as_diverged() {
    let mut record = record();
    let broken = &mut record.results[1].metrics[1];
    (broken.loss, broken.val_loss, broken.val_accuracy) = (f32::NAN, f32::NAN, f32::NAN);
    broken.diverged_at = Some(3);
    let json = record.to_json();
    let read = SweepRecord::from_export(&json).unwrap();
    assert!(read.results[1].diverged());
    assert!(read.results[1].metrics[1].val_accuracy.is_nan());
    assert_eq!(read.to_json(), json);
    assert_eq!(read.rows(), record.rows());
}

#[test]
fn a_file_that_is_not_json_gets_a_sentence() {
    let message = refused("AYLA   - Epoch 1: Loss=0.5");
    assert!(
        message.starts_with("This file is not a sweep export: it is not JSON (expected value"),
        "{message}"
    );
}

#[test]
fn a_single_run_export_is_recognised() {
    let single = Record::new(
        Config::default(),
        vec![Run {
            method: Method::Normal,
            diverged: false,
            metrics: vec![metrics(1, 0.9)],
            test: None,
        }],
    );
    assert_eq!(
        refused(&single.to_json()),
        "This file is a single run's export (mnist_comparison.json), not a sweep's \
         (mnist_sweep.json)."
    );
}

#[test]
fn foreign_json_is_refused_with_what_is_missing() {
    assert_eq!(
        refused("[1, 2, 3]"),
        "This file is not a sweep export: it is not a JSON object."
    );
    assert_eq!(
        refused("{\"name\": \"x\"}"),
        "This file is not a sweep export: it has no parameters and runs."
    );
}

fn edited(edit: impl FnOnce(&mut Value)) -> String {
    let mut value: Value = serde_json::from_str(&record().to_json()).unwrap();
    edit(&mut value);
    value.to_string()
}

#[test]
fn parameters_the_page_refuses_are_refused() {
    let message = refused(&edited(|v| v["parameters"]["base"]["epochs"] = json!(0)));
    assert_eq!(
        message,
        "The sweep's parameters in this file are refused: Parameters outside their limits: \
         epochs: Epochs must be at least 1 and at most 1000."
    );
    let message = refused(&edited(|v| v["parameters"]["n1"] = json!([0.9, 0.8])));
    assert!(
        message.starts_with("The sweep's parameters in this file are refused: "),
        "{message}"
    );
    let message = refused(&edited(|v| v["runs"][0]["metrics"] = json!("none")));
    assert_eq!(
        message,
        "The runs in this file are malformed: invalid type: string \"none\", expected a \
         sequence."
    );
}

#[test]
fn a_run_outside_the_grid_is_named() {
    let message = refused(&edited(|v| v["runs"][2]["n1"] = json!(0.85)));
    assert_eq!(
        message,
        "Run 3 of the file (AYLA N1=0.85 N2=1, lr 0.01, seed 42) is not part of its sweep's \
         grid."
    );
    let message = refused(&edited(|v| v["runs"][0]["seed"] = json!(44)));
    assert_eq!(
        message,
        "Run 1 of the file (Normal, lr 0.01, seed 44) is not part of its sweep's grid."
    );
}

#[test]
fn a_run_given_twice_is_refused() {
    let message = refused(&edited(|v| {
        let first = v["runs"][1].clone();
        v["runs"].as_array_mut().unwrap().push(first);
    }));
    assert_eq!(
        message,
        "The file holds the run AYLA N1=0.9 N2=1, lr 0.01, seed 42 twice."
    );
}

#[test]
fn epochs_beyond_the_sweep_are_refused() {
    let message = refused(&edited(|v| {
        let metrics = v["runs"][0]["metrics"].as_array_mut().unwrap();
        let mut third = metrics[1].clone();
        third["epoch"] = json!(3);
        metrics.push(third);
    }));
    assert_eq!(
        message,
        "The epochs of the run Normal, lr 0.01, seed 42 are not numbered 1 to at most 2."
    );
}

/// `tests/fixtures/page_mnist_sweep.json` is the page's own "Export table JSON" of a 2 × 2
/// sweep in which the two settings with N1 = 4 diverged (saved by the e2e tests in headless
/// Chromium), written before the optimizer, validation and learning-rate axis existed: it
/// opens with their defaults, and exports what it held with those fields added.
#[test]
fn a_sweep_the_page_exported_opens_and_exports_the_same_figures() {
    let page = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/page_mnist_sweep.json"
    ))
    .unwrap();
    let record = SweepRecord::from_export(&page).unwrap();
    assert_eq!(record.results.len(), 5);
    assert_eq!(record.results.iter().filter(|r| r.diverged()).count(), 2);
    let mut expected: Value = serde_json::from_str(&page).unwrap();
    let base = &mut expected["parameters"]["base"];
    base["optimizer"] = json!("sgd");
    base["validation"] = json!("test");
    base["holdout"] = json!(10000);
    expected["parameters"]["lr"] = json!([0.01]);
    expected["query"] = json!(expected["query"].as_str().unwrap().replace(
        "&lr=0.01&hidden=128&seed=5&train=3000&",
        "&lr=0.01&optimizer=sgd&hidden=128&seed=5&train=3000&validate=test&holdout=10000&",
    ));
    for row in expected["rows"].as_array_mut().unwrap() {
        row["learning_rate"] = json!(0.01);
    }
    for run in expected["runs"].as_array_mut().unwrap() {
        run["lr"] = json!(0.01);
    }
    // Validated on the test set: the verdict only says why it has no numbers.
    expected["verdict"] = json!({
        "note": TEST_SET_NOTE,
        "normal": null,
        "baseline": null,
        "settings": [],
    });
    let exported: Value = serde_json::from_str(&record.to_json()).unwrap();
    assert_eq!(exported, expected);
    // And this version's export reads back into the same bytes.
    let again = SweepRecord::from_export(&record.to_json()).unwrap();
    assert_eq!(again.to_json(), record.to_json());
}
