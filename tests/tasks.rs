//! A sweep as tasks (`ayla::tasks`): the plan file and its hash, one result file per task
//! written atomically, and merging the results, with the missing tasks named and results
//! of another plan refused.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use std::path::Path;
use std::sync::Arc;

use ayla::method::Method;
use ayla::sweep::{JobResult, SweepRecord};
use ayla::tasks::{
    array_spec, describe, merge, query_pairs, read_result, result_path, run_job, sweep_from_query,
    write_atomically, write_result, Plan, TaskData, TaskError,
};
use ayla::train::{EpochMetrics, Trainer};

/// A 2 × 2 grid × 2 seeds, 3 epochs: 10 tasks.
const QUERY: &str = "mode=sweep&epochs=3&n1=0.8,0.9&n2=0.9,1&seeds=2&train=500";

fn plan(query: &str) -> Plan {
    Plan::new(sweep_from_query(query).expect("a valid sweep"))
}

fn metrics(epoch: usize, val_accuracy: f32) -> EpochMetrics {
    EpochMetrics {
        epoch,
        loss: 1.0 / epoch as f32,
        accuracy: val_accuracy - 0.01,
        val_loss: 0.9 / epoch as f32,
        val_accuracy,
        grad_norm: 0.5,
        seconds: 0.25,
        diverged_at: None,
    }
}

/// A finished run of `epochs` epochs whose val accuracy ends at `last`.
fn finished(job: usize, epochs: usize, last: f32) -> JobResult {
    JobResult {
        job,
        metrics: (1..=epochs)
            .map(|e| metrics(e, last - 0.01 * (epochs - e) as f32))
            .collect(),
        done: true,
        test: None,
    }
}

fn write_all(plan: &Plan, runs: &Path, tasks: &[usize]) {
    for &task in tasks {
        write_result(plan, runs, &finished(task, 3, 0.8 + task as f32 / 100.0)).unwrap();
    }
}

fn names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn a_plan_is_named_by_the_hash_of_its_page_query() {
    let a = plan(QUERY);
    assert_eq!(a.hash.len(), 64);
    assert!(a.hash.bytes().all(|b| b.is_ascii_hexdigit()));
    // The same sweep written differently is the same plan; any other parameter is not.
    let same = plan("n2=1,0.9,0.9&n1=0.8:0.9:0.1&seeds=2&epochs=3&train=500&mode=sweep");
    assert_eq!(same.hash, a.hash);
    for other in [
        "mode=sweep&epochs=2&n1=0.8,0.9&n2=0.9,1&seeds=2&train=500",
        "mode=sweep&epochs=3&n1=0.8,0.9&n2=0.9,1&seeds=3&train=500",
        "mode=sweep&epochs=3&n1=0.8,0.9&n2=0.9,1&seeds=2&train=501",
        "mode=sweep&epochs=3&n1=0.8,0.9&n2=0.9,1&seeds=2&train=500&seed=7",
    ] {
        assert_ne!(plan(other).hash, a.hash, "{other}");
    }
}

#[test]
fn a_plan_file_reads_back_as_the_same_plan() {
    let a = plan(QUERY);
    assert_eq!(a.tasks(), 10);
    let read = Plan::parse(Path::new("plan.json"), &a.to_json()).unwrap();
    assert_eq!(read, a);
}

#[test]
fn an_edited_plan_is_refused() {
    let a = plan(QUERY);
    let edited = a.to_json().replace("epochs=3", "epochs=4");
    let error = Plan::parse(Path::new("plan.json"), &edited).unwrap_err();
    assert_eq!(
        error.to_string(),
        "plan.json: the plan was edited (its hash or task count no longer matches its \
         query); make a new one with `ayla sweep plan`."
    );
}

#[test]
fn a_plan_outside_the_page_limits_gets_the_page_sentence() {
    let json = plan(QUERY).to_json().replace("epochs=3", "epochs=0");
    let error = Plan::parse(Path::new("p.json"), &json).unwrap_err();
    assert_eq!(
        error.to_string(),
        "p.json: the plan's parameters are refused:\nepochs: Epochs must be at least 1 and at \
         most 1000."
    );
}

