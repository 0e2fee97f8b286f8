#![cfg(not(target_arch = "wasm32"))]
//! The worker protocol: every message survives the trip through text, and what cannot be
//! read is refused with a sentence saying why.

use ayla::config::Config;
use ayla::history::TestScore;
use ayla::method::Method;
use ayla::protocol::{FromWorker, ProgressMeter, ToWorker, PROGRESS_INTERVAL};
use ayla::train::{EpochMetrics, StepReport};

fn metrics(diverged_at: Option<usize>) -> EpochMetrics {
    EpochMetrics {
        epoch: 3,
        loss: 0.4123,
        accuracy: 0.88,
        val_loss: 0.3987,
        val_accuracy: 0.8921,
        grad_norm: 1.2345,
        seconds: 12.5,
        diverged_at,
    }
}

fn round_trip_from_worker(message: FromWorker) {
    let text = message.encode();
    assert_eq!(FromWorker::decode(&text), Ok(message), "{text}");
}

#[test]
fn start_survives_a_round_trip() {
    for method in [Method::Normal, Method::Ayla] {
        let message = ToWorker::Start {
            config: Config::default(),
            method,
        };
        assert_eq!(ToWorker::decode(&message.encode()), Ok(message));
    }
}

#[test]
fn every_worker_message_survives_a_round_trip() {
    round_trip_from_worker(FromWorker::Ready);
    round_trip_from_worker(FromWorker::Progress {
        method: Method::Ayla,
        epoch: 2,
        batch: 40,
        batches: 469,
        samples_per_sec: 5120.5,
        loss: Some(0.52),
    });
    round_trip_from_worker(FromWorker::epoch(Method::Normal, metrics(None)));
    round_trip_from_worker(FromWorker::Done {
        method: Method::Normal,
        test: None,
    });
    round_trip_from_worker(FromWorker::Done {
        method: Method::Ayla,
        test: Some(TestScore {
            loss: 0.2871,
            accuracy: 0.9195,
        }),
    });
    round_trip_from_worker(FromWorker::Error {
        method: Some(Method::Ayla),
        message: "The image file is empty.".into(),
    });
    round_trip_from_worker(FromWorker::Error {
        method: None,
        message: "bad start".into(),
    });
}

