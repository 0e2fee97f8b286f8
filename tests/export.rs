#![cfg(not(target_arch = "wasm32"))]
//! Exported metrics carry the parameters that produced them.

use ayla::config::Config;
use ayla::export::{Record, RunRecord};
use ayla::protocol::MethodKind;
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
            RunRecord {
                method: MethodKind::Normal,
                diverged: false,
                metrics: vec![epoch(1, 0.5, None), epoch(2, 0.25, None)],
            },
            RunRecord {
                method: MethodKind::Ayla,
                diverged: true,
                metrics: vec![epoch(1, f32::NAN, Some(3))],
            },
        ],
    )
}

#[test]
fn query_reproduces_the_parameters() {
    assert_eq!(
        record().query,
        "epochs=5&n1=0.95&n2=1&batch=128&lr=0.01&hidden=128&seed=42&train=60000"
    );
}

#[test]
fn csv_has_a_row_per_epoch_and_method_with_the_parameters() {
    let csv = record().to_csv();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(
        lines[0],
        "epochs,n1,n2,batch,lr,hidden,seed,train,method,epoch,loss,accuracy,val_loss,\
         val_accuracy,grad_norm,seconds,diverged_at"
    );
    assert_eq!(lines.len(), 4);
    assert_eq!(
        lines[1],
        "5,0.95,1,128,0.01,128,42,60000,Normal,1,0.5,0.9,0.5,0.91,1.5,2,"
    );
    assert!(lines[3].starts_with("5,0.95,1,128,0.01,128,42,60000,AYLA,1,NaN,"));
    assert!(lines[3].ends_with(",3"));
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
fn a_record_is_read_from_the_charts_history() {
    let history = r#"{"n1":0.95,"n2":1.0,"epochs":5,"hidden":["AYLA loss"],"runs":[
        {"method":"Normal","diverged":false,"metrics":[{"epoch":1,"loss":0.5,"accuracy":0.9,
         "val_loss":0.4,"val_accuracy":0.91,"grad_norm":1.5,"seconds":2.0,"diverged_at":null}]},
        {"method":"AYLA","diverged":true,"metrics":[]}]}"#;
    let record = Record::from_history(Config::default(), history).unwrap();
    assert_eq!(record.runs.len(), 2);
    assert_eq!(record.runs[0].metrics[0].val_loss, 0.4);
    assert!(record.runs[1].diverged);
    let error =
        Record::from_history(Config::default(), r#"{"runs":[{"method":"SGD"}]}"#).unwrap_err();
    assert!(
        error.starts_with("The run's history is malformed"),
        "{error}"
    );
}
