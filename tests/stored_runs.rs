//! What the page keeps of a single run between visits (src/session/stored.rs, restore.rs):
//! every epoch and its end as they happen, read back validated; a run restored as it was
//! shown, or captioned as interrupted; entries that do not fit, damaged or foreign records
//! refused with a sentence; the History's line; and the data's identity (MNIST's SHA-256
//! sums, the one list the page verifies against).
#![cfg(not(target_arch = "wasm32"))]

mod common;
#[path = "fixtures/kept.rs"]
mod kept;

use ayla::config::{Config, Validation};
use ayla::data_identity::{mnist_files, DataIdentity};
use ayla::export;
use ayla::method::Method;
use ayla::protocol::{FromWorker, DATA_FILES};
use ayla::session::{
    listing, restore, Comparison, Entry, Event, Head, RestoredSession, RowState, SavedState, SCHEMA,
};
use kept::{done, done_with_test, epoch, metrics, Kept};
use sha2::{Digest, Sha256};

fn run_config(epochs: usize) -> Config {
    Config {
        epochs,
        seed: 7,
        ..Config::default()
    }
}

fn head_of_run(config: Config) -> String {
    let comparison = Comparison::new(config, 60_000);
    Head::new(comparison.plan(), DataIdentity::mnist(), 60_000).to_json()
}

/// A run of `epochs` epochs, both methods through `through` of them (and Done if all),
/// with what it logged and what it kept.
fn run(epochs: usize, through: usize) -> (Comparison, Vec<String>, Kept) {
    let mut c = Comparison::new(run_config(epochs), 60_000);
    let mut kept = Kept::default();
    let mut log = Vec::new();
    kept.take(&c.start());
    let mut feed = |c: &mut Comparison, message: FromWorker| {
        let update = c.receive(message, 3.0);
        log.extend(update.log.iter().cloned());
        kept.take(&update);
    };
    for n in 1..=through {
        feed(&mut c, epoch(Method::Normal, n, 0.80 + n as f32 / 100.0));
        feed(&mut c, epoch(Method::Ayla, n, 0.81 + n as f32 / 100.0));
    }
    if through == epochs {
        feed(&mut c, done(Method::Ayla));
        feed(&mut c, done(Method::Normal));
    }
    (c, log, kept)
}

fn restored_run(head: &str, kept: &Kept, elsewhere: bool) -> (Comparison, ayla::session::Restored) {
    match restore(head, &kept.summary, &kept.entries, elsewhere).unwrap() {
        (RestoredSession::Run(c), restored) => (c, restored),
        (RestoredSession::Sweep(_), _) => panic!("a run's record restored as a sweep"),
    }
}

#[test]
fn a_run_keeps_each_epoch_and_its_end_as_they_happen() {
    let (_, _, kept) = run(2, 2);
    let entries: Vec<Entry> = kept
        .entries
        .iter()
        .map(|t| Entry::read(t).unwrap())
        .collect();
    // Four epochs (two per method), then the two Done, in the order they arrived.
    let kinds: Vec<(usize, &str)> = entries
        .iter()
        .map(|e| match &e.event {
            Event::Epoch { .. } => (e.job, "Epoch"),
            Event::Done { .. } => (e.job, "Done"),
        })
        .collect();
    assert_eq!(
        kinds,
        [
            (0, "Epoch"),
            (1, "Epoch"),
            (0, "Epoch"),
            (1, "Epoch"),
            (1, "Done"),
            (0, "Done")
        ]
    );
    assert!(entries.iter().all(|e| e.schema == SCHEMA));
    assert_eq!(
        entries[3].event,
        Event::Epoch {
            method: Method::Ayla,
            metrics: metrics(2, 0.83)
        }
    );
    let summary = kept.summary();
    assert_eq!(summary.state, SavedState::Done);
    assert_eq!(summary.progress, "2 of 2 epochs");
    assert_eq!(
        summary.figures,
        "Final val acc: Normal 0.8200, AYLA 0.8300."
    );
    assert_eq!(
        summary.ending,
        "Done in 0:03. Final val acc: Normal 0.8200, AYLA 0.8300."
    );
}

#[test]
fn a_kept_run_comes_back_as_it_was_shown() {
    let (live, log, kept) = run(2, 2);
    let head = head_of_run(run_config(2));
    let (back, restored) = restored_run(&head, &kept, false);
    assert_eq!(back.history().runs, live.history().runs);
    assert_eq!(restored.update.log, log);
    assert_eq!(
        restored.caption,
        "Done in 0:03. Final val acc: Normal 0.8200, AYLA 0.8300."
    );
    assert!(restored.skipped.is_empty());
    assert!(!restored.resumable);
    assert_eq!(restored.query, export::query(&run_config(2)));
    assert_eq!(restored.parameters, live.describe(60_000));
    assert_eq!(restored.data, DataIdentity::mnist());
    // Nothing more is taken: it is not a live run.
    assert!(back.is_over());
}