#[test]
fn messages_have_the_documented_shape() {
    let text = FromWorker::Done {
        method: Method::Ayla,
        test: None,
    }
    .encode();
    assert_eq!(text, r#"{"type":"Done","method":"AYLA"}"#);
    let text = FromWorker::Done {
        method: Method::Ayla,
        test: Some(TestScore {
            loss: 0.25,
            accuracy: 0.875,
        }),
    }
    .encode();
    assert_eq!(
        text,
        r#"{"type":"Done","method":"AYLA","test":{"loss":0.25,"accuracy":0.875}}"#
    );
    let start = ToWorker::Start {
        config: Config::default(),
        method: Method::Normal,
    }
    .encode();
    assert!(
        start.starts_with(r#"{"type":"Start","config":{"epochs":5,"#),
        "{start}"
    );
    assert!(start.ends_with(r#""method":"Normal"}"#), "{start}");
}

#[test]
fn method_names_are_the_log_labels() {
    assert_eq!(
        [Method::Normal.label(), Method::Ayla.label()],
        ["Normal", "AYLA"]
    );
    for kind in [Method::Normal, Method::Ayla] {
        assert_eq!(
            serde_json::to_string(&kind).unwrap(),
            format!("\"{}\"", kind.label())
        );
    }
}

#[test]
fn epoch_message_carries_the_original_log_line() {
    let FromWorker::Epoch { log_line, .. } = FromWorker::epoch(Method::Ayla, metrics(None)) else {
        panic!("not an epoch message");
    };
    assert_eq!(
        log_line,
        "AYLA   - Epoch 3: Loss=0.4123, Val Loss=0.3987, Val Acc=0.8921, Grad Norm=1.2345"
    );
}

#[test]
fn a_diverged_epoch_travels_as_nulls_and_comes_back_as_nan() {
    let mut m = metrics(Some(7));
    m.loss = f32::INFINITY;
    m.val_loss = f32::NAN;
    m.val_accuracy = f32::NAN;
    let text = FromWorker::epoch(Method::Ayla, m).encode();
    assert!(text.contains(r#""val_loss":null"#), "{text}");
    let Ok(FromWorker::Epoch {
        metrics, log_line, ..
    }) = FromWorker::decode(&text)
    else {
        panic!("not an epoch message: {text}");
    };
    assert!(metrics.loss.is_nan() && metrics.val_loss.is_nan());
    assert_eq!(metrics.diverged_at, Some(7));
    assert!(log_line.contains("diverged at batch 7"), "{log_line}");
}

#[test]
fn malformed_messages_are_refused_with_a_reason() {
    for (text, expected) in [
        ("", "Malformed message from the worker"),
        ("{", "Malformed message from the worker"),
        (r#"{"type":"Launch"}"#, "unknown variant `Launch`"),
        (r#"{"type":"Done"}"#, "missing field `method`"),
        (
            r#"{"type":"Done","method":"Adam"}"#,
            "unknown variant `Adam`",
        ),
        (
            r#"{"type":"Progress","method":"AYLA","epoch":"one","batch":1,"batches":2,"samples_per_sec":1,"loss":1}"#,
            "invalid type",
        ),
    ] {
        let error = FromWorker::decode(text).unwrap_err().to_string();
        assert!(error.contains(expected), "{text:?} gave {error:?}");
    }
    let error = ToWorker::decode(r#"{"type":"Start","method":"AYLA"}"#)
        .unwrap_err()
        .to_string();
    assert!(
        error.starts_with("Malformed message from the page") && error.contains("config"),
        "{error}"
    );
}

#[test]
fn a_start_outside_the_limits_is_refused() {
    let mut config = Config {
        batch_size: 0,
        n1: 0.0,
        ..Config::default()
    };
    let start = |config| ToWorker::Start {
        config,
        method: Method::Ayla,
    };
    let error = ToWorker::decode(&start(config).encode())
        .unwrap_err()
        .to_string();
    assert!(error.contains("outside their limits"), "{error}");
    assert!(error.contains("batch"), "{error}");
    assert!(error.contains("n1"), "{error}");
    // NaN travels as null, which is no number at all.
    config = Config::default();
    config.n2 = f32::NAN;
    let error = ToWorker::decode(&start(config).encode())
        .unwrap_err()
        .to_string();
    assert!(error.contains("invalid type: null"), "{error}");
}

fn step(batch: usize, batches: usize, loss: f32) -> StepReport {
    StepReport {
        step: batch,
        batch,
        batches,
        loss,
        lmod: loss,
        grad_norm: 1.0,
        branch: None,
        batch_acc: 0.5,
    }
}

#[test]
fn progress_shows_the_first_batch_is_throttled_and_always_ends_the_epoch() {
    // 10 batches of 100 images, 50 in the last; one batch every 30 ms, so after the first
    // batch a message is due every fourth batch.
    assert_eq!(PROGRESS_INTERVAL, 0.1);
    let mut meter = ProgressMeter::new(Method::Normal, 1, 100, 950, 0.0);
    let sent: Vec<FromWorker> = (1..=10)
        .filter_map(|b| meter.on_step(&step(b, 10, 0.5), b as f64 * 0.03))
        .collect();
    let batches: Vec<usize> = sent
        .iter()
        .map(|m| match m {
            FromWorker::Progress { batch, .. } => *batch,
            other => panic!("unexpected {other:?}"),
        })
        .collect();
    assert_eq!(batches, [1, 5, 9, 10]);
    let Some(FromWorker::Progress {
        samples_per_sec, ..
    }) = sent.last()
    else {
        panic!("no progress");
    };
    assert!(
        (samples_per_sec - 950.0 / 0.3).abs() < 1e-6,
        "{samples_per_sec}"
    );
}

#[test]
fn progress_of_a_diverging_batch_has_no_loss() {
    let mut meter = ProgressMeter::new(Method::Ayla, 1, 10, 10, 0.0);
    let message = meter.on_step(&step(1, 1, f32::NAN), 0.01);
    assert!(matches!(
        message,
        Some(FromWorker::Progress { loss: None, .. })
    ));
    let text = message.map(|m| m.encode()).unwrap_or_default();
    assert!(text.contains(r#""loss":null"#), "{text}");
}
