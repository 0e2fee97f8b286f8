//! What the page shows during a single run and a sweep, kept in Rust: the log in the
//! original's order, the status sentences, Stop, errors, the sweep's table order, its
//! grouped log, its chosen setting and its verdict line.
#![cfg(not(target_arch = "wasm32"))]

use ayla::config::{Config, Validation};
use ayla::history::TestScore;
use ayla::method::Method;
use ayla::protocol::FromWorker;
use ayla::session::{Comparison, RowState, StatusState, SweepSession, Update};
use ayla::shape::Hidden;
use ayla::sweep::{relative_cost, Column, Sweep};
use ayla::train::EpochMetrics;

fn metrics(epoch: usize, val_accuracy: f32) -> EpochMetrics {
    EpochMetrics {
        epoch,
        loss: 0.5,
        accuracy: 0.8,
        val_loss: 0.4,
        val_accuracy,
        grad_norm: 1.0,
        seconds: 1.0,
        diverged_at: None,
    }
}

fn epoch(method: Method, epoch: usize, val_accuracy: f32) -> FromWorker {
    FromWorker::epoch(method, metrics(epoch, val_accuracy))
}

fn done(method: Method) -> FromWorker {
    FromWorker::Done { method, test: None }
}

fn comparison(epochs: usize) -> Comparison {
    let config = Config {
        epochs,
        ..Config::default()
    };
    Comparison::new(config, 60_000)
}

/// The first word of each log line: which method's line it is.
fn methods_logged(update: &Update) -> Vec<&str> {
    update
        .log
        .iter()
        .map(|line| line.split_whitespace().next().unwrap())
        .collect()
}

#[test]
fn each_epoch_logs_ayla_then_normal_whichever_worker_finishes_first() {
    let mut c = comparison(2);
    assert!(c.receive(epoch(Method::Normal, 1, 0.9), 1.0).log.is_empty());
    let both = c.receive(epoch(Method::Ayla, 1, 0.91), 1.1);
    assert_eq!(methods_logged(&both), ["AYLA", "Normal"]);
    assert!(both.log[0].starts_with("AYLA   - Epoch 1: Loss=0.5000"));
    // AYLA runs ahead: its epoch 2 waits for Normal's.
    assert!(c.receive(epoch(Method::Ayla, 2, 0.92), 2.0).log.is_empty());
    assert_eq!(
        methods_logged(&c.receive(epoch(Method::Normal, 2, 0.9), 2.1)),
        ["AYLA", "Normal"]
    );
}

#[test]
fn a_method_that_stops_early_does_not_hold_back_the_others_lines() {
    let mut c = comparison(3);
    c.receive(epoch(Method::Normal, 1, 0.9), 1.0);
    let broke = FromWorker::epoch(
        Method::Ayla,
        EpochMetrics {
            diverged_at: Some(4),
            ..metrics(1, f32::NAN)
        },
    );
    assert_eq!(methods_logged(&c.receive(broke, 1.0)), ["AYLA", "Normal"]);
    let ayla_done = c.receive(done(Method::Ayla), 1.0);
    assert_eq!(ayla_done.rows[0].state, RowState::Diverged);
    assert_eq!(ayla_done.rows[0].text, "Diverged in epoch 1 at batch 4");
    assert!(!ayla_done.finished);
    // AYLA will not report epoch 2: Normal's line goes out at once.
    assert_eq!(
        methods_logged(&c.receive(epoch(Method::Normal, 2, 0.9), 2.0)),
        ["Normal"]
    );
    c.receive(epoch(Method::Normal, 3, 0.95), 3.0);
    let over = c.receive(done(Method::Normal), 3.2);
    assert!(over.finished);
    let status = over.status.unwrap();
    assert_eq!(status.state, StatusState::Done);
    assert_eq!(
        status.text,
        "Done in 0:03. Final val acc: Normal 0.9500. AYLA diverged."
    );
}