#[test]
fn a_file_that_is_not_a_plan_is_named() {
    for json in ["", "[1, 2]", "{\"format\": \"x\"}"] {
        let error = Plan::parse(Path::new("f.json"), json).unwrap_err();
        assert!(
            error
                .to_string()
                .starts_with("f.json: this is not a sweep plan ("),
            "{error}"
        );
    }
    let other_format = plan(QUERY)
        .to_json()
        .replace("ayla sweep plan", "something else");
    let error = Plan::parse(Path::new("f.json"), &other_format).unwrap_err();
    assert_eq!(
        error.to_string(),
        "f.json: this is not a sweep plan (its format is “something else”)."
    );
}

#[test]
fn page_links_are_read_with_their_percent_encoding() {
    let link = "http://127.0.0.1:8080/?mode=sweep&epochs=3&n1=0.8%2C0.9&n2=0.9,1&seeds=2\
                &train=500#results";
    assert_eq!(plan(link), plan(QUERY));
    assert_eq!(
        query_pairs("?a=1&b=x%20y+z"),
        vec![
            ("a".to_string(), "1".to_string()),
            ("b".to_string(), "x y z".to_string())
        ]
    );
    // Unknown keys are ignored, as the page does; the last of a repeated key wins.
    assert_eq!(
        plan(&format!("{QUERY}&view=table&epochs=9&epochs=3")),
        plan(QUERY)
    );
}

#[test]
fn a_result_is_written_whole_with_no_temporary_file_left() {
    let dir = tempfile::tempdir().unwrap();
    let runs = dir.path().join("runs");
    let a = plan(QUERY);
    let result = finished(4, 3, 0.9);
    let path = write_result(&a, &runs, &result).unwrap();
    assert_eq!(path, result_path(&runs, 4));
    assert_eq!(names(&runs), ["4.json"]);
    assert_eq!(read_result(&a, &runs, 4).unwrap(), Some(result));
    assert_eq!(read_result(&a, &runs, 5).unwrap(), None);
}

#[test]
fn an_atomic_write_replaces_a_file_whole() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("out.csv");
    write_atomically(&path, b"first version, longer than the second\n").unwrap();
    write_atomically(&path, b"second\n").unwrap();
    assert_eq!(std::fs::read(&path).unwrap(), b"second\n");
    assert_eq!(names(dir.path()), ["out.csv"]);
}

#[test]
fn a_reader_never_sees_a_file_half_written() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("big.json");
    // Two versions big enough that writing one takes many of the reader's polls.
    let versions: [Vec<u8>; 2] = [vec![b'a'; 8 << 20], vec![b'b'; 8 << 20]];
    let done = std::sync::atomic::AtomicBool::new(false);
    std::thread::scope(|s| {
        let reader = s.spawn(|| {
            let mut reads = 0;
            while !done.load(std::sync::atomic::Ordering::Relaxed) {
                if let Ok(bytes) = std::fs::read(&path) {
                    assert!(versions.contains(&bytes), "read {} bytes", bytes.len());
                    reads += 1;
                }
            }
            reads
        });
        for k in 0..6 {
            write_atomically(&path, &versions[k % 2]).unwrap();
        }
        done.store(true, std::sync::atomic::Ordering::Relaxed);
        assert!(reader.join().unwrap() > 0);
    });
    assert_eq!(names(dir.path()), ["big.json"]);
}

#[test]
fn the_result_file_says_which_plan_and_run_it_holds() {
    let dir = tempfile::tempdir().unwrap();
    let a = plan(QUERY);
    let path = write_result(&a, dir.path(), &finished(2, 3, 0.9)).unwrap();
    let file: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    assert_eq!(file["plan"], a.hash.as_str());
    assert_eq!(file["task"], 2);
    // Task 2 is seed 42's second AYLA setting: N1 = 0.8, N2 = 1.
    assert_eq!(file["run"], "AYLA N1=0.8 N2=1, lr 0.01, seed 42");
    assert_eq!(
        describe(&a.job(2).unwrap()),
        "AYLA N1=0.8 N2=1, lr 0.01, seed 42"
    );
    assert_eq!(describe(&a.job(5).unwrap()), "Normal, lr 0.01, seed 43");
}

