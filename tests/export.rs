#![cfg(not(target_arch = "wasm32"))]
//! Exported metrics carry the parameters that produced them.

use ayla::config::{Config, Validation};
use ayla::export::Record;
use ayla::history::{Run, TestScore};
use ayla::method::Method;
use ayla::train::EpochMetrics;

fn record() -> Record {
    let epoch = |epoch, loss: f32, diverged_at| EpochMetrics {
        epoch,
        loss,
        accuracy: 0.9,
        val_loss: loss,
        val_accuracy: 0.91,
        grad_norm: 1.5,
        seconds: 2.0,
        diverged_at,
    };
    Record::new(
        Config::default(),
        vec![
            Run {
                method: Method::Normal,
                diverged: false,
                metrics: vec![epoch(1, 0.5, None), epoch(2, 0.25, None)],
                test: None,
            },
            Run {
                method: Method::Ayla,
                diverged: true,
                metrics: vec![epoch(1, f32::NAN, Some(3))],
                test: None,
            },
        ],
    )
}

#[test]
fn query_reproduces_the_parameters() {
    assert_eq!(
        record().query,
        "epochs=5&n1=0.95&n2=1&batch=128&lr=0.01&optimizer=sgd&hidden=128&seed=42&train=60000\
         &validate=test&holdout=10000"
    );
}

#[test]
fn csv_has_a_row_per_epoch_and_method_with_the_parameters() {
    let csv = record().to_csv();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(
        lines[0],
        "epochs,n1,n2,batch,lr,optimizer,hidden,seed,train,validate,holdout,method,epoch,loss,accuracy,val_loss,\
         val_accuracy,grad_norm,seconds,diverged_at,test_loss,test_accuracy"
    );
    assert_eq!(lines.len(), 4);
    assert_eq!(
        lines[1],
        "5,0.95,1,128,0.01,sgd,128,42,60000,test,10000,Normal,1,0.5,0.9,0.5,0.91,1.5,2,,,"
    );
    assert!(lines[3].starts_with("5,0.95,1,128,0.01,sgd,128,42,60000,test,10000,AYLA,1,NaN,"));
    assert!(lines[3].ends_with(",3,,"));
}

/// A held-out run: Normal finished with its test score, AYLA diverged (no test score).
fn held_out_record() -> Record {
    let mut record = record();
    record.parameters.validation = Validation::HeldOut;
    record.runs[0].test = Some(TestScore {
        loss: 0.3,
        accuracy: 0.92,
    });
    Record::new(record.parameters, record.runs)
}

#[test]
fn csv_carries_the_test_score_on_the_last_epoch_row_only() {
    let csv = held_out_record().to_csv();
    let lines: Vec<&str> = csv.lines().collect();
    assert!(lines[1].ends_with(",held-out,10000,Normal,1,0.5,0.9,0.5,0.91,1.5,2,,,"));
    assert!(lines[2].ends_with(",held-out,10000,Normal,2,0.25,0.9,0.25,0.91,1.5,2,,0.3,0.92"));
    assert!(lines[3].ends_with(",3,,"), "{}", lines[3]);
}

#[test]
fn json_carries_the_test_score_and_reads_back() {
    let record = held_out_record();
    let json = record.to_json();
    assert!(
        json.contains("\"test\": {\n        \"loss\": 0.3,\n        \"accuracy\": 0.92\n      }"),
        "{json}"
    );
    // Only the run that has one carries it.
    assert_eq!(json.matches("\"test\": {").count(), 1, "{json}");
    let back: Record = serde_json::from_str(&json).unwrap();
    assert_eq!(back.runs[0].test, record.runs[0].test);
    assert_eq!(back.runs[1].test, None);
}

#[test]
fn a_record_written_before_test_scores_reads_without_one() {
    let json = record().to_json();
    assert!(!json.contains("\"test\": {"), "{json}");
    let back: Record = serde_json::from_str(&json).unwrap();
    assert!(back.runs.iter().all(|run| run.test.is_none()));
}

#[test]
fn json_round_trips_with_nan_as_null() {
    let record = record();
    let json = record.to_json();
    assert!(json.contains("\"loss\": null"), "{json}");
    assert!(json.contains("\"learning_rate\": 0.01"), "{json}");
    let back: Record = serde_json::from_str(&json).unwrap();
    assert_eq!(back.runs[0], record.runs[0]);
    assert!(back.runs[1].metrics[0].loss.is_nan());
}

#[test]
fn hidden_layers_travel_as_a_list_in_the_link_csv_and_json() {
    let config = Config::parse(|k| (k == "hidden").then_some("256,128")).unwrap();
    let record = Record::new(config, record().runs);
    assert!(
        record.query.contains("&hidden=256,128&"),
        "{}",
        record.query
    );
    let csv = record.to_csv();
    let lines: Vec<&str> = csv.lines().collect();
    // Quoted, so the row keeps one column per header.
    assert!(
        lines[1].starts_with("5,0.95,1,128,0.01,sgd,\"256,128\",42,60000,"),
        "{}",
        lines[1]
    );
    let json = record.to_json();
    let value: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(value["parameters"]["hidden"], serde_json::json!([256, 128]));
    let back: Record = serde_json::from_str(&json).unwrap();
    assert_eq!(back.parameters, config);
}

#[test]
fn a_record_written_with_hidden_as_a_number_reads_as_one_layer() {
    let json = record().to_json();
    assert!(json.contains("\"hidden\": 128,"), "{json}");
    let back: Record = serde_json::from_str(&json).unwrap();
    assert_eq!(back.parameters.hidden.widths(), [128]);
}