#[test]
fn a_finished_run_says_how_long_it_took_and_where_both_ended() {
    let mut c = comparison(1);
    c.receive(epoch(Method::Normal, 1, 0.9088), 0.5);
    c.receive(epoch(Method::Ayla, 1, 0.909), 0.6);
    assert!(!c.receive(done(Method::Ayla), 0.7).finished);
    let update = c.receive(done(Method::Normal), 65.0);
    assert_eq!(
        update.status.unwrap().text,
        "Done in 1:05. Final val acc: Normal 0.9088, AYLA 0.9090."
    );
    assert_eq!(update.rows[0].text, "Done: 1 epoch, val acc 0.9088");
    assert_eq!(c.record().runs.len(), 2);
    assert_eq!(c.record().runs[1].metrics[0].val_accuracy, 0.909);
}

#[test]
fn stop_keeps_what_was_measured_and_marks_the_rows_still_running() {
    let mut c = comparison(3);
    c.receive(epoch(Method::Normal, 1, 0.9), 1.0);
    let stopped = c.stop(12.4);
    assert_eq!(stopped.status.as_ref().unwrap().state, StatusState::Stopped);
    let rows: Vec<(usize, RowState)> = stopped.rows.iter().map(|r| (r.row, r.state)).collect();
    assert_eq!(rows, [(0, RowState::Stopped), (1, RowState::Stopped)]);
    assert_eq!(
        methods_logged(&stopped),
        ["Normal"],
        "the line that was waiting"
    );
    assert!(stopped.finished);
    assert_eq!(c.epochs_measured(), 1);
    // Nothing after Stop changes the page.
    assert_eq!(
        c.receive(epoch(Method::Ayla, 1, 0.9), 13.0),
        Update::default()
    );
}

#[test]
fn a_workers_error_ends_the_run_with_its_sentence() {
    let mut c = comparison(2);
    let error = FromWorker::Error {
        method: Some(Method::Ayla),
        message: "The image file is empty.".into(),
    };
    let update = c.receive(error, 0.1);
    assert!(update.finished);
    let status = update.status.unwrap();
    assert_eq!(
        (status.state, status.text.as_str()),
        (StatusState::Error, "AYLA: The image file is empty.")
    );
}

#[test]
fn series_toggles_name_real_series() {
    let mut c = comparison(2);
    c.set_visible("AYLA val_loss", false).unwrap();
    assert_eq!(c.history().hidden, ["AYLA val_loss"]);
    c.set_visible("AYLA val_loss", true).unwrap();
    assert!(c.history().hidden.is_empty());
    assert!(c.set_visible("AYLA val-loss", false).is_err());
}

// ---------------------------------------------------------------------------------------
// Held-out validation: the test score at the end

fn held_out_comparison(epochs: usize) -> Comparison {
    let config = Config {
        epochs,
        validation: Validation::HeldOut,
        holdout: 1_000,
        train_size: 3_000,
        ..Config::default()
    };
    Comparison::new(config, 3_000)
}

fn done_with_test(method: Method, accuracy: f32) -> FromWorker {
    FromWorker::Done {
        method,
        test: Some(TestScore {
            loss: 0.25,
            accuracy,
        }),
    }
}