#[test]
fn a_result_of_another_plan_is_refused_not_mixed() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (plan(QUERY), plan(&QUERY.replace("epochs=3", "epochs=2")));
    write_result(&b, dir.path(), &finished(1, 2, 0.9)).unwrap();
    let error = read_result(&a, dir.path(), 1).unwrap_err();
    assert_eq!(
        error,
        TaskError::OtherPlan {
            path: result_path(dir.path(), 1),
            found: b.hash.clone(),
            expected: a.hash.clone(),
        }
    );
    assert!(error.to_string().ends_with(&format!(
        "1.json is a result of another plan ({}, not {}): give each plan its own runs \
         folder, or delete the old results.",
        &b.hash[..12],
        &a.hash[..12]
    )));
}

#[test]
fn a_result_under_another_task_number_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let a = plan(QUERY);
    write_result(&a, dir.path(), &finished(3, 3, 0.9)).unwrap();
    std::fs::rename(result_path(dir.path(), 3), result_path(dir.path(), 6)).unwrap();
    let error = read_result(&a, dir.path(), 6).unwrap_err();
    assert!(
        error
            .to_string()
            .ends_with("6.json: it holds task 3, not task 6."),
        "{error}"
    );
}

#[test]
fn an_unfinished_or_broken_result_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let a = plan(QUERY);
    // Two epochs of three, not diverged.
    let path = write_result(&a, dir.path(), &finished(1, 2, 0.9)).unwrap();
    let error = read_result(&a, dir.path(), 1).unwrap_err();
    assert!(
        error
            .to_string()
            .ends_with("its run is unfinished (2 of 3 epochs)."),
        "{error}"
    );
    // A run that diverged in its second epoch is finished.
    let mut diverged = finished(1, 2, 0.9);
    diverged.metrics[1].diverged_at = Some(7);
    diverged.metrics[1].val_loss = f32::NAN; // written as null
    write_result(&a, dir.path(), &diverged).unwrap();
    let read = read_result(&a, dir.path(), 1).unwrap().unwrap();
    assert!(read.diverged() && read.metrics[1].val_loss.is_nan());
    // A cut file.
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, &text[..text.len() / 2]).unwrap();
    let error = read_result(&a, dir.path(), 1).unwrap_err();
    assert!(matches!(error, TaskError::Malformed { .. }), "{error:?}");
    assert!(
        error.to_string().contains("this is not a task's result ("),
        "{error}"
    );
}

#[test]
fn a_task_the_plan_lacks_is_named() {
    let a = plan(QUERY);
    let error = a.job(10).unwrap_err();
    assert_eq!(
        error.to_string(),
        "There is no task 10: the plan has 10 tasks, numbered 0 to 9."
    );
    let dir = tempfile::tempdir().unwrap();
    assert_eq!(
        write_result(&a, dir.path(), &finished(10, 3, 0.9)).unwrap_err(),
        error
    );
}

#[test]
fn merge_gathers_the_results_in_task_order_and_names_the_missing() {
    let dir = tempfile::tempdir().unwrap();
    let a = plan(QUERY);
    write_all(&a, dir.path(), &[7, 0, 1, 2, 4, 5, 9]);
    let merged = merge(&a, dir.path()).unwrap();
    assert_eq!(merged.missing, [3, 6, 8]);
    let jobs: Vec<usize> = merged.record.results.iter().map(|r| r.job).collect();
    assert_eq!(jobs, [0, 1, 2, 4, 5, 7, 9]);
    assert_eq!(merged.record.sweep, a.sweep);
    assert_eq!(merged.record.results[5], finished(7, 3, 0.87));
    assert_eq!(array_spec(&merged.missing), "3,6,8");
}

