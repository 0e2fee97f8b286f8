#![cfg(target_arch = "wasm32")]
//! The page's entry points in a browser: input validation, message decoding, data
//! checks, seeds and exports, as the page's JavaScript sees them.

use ayla::method::Method;
use ayla::mnist::{encode_images, encode_labels, PIXELS};
use ayla::protocol::{FromWorker, ToWorker};
use ayla::train::EpochMetrics;
use ayla::web::comparison::Comparison;
use ayla::web::page::{
    check_dataset, check_inputs, data_files, fields, message_type, new_seed, start_message,
};
use wasm_bindgen::prelude::*;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn get(value: &JsValue, key: &str) -> JsValue {
    js_sys::Reflect::get(value, &key.into()).expect("an object")
}

fn object(pairs: &[(&str, &str)]) -> JsValue {
    let object = js_sys::Object::new();
    for (key, value) in pairs {
        js_sys::Reflect::set(&object, &(*key).into(), &(*value).into()).expect("settable");
    }
    object.into()
}

/// The message of a thrown error.
fn message(error: JsError) -> String {
    get(&JsValue::from(error), "message")
        .as_string()
        .unwrap_or_default()
}

#[wasm_bindgen_test]
fn fields_describe_the_inputs_and_their_choices() {
    let fields: js_sys::Array = fields().map_err(JsValue::from).unwrap().into();
    let ids: Vec<String> = fields
        .iter()
        .map(|f| get(&f, "input_id").as_string().unwrap())
        .collect();
    assert_eq!(
        ids,
        [
            "epochs",
            "n1",
            "n2",
            "batch",
            "lr",
            "optimizer",
            "hidden",
            "seed",
            "train-size",
            "validate",
            "holdout"
        ]
    );
    assert_eq!(get(&fields.get(1), "default").as_f64(), Some(0.95));
    let optimizers: js_sys::Array = get(&fields.get(5), "choices").into();
    let names: Vec<String> = optimizers
        .iter()
        .map(|c| get(&c, "name").as_string().unwrap())
        .collect();
    assert_eq!(names, ["sgd", "momentum", "adam"]);
    assert_eq!(data_files().len(), 4);
}

#[wasm_bindgen_test]
fn what_users_type_into_n1_is_refused_with_a_message() {
    for typed in ["", "abc", "-1", "0", "NaN", "Infinity", "1e309", "99999"] {
        let checked = check_inputs(object(&[("n1", typed)]))
            .map_err(JsValue::from)
            .unwrap();
        let errors: js_sys::Array = get(&checked, "errors").into();
        assert_eq!(errors.length(), 1, "{typed:?}");
        assert_eq!(
            get(&errors.get(0), "input_id").as_string().as_deref(),
            Some("n1")
        );
        assert!(get(&errors.get(0), "message")
            .as_string()
            .is_some_and(|m| !m.is_empty()));
        assert!(get(&checked, "config").is_undefined());
    }
}

#[wasm_bindgen_test]
fn valid_inputs_give_a_config_and_the_url_query() {
    let checked = check_inputs(object(&[("epochs", "1e0"), ("train", " 6000 ")]))
        .map_err(JsValue::from)
        .unwrap();
    let config = get(&checked, "config");
    assert_eq!(get(&config, "epochs").as_f64(), Some(1.0));
    assert_eq!(get(&config, "train_size").as_f64(), Some(6000.0));
    assert_eq!(
        get(&checked, "query").as_string().as_deref(),
        Some(
            "epochs=1&n1=0.95&n2=1&batch=128&lr=0.01&optimizer=sgd&hidden=128&seed=42\
             &train=6000&validate=test&holdout=10000"
        )
    );
    let start = start_message(config, "AYLA".into())
        .map_err(JsValue::from)
        .unwrap();
    assert!(matches!(
        ToWorker::decode(&start),
        Ok(ToWorker::Start {
            method: Method::Ayla,
            ..
        })
    ));
    let error = start_message(get(&checked, "config"), "SGD".into()).unwrap_err();
    assert!(message(error).contains("method name is malformed"));
}

