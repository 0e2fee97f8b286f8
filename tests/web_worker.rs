#![cfg(target_arch = "wasm32")]
//! The worker entry point, run inside a real dedicated worker in headless Chromium:
//! it trains on a tiny synthetic dataset and says so in well-formed protocol messages.

use std::cell::RefCell;
use std::rc::Rc;

use ayla::config::{Config, Validation};
use ayla::method::Method;
use ayla::mnist::{encode_images, encode_labels, PIXELS};
use ayla::protocol::{FromWorker, ToWorker};
use ayla::train::EpochMetrics;
use ayla::web::worker::{ready_message, WorkerData, WorkerRun};
use wasm_bindgen::prelude::*;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_dedicated_worker);

/// IDX bytes of `count` images whose brightest row is their label, so a network can learn.
fn idx_files(count: usize) -> (Vec<u8>, Vec<u8>) {
    let labels: Vec<u8> = (0..count).map(|i| (i % 10) as u8).collect();
    let mut pixels = vec![0u8; count * PIXELS];
    for (i, &label) in labels.iter().enumerate() {
        let row = 2 + 2 * usize::from(label);
        pixels[i * PIXELS + row * 28..i * PIXELS + (row + 1) * 28].fill(255);
    }
    (encode_images(&pixels), encode_labels(&labels))
}

/// Bytes as the JavaScript buffer a worker is sent.
fn js_array(bytes: &[u8]) -> js_sys::Uint8Array {
    js_sys::Uint8Array::from(bytes)
}

/// A JS callback that records every message text it is given.
fn recorder() -> (Rc<RefCell<Vec<String>>>, js_sys::Function) {
    let texts = Rc::new(RefCell::new(Vec::new()));
    let sink = texts.clone();
    let post = Closure::<dyn FnMut(String)>::new(move |text| sink.borrow_mut().push(text));
    (texts, post.into_js_value().unchecked_into())
}

fn start_text(method: Method) -> String {
    start_text_with(method, 40, 42)
}

fn start_text_with(method: Method, train_size: usize, seed: u64) -> String {
    let config = Config {
        epochs: 2,
        batch_size: 8,
        train_size,
        seed,
        ..Config::default()
    };
    ToWorker::Start { config, method }.encode()
}

/// A worker's data: 50 training and 20 test images.
fn worker_data(start: &str, post: &js_sys::Function) -> WorkerData {
    let (train_images, train_labels) = idx_files(50);
    let (test_images, test_labels) = idx_files(20);
    WorkerData::load(
        start,
        &js_array(&train_images),
        train_labels,
        &js_array(&test_images),
        test_labels,
        post,
    )
    .expect("posting works")
    .expect("the data is good")
}

/// Runs one method to the end on `data` and returns the decoded messages.
fn run_on(data: &WorkerData, start: &str) -> Vec<FromWorker> {
    let (texts, post) = recorder();
    let mut run = WorkerRun::start(start, data, post)
        .expect("posting works")
        .expect("the start message is good");
    while run.train_slice().expect("posting works") {}
    let texts = texts.borrow();
    texts
        .iter()
        .map(|t| FromWorker::decode(t).expect("well-formed"))
        .collect()
}

/// Runs a whole worker session and returns the decoded messages.
fn run(method: Method) -> Vec<FromWorker> {
    let start = start_text(method);
    run_on(&worker_data(&start, &recorder().1), &start)
}

/// The epochs' metrics in a run's messages, without their timings.
fn epoch_metrics(messages: &[FromWorker]) -> Vec<EpochMetrics> {
    messages
        .iter()
        .filter_map(|m| match m {
            FromWorker::Epoch { metrics, .. } => Some(EpochMetrics {
                seconds: 0.0,
                ..*metrics
            }),
            _ => None,
        })
        .collect()
}

#[wasm_bindgen_test]
fn ready_is_a_protocol_message() {
    assert_eq!(FromWorker::decode(&ready_message()), Ok(FromWorker::Ready));
}

#[wasm_bindgen_test]
fn a_run_posts_progress_then_each_epoch_then_done() {
    for method in [Method::Normal, Method::Ayla] {
        let messages = run(method);
        let mut epochs_seen = 0;
        let mut last_progress = None;
        for message in &messages {
            match message {
                FromWorker::Progress {
                    method: m,
                    epoch,
                    batch,
                    batches,
                    samples_per_sec,
                    loss,
                } => {
                    assert_eq!(*m, method);
                    assert_eq!(*epoch, epochs_seen + 1);
                    assert_eq!(*batches, 5, "40 images in batches of 8");
                    assert!(samples_per_sec.is_finite() && *samples_per_sec >= 0.0);
                    assert!(loss.is_some_and(f32::is_finite));
                    last_progress = Some(*batch);
                }
                FromWorker::Epoch {
                    method: m,
                    metrics,
                    log_line,
                } => {
                    epochs_seen += 1;
                    assert_eq!(*m, method);
                    assert_eq!(last_progress, Some(5), "the bar ends full before the epoch");
                    assert_eq!(metrics.epoch, epochs_seen);
                    for value in [
                        metrics.loss,
                        metrics.accuracy,
                        metrics.val_loss,
                        metrics.val_accuracy,
                        metrics.grad_norm,
                    ] {
                        assert!(value.is_finite(), "{metrics:?}");
                    }
                    let head = format!("{:<6} - Epoch {epochs_seen}: Loss=", method.label());
                    assert!(log_line.starts_with(&head), "{log_line}");
                    last_progress = None;
                }
                other => panic!("unexpected {other:?}"),
            }
            if epochs_seen == 2 {
                break;
            }
        }
        assert_eq!(epochs_seen, 2);
        assert_eq!(
            messages.last(),
            Some(&FromWorker::Done { method, test: None })
        );
    }
}