#[test]
fn merge_of_a_complete_sweep_is_the_record_the_page_keeps() {
    let dir = tempfile::tempdir().unwrap();
    let a = plan(QUERY);
    write_all(&a, dir.path(), &(0..10).collect::<Vec<_>>());
    let merged = merge(&a, dir.path()).unwrap();
    assert!(merged.missing.is_empty());
    let page = SweepRecord {
        sweep: a.sweep.clone(),
        results: (0..10)
            .map(|t| finished(t, 3, 0.8 + t as f32 / 100.0))
            .collect(),
    };
    assert_eq!(merged.record, page);
    assert_eq!(merged.record.to_csv(), page.to_csv());
    assert_eq!(merged.record.to_json(), page.to_json());
}

#[test]
fn merge_refuses_to_mix_plans_and_names_every_foreign_file() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (plan(QUERY), plan(&QUERY.replace("seeds=2", "seeds=3")));
    write_all(&a, dir.path(), &[0, 1, 2]);
    write_all(&b, dir.path(), &[3, 12]);
    let errors = merge(&a, dir.path()).unwrap_err();
    let mut paths: Vec<String> = errors
        .iter()
        .map(|e| match e {
            TaskError::OtherPlan { path, found, .. } => {
                assert_eq!(found, &b.hash);
                path.file_name().unwrap().to_string_lossy().into_owned()
            }
            other => panic!("{other:?}"),
        })
        .collect();
    paths.sort();
    assert_eq!(paths, ["12.json", "3.json"]);
}

#[test]
fn merge_names_a_result_numbered_past_the_plan() {
    let dir = tempfile::tempdir().unwrap();
    let a = plan(QUERY);
    write_all(&a, dir.path(), &[0]);
    std::fs::copy(result_path(dir.path(), 0), result_path(dir.path(), 10)).unwrap();
    let errors = merge(&a, dir.path()).unwrap_err();
    assert_eq!(errors.len(), 1);
    assert!(
        errors[0]
            .to_string()
            .ends_with("10.json: the plan has no task 10 (it has 10)."),
        "{}",
        errors[0]
    );
}

#[test]
fn merge_of_a_folder_not_made_yet_finds_every_task_missing() {
    let a = plan(QUERY);
    let merged = merge(&a, Path::new("/nonexistent/runs")).unwrap();
    assert_eq!(merged.missing, (0..10).collect::<Vec<_>>());
    assert!(merged.record.results.is_empty());
}

#[test]
fn slurm_array_specs_join_consecutive_tasks() {
    assert_eq!(array_spec(&[]), "");
    assert_eq!(array_spec(&[4]), "4");
    assert_eq!(array_spec(&[0, 1, 2, 5, 7, 8]), "0-2,5,7-8");
    assert_eq!(array_spec(&[3, 4]), "3-4");
}

#[test]
fn a_task_trains_its_run_as_a_page_worker_does() {
    let data = TaskData {
        train: common::mnist_train(),
        test: common::mnist_test(),
    };
    let a = plan("mode=sweep&epochs=2&n1=0.9&n2=0.95&seeds=2&train=300");
    let job = a.job(3).unwrap();
    assert_eq!(job.method, Method::Ayla);
    assert_eq!(job.config.seed, 43);
    let mut steps = 0;
    let mut epochs = Vec::new();
    let result = run_job(&job, &data, || 0.0, |_| steps += 1, |m| epochs.push(*m));
    // What the page's worker does with the same Start message.
    let mut trainer = Trainer::new(
        job.config,
        job.method,
        Arc::new(data.train.first(300)),
        Arc::clone(&data.test),
        || 0.0,
    );
    let expected: Vec<EpochMetrics> = (0..2)
        .map(|_| {
            trainer
                .run_epoch(|_| std::ops::ControlFlow::Continue(()))
                .unwrap()
        })
        .collect();
    assert_eq!(result.job, 3);
    assert!(result.done);
    assert_eq!(result.metrics, expected);
    assert_eq!(epochs, expected);
    assert_eq!(steps, 2 * 3); // 300 images in batches of 128
}