#[wasm_bindgen_test]
fn worker_messages_are_typed_or_refused() {
    let done = FromWorker::Done {
        method: Method::Normal,
        test: None,
    };
    assert_eq!(
        message_type(&done.encode()).map_err(JsValue::from).unwrap(),
        "Done"
    );
    let error = message_type(r#"{"type":"Progress"}"#).unwrap_err();
    assert!(message(error).starts_with("Malformed message from the worker"));
}

#[wasm_bindgen_test]
fn datasets_are_checked_before_a_run() {
    // Image files stay in JavaScript: only their headers are read.
    let images = js_sys::Uint8Array::from(&encode_images(&vec![0; 3 * PIXELS])[..]);
    let labels = encode_labels(&[1, 2, 3]);
    let sizes = check_dataset(&images, &labels, &images, &labels)
        .map_err(JsValue::from)
        .unwrap();
    assert_eq!(get(&sizes, "train").as_f64(), Some(3.0));
    let error = check_dataset(&images, &labels, &images, &labels[..9]).unwrap_err();
    assert_eq!(
        message(error),
        "Test files: The label file is truncated: its header promises 11 bytes in all, \
         the file has 9."
    );
}

#[wasm_bindgen_test]
fn a_test_set_without_images_is_refused_before_a_run() {
    let images = js_sys::Uint8Array::from(&encode_images(&vec![0; 3 * PIXELS])[..]);
    let labels = encode_labels(&[1, 2, 3]);
    let none = js_sys::Uint8Array::from(&encode_images(&[])[..]);
    let no_labels = encode_labels(&[]);
    let error = check_dataset(&images, &labels, &none, &no_labels).unwrap_err();
    assert_eq!(message(error), "The test set has no images.");
}

#[wasm_bindgen_test]
fn new_seeds_come_from_a_random_source() {
    let seeds: Vec<u32> = (0..4)
        .map(|_| new_seed().map_err(JsValue::from).unwrap())
        .collect();
    assert!(seeds.windows(2).any(|w| w[0] != w[1]), "{seeds:?}");
}

#[wasm_bindgen_test]
fn a_comparison_exports_what_its_workers_reported() {
    let checked = check_inputs(object(&[])).map_err(JsValue::from).unwrap();
    let mut comparison = Comparison::new(get(&checked, "config"), 60_000)
        .map_err(JsValue::from)
        .unwrap();
    let metrics = EpochMetrics {
        epoch: 1,
        loss: 0.5,
        accuracy: 0.9,
        val_loss: 0.4,
        val_accuracy: 0.91,
        grad_norm: 1.5,
        seconds: 2.0,
        diverged_at: None,
    };
    let text = FromWorker::epoch(Method::Ayla, metrics).encode();
    comparison
        .receive(1, 1, &text, 2.0)
        .map_err(JsValue::from)
        .unwrap();
    let csv = comparison.export_csv();
    assert_eq!(csv.lines().count(), 2);
    assert!(csv.contains(",AYLA,1,0.5,"), "{csv}");
    let json: serde_json::Value = serde_json::from_str(&comparison.export_json()).unwrap();
    assert_eq!(json["runs"][1]["metrics"][0]["val_accuracy"], 0.91);
}

#[wasm_bindgen_test]
fn epochs_are_timed_on_the_monotonic_clock() {
    // performance.now counts from the page's start in sub-millisecond steps; Date.now counts
    // from 1970 in whole milliseconds and jumps when the system clock is set.
    let readings: Vec<f64> = (0..2_000).map(|_| ayla::web::clock::seconds()).collect();
    assert!(
        readings[0] < 86_400.0,
        "seconds since the page started, not since 1970"
    );
    assert!(readings.windows(2).all(|w| w[1] >= w[0]), "never goes back");
    let steps = readings
        .windows(2)
        .map(|w| w[1] - w[0])
        .filter(|&d| d > 0.0);
    assert!(
        steps.fold(f64::INFINITY, f64::min) < 1e-3,
        "finer than Date.now's milliseconds"
    );
}
