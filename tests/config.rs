//! Parameter validation: the defaults, and what users type.
#![cfg(not(target_arch = "wasm32"))]

use ayla::config::{Access, Config, Optimizer, Validation, FIELDS};
use ayla::shape::Hidden;
use serde_json::json;

fn parse_one(key: &str, text: &str) -> Result<Config, String> {
    Config::parse(|k| (k == key).then_some(text)).map_err(|errors| {
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].key, key);
        errors[0].message.clone()
    })
}

#[test]
fn defaults_are_the_originals() {
    let c = Config::default();
    assert_eq!((c.epochs, c.n1, c.n2), (5, 0.95, 1.0));
    assert_eq!((c.batch_size, c.learning_rate), (128, 0.01));
    assert_eq!(c.hidden.widths(), [128]);
    assert_eq!((c.seed, c.train_size, c.shuffle), (42, 60_000, true));
    assert_eq!(
        (c.optimizer, c.validation),
        (Optimizer::Sgd, Validation::Test)
    );
}

#[test]
fn a_choice_is_typed_by_name_in_any_case() {
    assert_eq!(
        parse_one("optimizer", " Adam ").unwrap().optimizer,
        Optimizer::Adam
    );
    assert_eq!(
        parse_one("optimizer", "momentum").unwrap().optimizer,
        Optimizer::Momentum
    );
    let held_out = parse_one("validate", "held-out").unwrap();
    assert_eq!(
        (held_out.validation, held_out.holdout),
        (Validation::HeldOut, 10_000)
    );
    assert_eq!(
        parse_one("optimizer", "rmsprop").unwrap_err(),
        "Optimizer must be one of sgd, momentum, adam; “rmsprop” is not."
    );
    assert_eq!(
        parse_one("validate", "").unwrap_err(),
        "Validate on must be one of test, held-out; “” is not."
    );
    let pairs = held_out.to_pairs();
    assert!(pairs.contains(&("validate", "held-out".to_string())));
    assert!(pairs.contains(&("optimizer", "sgd".to_string())));
}

#[test]
fn a_config_written_before_the_optimizer_and_validation_fields_reads_with_their_defaults() {
    let old = json!({"epochs": 5, "n1": 0.95, "n2": 1.0, "batch_size": 128,
        "learning_rate": 0.01, "hidden": 128, "seed": 42, "train_size": 60000, "shuffle": true});
    assert_eq!(
        serde_json::from_value::<Config>(old).unwrap(),
        Config::default()
    );
}

#[test]
fn inputs_round_trip_through_pairs() {
    let c = parse_one("n1", " 0.8 ").unwrap();
    let pairs = c.to_pairs();
    let back = Config::parse(|k| {
        pairs
            .iter()
            .find(|(key, _)| *key == k)
            .map(|(_, v)| v.as_str())
    })
    .unwrap();
    assert_eq!(back, c);
    assert_eq!(back.n1, 0.8);
}

#[test]
fn what_users_type_is_checked() {
    let cases = [
        ("epochs", "", "Epochs is empty; enter a number."),
        ("epochs", "five", "“five” is not a number."),
        ("epochs", "2.5", "Epochs must be a whole number."),
        ("epochs", "0", "Epochs must be at least 1 and at most 1000."),
        (
            "epochs",
            "-3",
            "Epochs must be at least 1 and at most 1000.",
        ),
        ("n1", "NaN", "N1 must be a finite number."),
        ("n2", "Infinity", "N2 must be a finite number."),
        ("n1", "0", "N1 must be above 0 and at most 10."),
        ("lr", "1e400", "Learning rate must be a finite number."),
        (
            "seed",
            "99999999999",
            "Seed must be at least 0 and at most 4294967295.",
        ),
    ];
    for (key, text, message) in cases {
        assert_eq!(parse_one(key, text).unwrap_err(), message, "{key}={text:?}");
    }
}

#[test]
fn scientific_notation_is_accepted() {
    assert_eq!(parse_one("train", "1e3").unwrap().train_size, 1000);
    assert_eq!(parse_one("lr", "5e-2").unwrap().learning_rate, 0.05);
}

