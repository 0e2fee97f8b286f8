//! What the page keeps of a sweep between visits (src/session/stored.rs, restore.rs,
//! sweep/replay.rs): its finished runs restored into the table and log, an interrupted or
//! stopped sweep resumed to the same table and CSV as an uninterrupted one, a sweep running
//! in another tab shown but not resumed, entries that do not fit the plan skipped by name.
#![cfg(not(target_arch = "wasm32"))]

#[path = "fixtures/kept.rs"]
mod kept;

use ayla::data_identity::DataIdentity;
use ayla::method::Method;
use ayla::session::{restore, Entry, Head, RestoredSession, SavedState, SweepSession};
use ayla::sweep::Sweep;
use kept::{done, done_with_test, epoch, metrics, Kept};

/// N1 {0.9, 1.1} × N2 {1}, two seeds, two epochs: jobs 0 Normal, 1 (0.9, 1), 2 (1.1, 1),
/// then seed 43's 3, 4, 5.
fn sweep() -> Sweep {
    let pairs = [
        ("n1", "0.9, 1.1"),
        ("n2", "1"),
        ("seeds", "2"),
        ("epochs", "2"),
    ];
    Sweep::parse(|key| pairs.iter().find(|(k, _)| *k == key).map(|(_, v)| *v)).unwrap()
}

/// Job `job`'s two epochs on worker `slot` (its val accuracy depends on the job only, as
/// a deterministic run's would), and its Done unless `interrupted`.
fn run_job(s: &mut SweepSession, kept: &mut Kept, job: usize, slot: usize, interrupted: bool) {
    let method = s.jobs()[job].method;
    kept.take(&s.job_started(job, slot));
    for n in 1..=2 {
        let message = epoch(method, n, 0.7 + job as f32 / 100.0 + n as f32 / 1000.0);
        kept.take(&s.receive(job, slot, message, 1.0));
    }
    if !interrupted {
        kept.take(&s.receive(job, slot, done(method), 1.0));
    }
}

fn head_of_sweep(s: &SweepSession) -> String {
    Head::new(s.plan(), DataIdentity::mnist(), 60_000).to_json()
}

fn restored_sweep(
    head: &str,
    kept: &Kept,
    elsewhere: bool,
) -> (SweepSession, ayla::session::Restored) {
    match restore(head, &kept.summary, &kept.entries, elsewhere).unwrap() {
        (RestoredSession::Sweep(s), restored) => (s, restored),
        (RestoredSession::Run(_), _) => panic!("a sweep's record restored as a run"),
    }
}

#[test]
fn an_interrupted_sweep_comes_back_with_its_finished_runs_and_resumes_to_the_same_table() {
    // The uninterrupted sweep.
    let mut whole = SweepSession::new(sweep(), 60_000, 1);
    let mut unused = Kept::default();
    for job in 0..6 {
        run_job(&mut whole, &mut unused, job, 0, false);
    }
    whole.idle(0, 9.0);

    // The same sweep, its page closed while job 3 trained (jobs 0 to 2 finished).
    let mut first = SweepSession::new(sweep(), 60_000, 2);
    let mut kept = Kept::default();
    kept.take(&first.start());
    for job in 0..3 {
        run_job(&mut first, &mut kept, job, job % 2, false);
    }
    run_job(&mut first, &mut kept, 3, 1, true);
    let head = head_of_sweep(&first);

    let (back, restored) = restored_sweep(&head, &kept, false);
    assert!(restored.skipped.is_empty(), "{:?}", restored.skipped);
    assert!(restored.resumable);
    assert!(restored
        .caption
        .starts_with("Interrupted after 3 of 6 runs: the page was closed or crashed. Best: N1"));
    assert!(restored.caption.ends_with(" Resume runs the 3 left."));
    // The unfinished run is left out, to start again; the log has the finished runs whole.
    let ids: Vec<usize> = back.pending_jobs().iter().map(|j| j.id).collect();
    assert_eq!(ids, [3, 4, 5]);
    assert_eq!(restored.update.log.len(), 6);
    assert!(restored.update.log[0].starts_with("[Normal, seed 42] Normal - Epoch 1:"));
    assert_eq!(
        restored.update.overall.as_ref().unwrap().text,
        "3 of 6 runs done"
    );

    // Resumed on one worker: only the runs left are trained.
    let mut resumed = back.resume(1);
    let mut more = Kept::default();
    let start = resumed.start();
    assert_eq!(
        start.status.as_ref().unwrap().text,
        "Sweep resumed: 3 runs left of 6, of 2 epochs each…"
    );
    more.take(&start);
    for job in ids {
        run_job(&mut resumed, &mut more, job, 0, false);
    }
    let end = resumed.idle(0, 4.0);
    more.take(&end);
    assert!(end.finished);
    assert!(end
        .status
        .unwrap()
        .text
        .starts_with("Sweep resumed and done in 0:04: 6 runs."));
    assert_eq!(more.summary().state, SavedState::Done);
    assert_eq!(resumed.record().to_csv(), whole.record().to_csv());
    assert_eq!(resumed.record().rows(), whole.record().rows());
}