#[test]
fn a_held_out_run_logs_each_test_score_after_the_last_epoch_lines() {
    let mut c = held_out_comparison(2);
    assert!(c.describe(60_000).ends_with(
        "3,000 of 60,000 training images · val = last 1,000 training images (held out, not \
         trained on); test scored once at the end"
    ));
    for e in 1..=2 {
        c.receive(epoch(Method::Ayla, e, 0.9), 1.0);
    }
    // AYLA is done before Normal finished epoch 2: its test line waits behind both epoch 2
    // lines.
    let ayla_done = c.receive(done_with_test(Method::Ayla, 0.9195), 2.0);
    assert_eq!(
        ayla_done.rows[0].text,
        "Done: 2 epochs, val acc 0.9000, test acc 0.9195"
    );
    let mut log = Vec::new();
    log.extend(c.receive(epoch(Method::Normal, 1, 0.8), 2.0).log);
    log.extend(c.receive(epoch(Method::Normal, 2, 0.85), 3.0).log);
    let over = c.receive(done_with_test(Method::Normal, 0.8842), 4.0);
    log.extend(over.log);
    let heads: Vec<&str> = log.iter().map(|l| &l[..16]).collect();
    assert_eq!(
        heads,
        [
            "AYLA   - Epoch 1",
            "Normal - Epoch 1",
            "AYLA   - Epoch 2",
            "Normal - Epoch 2",
            "AYLA   - Test se",
            "Normal - Test se"
        ]
    );
    assert_eq!(
        log[4],
        "AYLA   - Test set, scored once after the last epoch: Test Loss=0.2500, Test Acc=0.9195"
    );
    assert_eq!(
        over.status.unwrap().text,
        "Done in 0:04. Final val acc: Normal 0.8500, AYLA 0.9000. Test acc (once at the end): \
         Normal 0.8842, AYLA 0.9195."
    );
    let record = c.record();
    assert_eq!(record.runs[0].test.map(|t| t.accuracy), Some(0.8842));
    assert_eq!(record.runs[1].test.map(|t| t.accuracy), Some(0.9195));
}

#[test]
fn a_run_validated_on_the_test_set_says_so() {
    let c = comparison(1);
    assert!(c
        .describe(60_000)
        .ends_with("60,000 of 60,000 training images · val = test set"));
}

// ---------------------------------------------------------------------------------------
// Sweeps

/// N1 {0.9, 1.1} × N2 {1}, two seeds: jobs 0 Normal, 1 (0.9, 1), 2 (1.1, 1), then 3, 4, 5.
fn sweep_session() -> SweepSession {
    let pairs = [
        ("n1", "0.9, 1.1"),
        ("n2", "1"),
        ("seeds", "2"),
        ("epochs", "1"),
    ];
    let sweep = Sweep::parse(|key| pairs.iter().find(|(k, _)| *k == key).map(|(_, v)| *v)).unwrap();
    SweepSession::new(sweep, 60_000, 2)
}

/// Runs job `job` on worker `slot` through one epoch with this val accuracy.
fn run_job(s: &mut SweepSession, job: usize, slot: usize, val_accuracy: f32) -> Vec<Update> {
    let method = s.jobs()[job].method;
    vec![
        s.job_started(job, slot),
        s.receive(job, slot, epoch(method, 1, val_accuracy), 1.0),
        s.receive(job, slot, done(method), 1.0),
    ]
}

#[test]
fn a_sweeps_log_lists_each_run_whole_in_plan_order() {
    let mut s = sweep_session();
    // Job 1 ends before job 0 (its Normal): its lines wait.
    let early = run_job(&mut s, 1, 1, 0.91);
    assert!(early.iter().all(|u| u.log.is_empty()));
    let normal = run_job(&mut s, 0, 0, 0.90);
    let log = &normal.last().unwrap().log;
    assert_eq!(log.len(), 2);
    assert!(
        log[0].starts_with("[Normal, seed 42] Normal - Epoch 1:"),
        "{}",
        log[0]
    );
    assert!(
        log[1].starts_with("[N1 0.9, N2 1, seed 42] AYLA   - Epoch 1:"),
        "{}",
        log[1]
    );
}

#[test]
fn when_no_setting_beats_normal_the_summary_says_so() {
    let mut s = sweep_session();
    for (job, acc) in [
        (0, 0.90),
        (1, 0.89),
        (2, 0.85),
        (3, 0.91),
        (4, 0.90),
        (5, 0.86),
    ] {
        run_job(&mut s, job, job % 2, acc);
    }
    s.idle(0, 62.0);
    let over = s.idle(1, 62.0);
    assert!(over.finished);
    assert_eq!(
        over.status.unwrap().text,
        "Sweep done in 1:02: 6 runs. No setting beat Normal; the closest: N1 0.9, N2 1 \
         (−1.00 ± 0.00 points of val acc against Normal)."
    );
}