#[test]
fn every_bad_field_is_reported_at_once() {
    let errors = Config::parse(|k| match k {
        "n1" => Some("x"),
        "batch" => Some("0"),
        _ => None,
    })
    .unwrap_err();
    let ids: Vec<_> = errors.iter().map(|e| e.input_id).collect();
    assert_eq!(ids, ["n1", "batch"]);
}

#[test]
fn every_default_lies_within_its_limits() {
    for f in FIELDS {
        assert!(
            f.default <= f.max && (f.default > f.min || !f.min_exclusive && f.default == f.min),
            "{}",
            f.key
        );
    }
}

#[test]
fn a_config_read_from_outside_is_checked_like_typed_input() {
    let good = serde_json::to_string(&Config::default()).unwrap();
    let back: Config = serde_json::from_str(&good).unwrap();
    assert_eq!(back, Config::default());
    for (key, value, message) in [
        (
            "epochs",
            json!(0),
            "epochs: Epochs must be at least 1 and at most 1000.",
        ),
        ("n1", json!(-1.0), "n1: N1 must be above 0 and at most 10."),
        (
            "hidden",
            json!(5000),
            "hidden: Hidden units must be at least 1 and at most 4096.",
        ),
    ] {
        let mut config: serde_json::Value = serde_json::from_str(&good).unwrap();
        config[key] = value;
        let error = serde_json::from_value::<Config>(config)
            .unwrap_err()
            .to_string();
        assert!(error.contains(message), "{error}");
    }
}

/// Parses the given fields (others take their defaults); the errors as `(key, message)`.
fn parse_fields(fields: &[(&str, &str)]) -> Result<Config, Vec<(&'static str, String)>> {
    Config::parse(|k| fields.iter().find(|(key, _)| *key == k).map(|(_, v)| *v))
        .map_err(|errors| errors.into_iter().map(|e| (e.key, e.message)).collect())
}

#[test]
fn held_out_images_must_be_fewer_than_the_training_images() {
    let held_out = |train: &str, k: &str| {
        parse_fields(&[("validate", "held-out"), ("train", train), ("holdout", k)])
    };
    let refused = (
        "holdout",
        "Held-out images (K) must be fewer than the training images (3,000).".to_string(),
    );
    assert_eq!(
        held_out("3000", "3000").unwrap_err(),
        std::slice::from_ref(&refused)
    );
    assert_eq!(held_out("3000", "5000").unwrap_err(), [refused]);
    // The edge: one image left to train on.
    let edge = held_out("3000", "2999").unwrap();
    assert_eq!((edge.train_size, edge.holdout), (3_000, 2_999));
    // The default K against the whole training set.
    assert_eq!(
        parse_fields(&[("validate", "held-out")]).unwrap().holdout,
        10_000
    );
    assert_eq!(
        parse_fields(&[("validate", "held-out"), ("train", "10000")]).unwrap_err(),
        [(
            "holdout",
            "Held-out images (K) must be fewer than the training images (10,000).".to_string()
        )]
    );
}

#[test]
fn k_plays_no_part_when_the_test_set_validates() {
    let c = parse_fields(&[("train", "3000"), ("holdout", "10000")]).unwrap();
    assert_eq!(
        (c.validation, c.train_size, c.holdout),
        (Validation::Test, 3_000, 10_000)
    );
    assert_eq!(c.check_data(1_000), Ok(()));
}

#[test]
fn k_is_judged_only_once_the_fields_it_depends_on_read_well() {
    // A bad training size is the one complaint: K is not judged against a number that
    // was refused.
    let errors =
        parse_fields(&[("validate", "held-out"), ("train", "0"), ("holdout", "5")]).unwrap_err();
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0].0, "train");
}

#[test]
fn a_config_read_from_outside_with_k_too_large_is_refused() {
    let config = json!({"epochs": 5, "n1": 0.95, "n2": 1.0, "batch_size": 128,
        "learning_rate": 0.01, "hidden": 128, "seed": 42, "train_size": 3000,
        "validation": "held-out", "holdout": 3000, "shuffle": true});
    let error = serde_json::from_value::<Config>(config)
        .unwrap_err()
        .to_string();
    assert!(
        error.contains(
            "holdout: Held-out images (K) must be fewer than the training images (3,000)."
        ),
        "{error}"
    );
}