#[test]
fn a_sweep_running_in_another_tab_is_shown_but_not_resumed() {
    let mut s = SweepSession::new(sweep(), 60_000, 1);
    let mut kept = Kept::default();
    kept.take(&s.start());
    run_job(&mut s, &mut kept, 0, 0, false);
    let (_, restored) = restored_sweep(&head_of_sweep(&s), &kept, true);
    assert!(!restored.resumable);
    assert_eq!(
        restored.caption,
        "Running in another tab: 1 of 6 runs so far."
    );
}

#[test]
fn a_stopped_sweep_can_be_resumed_and_a_finished_one_cannot() {
    let mut s = SweepSession::new(sweep(), 60_000, 1);
    let mut kept = Kept::default();
    run_job(&mut s, &mut kept, 0, 0, false);
    run_job(&mut s, &mut kept, 1, 0, false);
    kept.take(&s.stop(2.0));
    let head = head_of_sweep(&s);
    let (_, restored) = restored_sweep(&head, &kept, false);
    assert!(restored.resumable);
    assert!(restored.caption.starts_with("Stopped after 2 of 6 runs."));
    assert!(restored.caption.ends_with("Resume runs the 4 left."));

    // Every run finished (its page closed before it could say so): nothing to resume.
    let mut all = SweepSession::new(sweep(), 60_000, 1);
    let mut kept = Kept::default();
    for job in 0..6 {
        run_job(&mut all, &mut kept, job, 0, false);
    }
    let (back, finished) = restored_sweep(&head, &kept, false);
    assert!(!finished.resumable);
    assert!(back.pending_jobs().is_empty());
    assert!(
        finished.caption.starts_with("Finished: 6 of 6 runs."),
        "{}",
        finished.caption
    );
}

#[test]
fn a_sweep_epoch_that_does_not_fit_its_plan_is_skipped() {
    let s = SweepSession::new(sweep(), 60_000, 1);
    let entry = |job: usize, method: Method, n: usize| {
        serde_json::to_string(&Entry::epoch(job, method, metrics(n, 0.5))).unwrap()
    };
    let kept = Kept {
        entries: vec![
            entry(6, Method::Normal, 1),
            entry(1, Method::Normal, 1),
            entry(1, Method::Ayla, 3),
            serde_json::to_string(&Entry::done(2, None)).unwrap(),
        ],
        summary: serde_json::to_string(&s.stored_summary()).unwrap(),
    };
    let (_, restored) = restored_sweep(&head_of_sweep(&s), &kept, false);
    assert_eq!(
        restored.skipped,
        [
            "A stored epoch names run 7, which this sweep of 6 runs does not have.",
            "A stored epoch of N1 0.9, N2 1, seed 42 is labelled Normal.",
            "A stored epoch of N1 0.9, N2 1, seed 42 is numbered 3 where epoch 1 of 2 was due.",
            "N1 1.1, N2 1, seed 42 is stored as finished after 0 of 2 epochs.",
        ]
    );
}

#[test]
fn a_kept_held_out_sweep_comes_back_with_every_runs_test_score() {
    let pairs = [
        ("n1", "0.9"),
        ("n2", "1"),
        ("epochs", "1"),
        ("validate", "held-out"),
    ];
    let sweep = Sweep::parse(|key| pairs.iter().find(|(k, _)| *k == key).map(|(_, v)| *v)).unwrap();
    let mut live = SweepSession::new(sweep, 60_000, 1);
    let mut kept = Kept::default();
    kept.take(&live.start());
    for job in 0..2 {
        let method = live.jobs()[job].method;
        kept.take(&live.job_started(job, 0));
        kept.take(&live.receive(job, 0, epoch(method, 1, 0.9), 1.0));
        let end = done_with_test(method, [0.8, 0.9][job]);
        kept.take(&live.receive(job, 0, end, 1.0));
    }
    let (back, restored) = restored_sweep(&head_of_sweep(&live), &kept, false);
    assert_eq!(back.record(), live.record());
    let tests: Vec<Option<f32>> = back
        .record()
        .results
        .iter()
        .map(|r| r.test.map(|t| t.accuracy))
        .collect();
    assert_eq!(tests, [Some(0.8), Some(0.9)]);
    assert_eq!(restored.update.log.len(), 4);
    assert!(restored.update.log[3].contains("AYLA   - Test set, scored once"));
    assert_eq!(back.record().to_csv(), live.record().to_csv());
}