#[test]
fn the_best_setting_is_named_when_one_beats_normal() {
    let mut s = sweep_session();
    for (job, acc) in [
        (0, 0.90),
        (1, 0.92),
        (2, 0.85),
        (3, 0.90),
        (4, 0.94),
        (5, 0.86),
    ] {
        run_job(&mut s, job, job % 2, acc);
    }
    assert_eq!(
        s.summary(5.0),
        "Sweep done in 0:05: 6 runs. Best: N1 0.9, N2 1 (+3.00 ± 1.41 points of val acc \
         against Normal)."
    );
}

#[test]
fn the_table_keeps_normal_first_and_sorts_the_settings() {
    let mut s = sweep_session();
    for (job, acc) in [(0, 0.90), (1, 0.85), (2, 0.95)] {
        run_job(&mut s, job, 0, acc);
    }
    let first_column = |s: &SweepSession| -> Vec<String> {
        s.table().iter().map(|r| r.cells[0].clone()).collect()
    };
    // Gain, best first, by default.
    assert_eq!(first_column(&s), ["Normal", "1.1", "0.9"]);
    s.sort_by(Column::Gain);
    assert_eq!(first_column(&s), ["Normal", "0.9", "1.1"]);
    s.sort_by(Column::N1);
    assert_eq!(
        first_column(&s),
        ["Normal", "0.9", "1.1"],
        "exponents ascend first"
    );
    let gain = Column::ALL.iter().position(|&c| c == Column::Gain).unwrap();
    assert_eq!(s.table()[2].cells[gain], "+5.00");
    assert_eq!(s.table()[0].cells[gain], "–");
}

#[test]
fn the_first_finished_setting_is_shown_against_its_normal() {
    let mut s = sweep_session();
    assert!(s.selection().0.is_none());
    run_job(&mut s, 0, 0, 0.90);
    run_job(&mut s, 2, 1, 0.93);
    let (comparison, caption) = s.selection();
    assert_eq!(
        caption,
        "Comparison figure below: N1 1.1, N2 1 against Normal, seed 42 (of 2 seeds; the table has all)."
    );
    let history = comparison.unwrap().history().clone();
    assert_eq!((history.n1 as f32, history.runs.len()), (1.1, 2));
    assert_eq!(history.runs[1].metrics[0].val_accuracy, 0.93);
    // The arrow keys stay inside the grid.
    s.move_selection(-5, 3);
    assert_eq!(s.selection().1, "N1 0.9, N2 1: no epoch finished yet.");
}

#[test]
fn stopping_a_sweep_keeps_finished_runs_and_marks_the_busy_workers() {
    let mut s = sweep_session();
    run_job(&mut s, 0, 0, 0.90);
    s.job_started(1, 1);
    s.job_started(2, 0);
    let stopped = s.stop(3.0);
    let rows: Vec<(usize, RowState)> = stopped.rows.iter().map(|r| (r.row, r.state)).collect();
    assert_eq!(rows, [(0, RowState::Stopped), (1, RowState::Stopped)]);
    assert_eq!(s.record().results.len(), 1, "only the finished run stays");
    assert!(s.has_results());
}

#[test]
fn an_opened_sweep_shows_its_first_finished_setting_and_trains_nothing() {
    let mut s = sweep_session();
    for (job, acc) in [(0, 0.90), (2, 0.93)] {
        run_job(&mut s, job, 0, acc);
    }
    let opened = SweepSession::opened(s.record().clone());
    let status = opened.opened_status("mnist_sweep.json");
    assert_eq!(
        status.text,
        "Opened mnist_sweep.json: 2 runs of 6 finished. The inputs hold its parameters: Run \
         sweep would train it again here."
    );
    assert!(opened
        .selection()
        .1
        .starts_with("Comparison figure below: N1 1.1, N2 1 against Normal"));
    let mut opened = opened;
    assert_eq!(
        opened.receive(1, 0, epoch(Method::Ayla, 1, 0.5), 1.0),
        Update::default()
    );
}