#[test]
fn k_is_checked_against_the_training_images_the_data_has() {
    let c = parse_fields(&[
        ("validate", "held-out"),
        ("train", "5000"),
        ("holdout", "2000"),
    ])
    .unwrap();
    assert_eq!(c.images_used(60_000), 5_000);
    assert_eq!(c.images_used(3_000), 3_000);
    assert_eq!(c.check_data(60_000), Ok(()));
    assert_eq!(c.check_data(2_001), Ok(()));
    let refused = c.check_data(2_000).unwrap_err();
    assert_eq!((refused.key, refused.input_id), ("holdout", "holdout"));
    assert_eq!(
        refused.message,
        "Held-out images (K) must be fewer than the training images: the data has only 2,000."
    );
}

#[test]
fn hidden_layers_are_typed_as_a_list_of_widths() {
    let two = parse_one("hidden", "256,128").unwrap();
    assert_eq!(two.hidden.widths(), [256, 128]);
    assert_eq!(
        parse_one("hidden", " 512, 256 ,128 ")
            .unwrap()
            .hidden
            .widths(),
        [512, 256, 128]
    );
    assert_eq!(parse_one("hidden", "64").unwrap().hidden, Hidden::one(64));
    assert!(two.to_pairs().contains(&("hidden", "256,128".to_string())));
    assert!(Config::default()
        .to_pairs()
        .contains(&("hidden", "128".to_string())));
    let spec = FIELDS.iter().find(|f| f.key == "hidden").unwrap();
    assert_eq!(spec.access.max_items(), 3);
    assert!(FIELDS
        .iter()
        .filter(|f| f.key != "hidden")
        .all(|f| matches!(f.access, Access::One { .. })));
}

#[test]
fn a_bad_list_of_widths_gets_a_sentence() {
    let cases = [
        ("256,128,64,32", "Hidden units: at most 3 layers."),
        ("abc", "“abc” is not a number."),
        ("256,abc", "“abc” is not a number."),
        ("256,0", "Hidden units must be at least 1 and at most 4096."),
        ("8192", "Hidden units must be at least 1 and at most 4096."),
        ("128,2.5", "Hidden units must be a whole number."),
        ("", "Hidden units is empty; enter a number."),
        (" , ", "Hidden units is empty; enter a number."),
    ];
    for (text, message) in cases {
        assert_eq!(parse_one("hidden", text).unwrap_err(), message, "{text:?}");
    }
}

#[test]
fn hidden_layers_are_a_number_in_json_when_one_and_an_array_when_several() {
    let default = serde_json::to_value(Config::default()).unwrap();
    assert_eq!(
        default["hidden"],
        json!(128),
        "records of one layer keep their form"
    );
    let two = parse_one("hidden", "256,128").unwrap();
    let written = serde_json::to_value(two).unwrap();
    assert_eq!(written["hidden"], json!([256, 128]));
    assert_eq!(serde_json::from_value::<Config>(written).unwrap(), two);
    let mut one_in_an_array = default.clone();
    one_in_an_array["hidden"] = json!([128]);
    assert_eq!(
        serde_json::from_value::<Config>(one_in_an_array).unwrap(),
        Config::default()
    );
    for (value, message) in [
        (
            json!([64, 32, 16, 8]),
            "Hidden units: 1 to 3 layers, not 4.",
        ),
        (json!([]), "Hidden units: 1 to 3 layers, not 0."),
        (
            json!([256, 5000]),
            "hidden: Hidden units must be at least 1 and at most 4096.",
        ),
        (
            json!([0]),
            "hidden: Hidden units must be at least 1 and at most 4096.",
        ),
    ] {
        let mut config = default.clone();
        config["hidden"] = value;
        let error = serde_json::from_value::<Config>(config)
            .unwrap_err()
            .to_string();
        assert!(error.contains(message), "{error}");
    }
}