fn start_with(start: &str, labels: &[u8]) -> (bool, Vec<FromWorker>) {
    let (images, good_labels) = idx_files(20);
    let labels = if labels.is_empty() {
        &good_labels
    } else {
        labels
    };
    let (texts, post) = recorder();
    let data = WorkerData::load(
        start,
        &js_array(&images),
        labels.to_vec(),
        &js_array(&images),
        good_labels.clone(),
        &post,
    )
    .expect("posting works");
    let started = data.is_some_and(|data| {
        WorkerRun::start(start, &data, post)
            .expect("posting works")
            .is_some()
    });
    let messages = texts
        .borrow()
        .iter()
        .map(|t| FromWorker::decode(t).expect("well-formed"))
        .collect();
    (started, messages)
}

#[wasm_bindgen_test]
fn bad_idx_bytes_give_an_error_message() {
    let mut labels = idx_files(20).1;
    labels[3] = 0x02; // magic 0x00000802
    let (started, messages) = start_with(&start_text(Method::Ayla), &labels);
    assert!(!started);
    let [FromWorker::Error { method, message }] = messages.as_slice() else {
        panic!("expected one error, got {messages:?}");
    };
    assert_eq!(*method, Some(Method::Ayla));
    assert!(
        message.starts_with("Training files: The label file is not an IDX label file"),
        "{message}"
    );
}

#[wasm_bindgen_test]
fn truncated_idx_bytes_give_an_error_message() {
    let labels = idx_files(20).1;
    let (started, messages) = start_with(&start_text(Method::Normal), &labels[..15]);
    assert!(!started);
    assert!(
        matches!(messages.as_slice(), [FromWorker::Error { message, .. }] if message.contains("truncated")),
        "{messages:?}"
    );
}

#[wasm_bindgen_test]
fn a_malformed_start_gives_an_error_message() {
    let (started, messages) = start_with(r#"{"type":"Start"}"#, &[]);
    assert!(!started);
    assert!(
        matches!(messages.as_slice(), [FromWorker::Error { method: None, message }]
            if message.starts_with("Malformed message from the page")),
        "{messages:?}"
    );
}

#[wasm_bindgen_test]
fn one_worker_runs_several_jobs_on_data_sent_once() {
    // A sweep's pool: the data arrives with the first run and serves every later one,
    // including one on fewer images, without being used up or changed by them.
    let first = start_text_with(Method::Ayla, 40, 42);
    let data = worker_data(&first, &recorder().1);
    let fewer = start_text_with(Method::Normal, 24, 7);
    let runs = [
        run_on(&data, &first),
        run_on(&data, &fewer),
        run_on(&data, &first),
    ];
    let batches = |messages: &[FromWorker]| {
        messages.iter().find_map(|m| match m {
            FromWorker::Progress { batches, .. } => Some(*batches),
            _ => None,
        })
    };
    assert_eq!(batches(&runs[0]), Some(5), "40 images in batches of 8");
    assert_eq!(batches(&runs[1]), Some(3), "24 images in batches of 8");
    assert_eq!(epoch_metrics(&runs[2]).len(), 2);
    assert_eq!(epoch_metrics(&runs[2]), epoch_metrics(&runs[0]));
    // And a fresh worker agrees with the reused one.
    assert_eq!(
        epoch_metrics(&run_on(&worker_data(&fewer, &recorder().1), &fewer)),
        epoch_metrics(&runs[1])
    );
}

fn held_out_start(method: Method, train_size: usize, holdout: usize) -> String {
    let config = Config {
        epochs: 2,
        batch_size: 8,
        train_size,
        validation: Validation::HeldOut,
        holdout,
        ..Config::default()
    };
    ToWorker::Start { config, method }.encode()
}

#[wasm_bindgen_test]
fn a_held_out_run_trains_on_the_rest_and_ends_with_its_test_score() {
    let start = held_out_start(Method::Ayla, 40, 16);
    let messages = run_on(&worker_data(&start, &recorder().1), &start);
    let batches = messages.iter().find_map(|m| match m {
        FromWorker::Progress { batches, .. } => Some(*batches),
        _ => None,
    });
    assert_eq!(batches, Some(3), "24 of the 40 images in batches of 8");
    assert_eq!(epoch_metrics(&messages).len(), 2);
    let Some(FromWorker::Done { method, test }) = messages.last() else {
        panic!("the run ends with Done: {messages:?}");
    };
    assert_eq!(*method, Method::Ayla);
    let test = test.expect("a test score at the end");
    assert!(
        test.loss.is_finite() && (0.0..=1.0).contains(&test.accuracy),
        "{test:?}"
    );
}

#[wasm_bindgen_test]
fn a_worker_refuses_a_k_its_data_leaves_nothing_to_train_on() {
    // 10,000 held out of the 60,000 asked for passes the inputs, but the data has 50.
    let start = held_out_start(Method::Normal, 60_000, 10_000);
    let (texts, post) = recorder();
    let data = worker_data(&start, &post);
    let run = WorkerRun::start(&start, &data, post).expect("posting works");
    assert!(run.is_none());
    let messages: Vec<FromWorker> = texts
        .borrow()
        .iter()
        .map(|t| FromWorker::decode(t).unwrap())
        .collect();
    assert_eq!(
        messages,
        [FromWorker::Error {
            method: Some(Method::Normal),
            message: "Held-out images (K) must be fewer than the training images: the data \
                      has only 50."
                .into()
        }]
    );
}
