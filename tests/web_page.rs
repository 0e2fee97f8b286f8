#![cfg(target_arch = "wasm32")]
//! The page's entry points in a browser: input validation, message decoding, data
//! checks, seeds and exports, as the page's JavaScript sees them.

use ayla::mnist::{encode_images, encode_labels, PIXELS};
use ayla::protocol::{FromWorker, MethodKind, ToWorker};
use ayla::web::page::{
    check_dataset, check_inputs, data_files, decode_message, export_csv, fields, new_seed,
    start_message,
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
fn fields_describe_the_eight_inputs() {
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
            "hidden",
            "seed",
            "train-size"
        ]
    );
    assert_eq!(get(&fields.get(1), "default").as_f64(), Some(0.95));
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
        Some("epochs=1&n1=0.95&n2=1&batch=128&lr=0.01&hidden=128&seed=42&train=6000")
    );
    let start = start_message(config, "AYLA".into())
        .map_err(JsValue::from)
        .unwrap();
    assert!(matches!(
        ToWorker::decode(&start),
        Ok(ToWorker::Start {
            method: MethodKind::Ayla,
            ..
        })
    ));
    let error = start_message(get(&checked, "config"), "SGD".into()).unwrap_err();
    assert!(message(error).contains("method name is malformed"));
}

#[wasm_bindgen_test]
fn worker_messages_are_decoded_or_refused() {
    let done = decode_message(
        &FromWorker::Done {
            method: MethodKind::Normal,
        }
        .encode(),
    )
    .map_err(JsValue::from)
    .unwrap();
    assert_eq!(get(&done, "type").as_string().as_deref(), Some("Done"));
    assert_eq!(get(&done, "method").as_string().as_deref(), Some("Normal"));
    let error = decode_message(r#"{"type":"Progress"}"#).unwrap_err();
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
fn new_seeds_come_from_a_random_source() {
    let seeds: Vec<u32> = (0..4)
        .map(|_| new_seed().map_err(JsValue::from).unwrap())
        .collect();
    assert!(seeds.windows(2).any(|w| w[0] != w[1]), "{seeds:?}");
}

#[wasm_bindgen_test]
fn csv_export_reads_the_chart_history() {
    let checked = check_inputs(object(&[])).map_err(JsValue::from).unwrap();
    let history = r#"{"n1":0.95,"n2":1.0,"epochs":5,"hidden":[],"runs":[{"method":"AYLA",
        "diverged":false,"metrics":[{"epoch":1,"loss":0.5,"accuracy":0.9,"val_loss":0.4,
        "val_accuracy":0.91,"grad_norm":1.5,"seconds":2.0,"diverged_at":null}]}]}"#;
    let csv = export_csv(get(&checked, "config"), history)
        .map_err(JsValue::from)
        .unwrap();
    assert_eq!(csv.lines().count(), 2);
    assert!(csv.contains(",AYLA,1,0.5,"), "{csv}");
}