#[test]
fn an_interrupted_run_says_how_far_it_got() {
    let (_, _, kept) = run(3, 1);
    assert_eq!(kept.summary().state, SavedState::Running);
    let head = head_of_run(run_config(3));
    let (_, restored) = restored_run(&head, &kept, false);
    assert_eq!(
        restored.caption,
        "Interrupted after 1 of 3 epochs: the page was closed or crashed. \
         Latest val acc: Normal 0.8100, AYLA 0.8200."
    );
    let rows: Vec<(&str, RowState)> = restored
        .update
        .rows
        .iter()
        .map(|r| (r.text.as_str(), r.state))
        .collect();
    assert_eq!(
        rows,
        [
            ("Not finished: 1 of 3 epochs", RowState::Stopped),
            ("Not finished: 1 of 3 epochs", RowState::Stopped)
        ]
    );
    // Another tab still training it is not interrupted.
    let (_, elsewhere) = restored_run(&head, &kept, true);
    assert!(elsewhere
        .caption
        .starts_with("Running in another tab: 1 of 3 epochs so far."));
}

#[test]
fn entries_that_do_not_fit_are_skipped_and_named_and_the_rest_comes_back() {
    let (live, log, kept) = run(2, 2);
    let epoch_entry = |job: usize, method: Method, n: usize| {
        serde_json::to_string(&Entry::epoch(job, method, metrics(n, 0.5))).unwrap()
    };
    let mut entries = vec![
        "not JSON".to_string(),
        r#"{"job":0,"event":{"type":"Done"}}"#.to_string(),
        r#"{"schema":2,"job":0,"event":{"type":"Done"}}"#.to_string(),
        epoch_entry(7, Method::Normal, 1),
        epoch_entry(0, Method::Ayla, 1),
        epoch_entry(0, Method::Normal, 2),
        serde_json::to_string(&Entry::done(1, None)).unwrap(),
    ];
    entries.extend(kept.entries.iter().cloned());
    entries.push(epoch_entry(0, Method::Normal, 3));
    let kept = Kept {
        entries,
        summary: kept.summary,
    };
    let (back, restored) = restored_run(&head_of_run(run_config(2)), &kept, false);
    assert_eq!(
        restored.skipped,
        [
            "A stored epoch is damaged (expected ident at line 1 column 2).",
            "A stored epoch has no format version: this page did not write it.",
            "A stored epoch was written by another version of this page (format 2; this one \
             reads format 1).",
            "A stored epoch names run 7, which a single run does not have.",
            "A stored epoch of Normal is labelled AYLA.",
            "A stored epoch of Normal is numbered 2 where epoch 1 of 2 was due.",
            "AYLA is stored as finished after 0 of 2 epochs.",
            "A stored entry of Normal comes after its run had finished.",
        ]
    );
    // The good entries still tell the whole run.
    assert_eq!(back.history().runs, live.history().runs);
    assert_eq!(restored.update.log, log);
}

#[test]
fn a_finished_run_missing_an_epoch_says_part_could_not_be_read() {
    let (_, _, mut kept) = run(2, 2);
    // Normal's second epoch (the third entry) damaged: Normal cannot be finished.
    kept.entries[2].truncate(40);
    let (back, restored) = restored_run(&head_of_run(run_config(2)), &kept, false);
    assert_eq!(restored.skipped.len(), 2, "{:?}", restored.skipped);
    assert_eq!(
        restored.skipped[1],
        "Normal is stored as finished after 1 of 2 epochs."
    );
    assert_eq!(
        restored.caption,
        "Finished, but part of what was kept could not be read: 2 of 2 epochs are shown. \
         Latest val acc: Normal 0.8100, AYLA 0.8300."
    );
    assert_eq!(back.history().runs[0].metrics.len(), 1);
}

#[test]
fn a_record_of_another_version_or_a_bad_config_is_refused_with_a_sentence() {
    let head = head_of_run(run_config(2));
    let (_, _, kept) = run(2, 2);
    let refused = |head: &str| restore(head, &kept.summary, &[], false).err().unwrap();
    assert_eq!(
        refused(&head.replace("\"schema\":1", "\"schema\":99")),
        "A stored record was written by another version of this page (format 99; this one \
         reads format 1)."
    );
    assert_eq!(
        refused("[1, 2]"),
        "A stored record has no format version: this page did not write it."
    );
    // A config the inputs would refuse is refused here too.
    let bad = refused(&head.replace("\"epochs\":2", "\"epochs\":0"));
    assert!(
        bad.starts_with("A stored record is damaged (Parameters outside their limits: epochs:"),
        "{bad}"
    );
    // So is data without its four sums.
    let short = refused(&head.replace(&DataIdentity::mnist().sha256[3], "abc"));
    assert!(
        short.contains("needs the SHA-256 of its 4 files"),
        "{short}"
    );
    let listed = listing(&head, "{\"schema\":1}", false).err().unwrap();
    assert!(
        listed.starts_with("A stored summary is damaged (missing field"),
        "{listed}"
    );
}