#[test]
fn a_held_out_sweep_logs_and_keeps_each_runs_test_score() {
    let pairs = [
        ("n1", "0.9"),
        ("n2", "1"),
        ("epochs", "1"),
        ("validate", "held-out"),
        ("holdout", "1000"),
        ("train", "3000"),
    ];
    let sweep = Sweep::parse(|key| pairs.iter().find(|(k, _)| *k == key).map(|(_, v)| *v)).unwrap();
    let mut s = SweepSession::new(sweep, 60_000, 1);
    assert!(s.describe().ends_with(
        "3,000 training images · val = last 1,000 training images (held out, not trained on); \
         test scored once at the end"
    ));
    let mut log = Vec::new();
    for (job, accuracy) in [(0, 0.88), (1, 0.9)] {
        let method = s.jobs()[job].method;
        s.job_started(job, 0);
        log.extend(s.receive(job, 0, epoch(method, 1, 0.8), 1.0).log);
        log.extend(s.receive(job, 0, done_with_test(method, accuracy), 1.0).log);
    }
    assert_eq!(log.len(), 4);
    assert_eq!(
        log[1],
        "[Normal, seed 42] Normal - Test set, scored once after the last epoch: \
         Test Loss=0.2500, Test Acc=0.8800"
    );
    assert!(log[3].starts_with("[N1 0.9, N2 1, seed 42] AYLA   - Test set"));
    let tests: Vec<Option<f32>> = s
        .record()
        .results
        .iter()
        .map(|r| r.test.map(|t| t.accuracy))
        .collect();
    assert_eq!(tests, [Some(0.88), Some(0.9)]);
    let rows = s.record().rows();
    assert_eq!(
        rows[1].test_accuracy.map(|t| t.mean),
        Some(f64::from(0.9f32))
    );
    // The setting's figure against its Normal has both test scores for its readout.
    let (figure, _) = s.selection();
    let tests: Vec<Option<f32>> = figure
        .unwrap()
        .history()
        .runs
        .iter()
        .map(|r| r.test.map(|t| t.accuracy))
        .collect();
    assert_eq!(tests, [Some(0.88), Some(0.9)]);
}

#[test]
fn the_parameters_line_lists_every_hidden_layer() {
    let one = Comparison::new(Config::default(), 60_000).describe(60_000);
    assert!(one.contains(" · 128 hidden units · "), "{one}");
    let config = Config::parse(|k| (k == "hidden").then_some("256,128")).unwrap();
    let two = Comparison::new(config, 60_000).describe(60_000);
    assert!(two.contains(" · 256, 128 hidden units · "), "{two}");
}

#[test]
fn an_epochs_speed_is_kept_in_images_of_the_original_network() {
    let end_of_epoch = FromWorker::Progress {
        method: Method::Normal,
        epoch: 1,
        batch: 469,
        batches: 469,
        samples_per_sec: 10_000.0,
        loss: Some(0.5),
    };
    let rate = |hidden: &str| {
        let config = Config::parse(|k| (k == "hidden").then_some(hidden)).unwrap();
        let mut c = Comparison::new(config, 60_000);
        c.receive(end_of_epoch.clone(), 5.0)
            .epoch_rate
            .unwrap()
            .samples_per_sec
    };
    assert_eq!(rate("128"), 10_000.0);
    // A deeper network's images cost more: each counts as that many of the original's.
    let deeper = rate("256,128");
    assert_eq!(
        deeper,
        10_000.0 * relative_cost(Hidden::new(&[256, 128]).unwrap())
    );
    assert!(deeper > 30_000.0, "{deeper}");
}