#[test]
fn the_history_lists_parameters_progress_figures_and_state() {
    let (_, _, kept) = run(3, 1);
    let head = head_of_run(run_config(3));
    let line = listing(&head, &kept.summary, false).unwrap();
    assert_eq!(line.kind, "run");
    assert!(line
        .parameters
        .starts_with("MNIST: Seed 7 · N1 0.95 · N2 1 · 3 epochs"));
    assert_eq!(line.progress, "1 of 3 epochs");
    assert_eq!(line.figures, "Latest val acc: Normal 0.8100, AYLA 0.8200.");
    assert_eq!(line.state, "Interrupted");
    assert_eq!(
        listing(&head, &kept.summary, true).unwrap().state,
        "Running"
    );
}

// ---------------------------------------------------------------------------------------
// The data's identity

#[test]
fn mnist_sums_name_the_four_files_in_the_order_start_attaches_them() {
    let files = mnist_files();
    let names: Vec<&str> = files.iter().map(|f| f.name).collect();
    assert_eq!(names, DATA_FILES);
    // And they are the real files' sums (the page verifies every download against them).
    for file in &files {
        let bytes = std::fs::read(common::mnist_dir().join(file.name)).unwrap();
        assert_eq!(hex(&Sha256::digest(&bytes)), file.sha256, "{}", file.name);
    }
}

#[test]
fn a_data_identity_needs_a_name_and_four_sums() {
    let sums = DataIdentity::mnist().sha256;
    assert!(DataIdentity::new("".into(), sums.clone()).is_err());
    assert!(DataIdentity::new("x".into(), sums[..3].to_vec()).is_err());
    let mut upper = sums.clone();
    upper[0] = upper[0].to_uppercase();
    assert!(DataIdentity::new("x".into(), upper).is_err());
    let picked = DataIdentity::new("your files".into(), sums.clone()).unwrap();
    assert_eq!(picked.sha256, sums);
    // Read from a stored record, it is checked the same way.
    let text = serde_json::to_string(&picked).unwrap();
    assert_eq!(serde_json::from_str::<DataIdentity>(&text).unwrap(), picked);
    assert!(serde_json::from_str::<DataIdentity>(&text.replace("your files", "")).is_err());
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[test]
fn a_kept_held_out_run_comes_back_with_its_test_scores() {
    let config = Config {
        epochs: 1,
        validation: Validation::HeldOut,
        ..Config::default()
    };
    let mut live = Comparison::new(config, 60_000);
    let mut kept = Kept::default();
    let mut log = Vec::new();
    kept.take(&live.start());
    for message in [
        epoch(Method::Normal, 1, 0.9),
        epoch(Method::Ayla, 1, 0.91),
        done_with_test(Method::Ayla, 0.9123),
        done_with_test(Method::Normal, 0.9012),
    ] {
        let update = live.receive(message, 3.0);
        log.extend(update.log.iter().cloned());
        kept.take(&update);
    }
    let last = Entry::read(kept.entries.last().unwrap()).unwrap();
    assert!(
        matches!(last.event, Event::Done { test: Some(t) } if t.accuracy == 0.9012),
        "{last:?}"
    );
    let (back, restored) = restored_run(&head_of_run(config), &kept, false);
    assert_eq!(back.history().runs, live.history().runs);
    assert_eq!(back.record().runs[1].test.map(|t| t.accuracy), Some(0.9123));
    assert_eq!(restored.update.log, log);
    assert_eq!(log.len(), 4);
    assert!(log[2].starts_with("AYLA   - Test set, scored once after the last epoch:"));
    assert_eq!(
        restored.caption,
        "Done in 0:03. Final val acc: Normal 0.9000, AYLA 0.9100. Test acc (once at the end): \
         Normal 0.9012, AYLA 0.9123."
    );
}

#[test]
fn an_end_kept_before_test_scores_existed_reads_without_one() {
    let old = format!(r#"{{"schema":{SCHEMA},"job":1,"event":{{"type":"Done"}}}}"#);
    let entry = Entry::read(&old).unwrap();
    assert_eq!(entry.event, Event::Done { test: None });
    // And an end without a score is written as before.
    assert_eq!(serde_json::to_string(&Entry::done(1, None)).unwrap(), old);
}
