//! The `ayla` command line as a user runs it: help, the page's parameters and sentences,
//! train's console lines, and a sweep planned, run task by task (as Slurm array elements
//! would) or locally, killed, resumed and merged into the page's exports.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use std::ops::ControlFlow;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::sync::Arc;

use ayla::bitmap::heatmap_png;
use ayla::chart::HeatMap;
use ayla::config::{parse_field, Config, FIELDS};
use ayla::method::Method;
use ayla::sweep::verdict::TEST_SET_NOTE;
use ayla::sweep::{JobResult, SweepRecord, AXES};
use ayla::tasks::{sweep_from_query, Plan};
use ayla::train::{test_log_line, Trainer};

/// 2 × 1 settings × 2 seeds, 1 epoch on 300 images: 6 short tasks.
const SWEEP: [&str; 10] = [
    "--epochs", "1", "--n1", "0.9,1", "--n2", "0.95", "--seeds", "2", "--train", "300",
];

fn ayla(dir: &Path, args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_ayla"));
    command
        .args(args)
        .current_dir(dir)
        .env("MNIST_DIR", common::mnist_dir())
        .env_remove("SLURM_ARRAY_TASK_ID");
    command
}

fn run(dir: &Path, args: &[&str]) -> Output {
    ayla(dir, args).output().expect("the ayla binary runs")
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Runs and expects success; returns stdout.
fn ok(dir: &Path, args: &[&str]) -> String {
    let output = run(dir, args);
    assert!(
        output.status.success(),
        "ayla {args:?} failed: {}",
        stderr(&output)
    );
    stdout(&output)
}

fn plan_in(dir: &Path) -> Plan {
    let mut args = vec!["sweep", "plan"];
    args.extend(SWEEP);
    ok(dir, &args);
    Plan::read(&dir.join("plan.json")).unwrap()
}

#[test]
fn every_command_answers_help() {
    let dir = tempfile::tempdir().unwrap();
    for command in [
        &[][..],
        &["train"],
        &["sweep"],
        &["sweep", "plan"],
        &["sweep", "run"],
        &["sweep", "status"],
        &["sweep", "merge"],
    ] {
        let mut args = command.to_vec();
        args.push("--help");
        let out = ok(dir.path(), &args);
        let usage = format!(
            "Usage: {}",
            ["ayla"]
                .iter()
                .chain(command)
                .copied()
                .collect::<Vec<_>>()
                .join(" ")
        );
        assert!(out.contains(&usage), "{args:?}: {out}");
    }
}

#[test]
fn options_are_the_page_fields_with_their_help_and_limits() {
    let dir = tempfile::tempdir().unwrap();
    let help = ok(dir.path(), &["train", "--help"]);
    for spec in FIELDS {
        let line = help
            .lines()
            .find(|l| l.trim_start().starts_with(&format!("--{} ", spec.key)))
            .unwrap_or_else(|| panic!("no --{} in {help}", spec.key));
        assert!(line.contains(spec.help), "{line}");
    }
    let epochs = help.lines().find(|l| l.contains("--epochs <N>")).unwrap();
    assert!(
        epochs.ends_with("Passes over the training set. [1 to 1,000; default: 5]"),
        "{epochs}"
    );
    let help = ok(dir.path(), &["sweep", "plan", "--help"]);
    assert!(help.contains("--seeds <N>"), "{help}");
    assert!(help.contains("--n1 <LIST>"), "{help}");
    // The learning rate is an axis too, with its log-spaced syntax explained.
    assert!(help.contains("--lr <LIST>"), "{help}");
    let lr = AXES.iter().find(|a| a.key == "lr").unwrap();
    assert!(lr.help.contains("start:stop:×factor"));
    let flat: String = help.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(flat.contains(lr.help), "{help}");
}

#[test]
fn a_tuned_sweep_plans_a_normal_per_rate_and_seed_and_merge_prints_its_verdict() {
    let dir = tempfile::tempdir().unwrap();
    let args = [
        "sweep",
        "plan",
        "--epochs",
        "1",
        "--n1",
        "1.2",
        "--n2",
        "0.8",
        "--lr",
        "0.05:0.5:×10",
        "--seeds",
        "2",
        "--train",
        "400",
        "--validate",
        "held-out",
        "--holdout",
        "100",
    ];
    let out = ok(dir.path(), &args);
    assert!(
        out.starts_with(
            "1 × 1 setting × 2 learning rates × 2 seeds, plus Normal at each rate: 8 tasks \
             (numbered 0 to 7), 1 epoch on 300 images each; val = last 100 training images \
             (held out, not trained on); test scored once at the end.\n"
        ),
        "{out}"
    );
    let plan = Plan::read(&dir.path().join("plan.json")).unwrap();
    assert_eq!(plan.sweep.lr, [0.05, 0.5]);
    assert!(plan.sweep.query().contains("&lr=0.05,0.5&"));
    ok(
        dir.path(),
        &["sweep", "run", "plan.json", "--local", "-j", "2"],
    );
    let out = ok(
        dir.path(),
        &["sweep", "merge", "plan.json", "runs", "-o", "out"],
    );
    let record = page_record(&plan, &dir.path().join("runs"), &(0..8).collect::<Vec<_>>());
    let lines: Vec<String> = record
        .verdict()
        .lines()
        .iter()
        .map(|l| format!("- {l}"))
        .collect();
    assert!(
        out.ends_with(&format!("\nVerdict:\n{}\n", lines.join("\n"))),
        "{out}"
    );
    assert!(out.contains("\n- Normal: best lr "), "{out}");
    // Held out: every run was scored on the test set once, and the verdict reports it.
    assert!(out.contains("test acc 0."), "{out}");
    assert!(record.results.iter().all(|r| r.test.is_some()));
    assert!(out.contains("\n- AYLA (1.2, 0.8) at lr "), "{out}");
    let json = std::fs::read_to_string(dir.path().join("out/mnist_sweep.json")).unwrap();
    let json: serde_json::Value = serde_json::from_str(&json).unwrap();
    let chosen = json["verdict"]["normal"]["learning_rate"].as_f64().unwrap();
    assert!(chosen == 0.05 || chosen == 0.5, "{chosen}");
}

#[test]
fn refused_values_get_the_page_sentences_and_exit_code_2() {
    let dir = tempfile::tempdir().unwrap();
    let output = run(
        dir.path(),
        &["train", "--epochs", "0", "--lr", "abc", "--seed", "-1"],
    );
    assert_eq!(output.status.code(), Some(2));
    let field = |key: &str| FIELDS.iter().find(|f| f.key == key).unwrap();
    let expected = [("epochs", "0"), ("lr", "abc"), ("seed", "-1")]
        .map(|(key, text)| format!("--{key}: {}", parse_field(field(key), text).unwrap_err()));
    assert_eq!(stderr(&output), format!("error: {}\n", expected.join("\n")));
}

#[test]
fn a_grid_over_the_run_limit_is_refused_with_its_run_count() {
    let dir = tempfile::tempdir().unwrap();
    let output = run(
        dir.path(),
        &[
            "sweep",
            "plan",
            "--n1",
            "0.1:1.2:0.1",
            "--n2",
            "0.1:1.2:0.1",
            "--seeds",
            "3",
        ],
    );
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(
        stderr(&output),
        "error: --n1: The sweep would be 435 runs (12 × 12 settings × 3 seeds, plus Normal); \
         the limit is 300. Use fewer values or seeds.\n"
    );
    assert!(!dir.path().join("plan.json").exists());
}

#[test]
fn unknown_options_are_refused_by_name() {
    let dir = tempfile::tempdir().unwrap();
    let output = run(dir.path(), &["train", "--epoch", "3"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("unexpected argument '--epoch'"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn train_prints_the_original_console_lines_when_piped() {
    let dir = tempfile::tempdir().unwrap();
    let out = ok(dir.path(), &["train", "--epochs", "2", "--train", "300"]);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 4, "{out}");
    for (line, method) in lines.iter().zip([
        "AYLA   - Epoch 1",
        "Normal - Epoch 1",
        "AYLA   - Epoch 2",
        "Normal - Epoch 2",
    ]) {
        assert!(line.starts_with(&format!("{method}: Loss=")), "{line}");
        assert!(
            line.contains(", Val Loss=") && line.contains(", Grad Norm="),
            "{line}"
        );
        assert!(line.ends_with(" s)"), "{line}");
    }
    // No progress bar or terminal codes in a pipe.
    assert!(
        !out.contains('\u{1b}')
            && !stderr(&run(
                dir.path(),
                &["train", "--epochs", "1", "--train", "100"]
            ))
            .contains('\u{1b}')
    );
}

#[test]
fn train_jsonl_prints_one_object_per_step_and_method() {
    let dir = tempfile::tempdir().unwrap();
    let out = ok(
        dir.path(),
        &[
            "train",
            "--steps",
            "3",
            "--jsonl",
            "--no-shuffle",
            "--train",
            "1000",
        ],
    );
    let steps: Vec<serde_json::Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let methods: Vec<(&str, u64)> = steps
        .iter()
        .map(|s| (s["method"].as_str().unwrap(), s["step"].as_u64().unwrap()))
        .collect();
    assert_eq!(
        methods,
        [
            ("AYLA", 1),
            ("AYLA", 2),
            ("AYLA", 3),
            ("Normal", 1),
            ("Normal", 2),
            ("Normal", 3)
        ]
    );
    // Same start and same batches: the first step's loss is the same for both methods.
    assert_eq!(steps[0]["loss"], steps[3]["loss"]);
}

#[test]
fn train_with_held_out_validation_prints_each_test_score_after_the_last_epoch() {
    let dir = tempfile::tempdir().unwrap();
    let args = [
        "--epochs",
        "1",
        "--train",
        "1500",
        "--validate",
        "held-out",
        "--holdout",
        "500",
    ];
    let out = ok(dir.path(), &[&["train"][..], &args].concat());
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 4, "{out}");
    assert!(lines[0].starts_with("AYLA   - Epoch 1: Loss="), "{out}");
    assert!(lines[1].starts_with("Normal - Epoch 1: Loss="), "{out}");
    // The same run in this process: the same figures, bit for bit.
    let config = Config::parse(|key| {
        args.chunks(2)
            .find(|pair| pair[0] == format!("--{key}"))
            .map(|pair| pair[1])
    })
    .unwrap();
    let train = Arc::new(common::mnist_train().first(config.train_size));
    for (line, method) in lines[2..].iter().zip([Method::Ayla, Method::Normal]) {
        let test = common::mnist_test();
        let mut trainer = Trainer::new(config, method, Arc::clone(&train), test, common::no_clock);
        trainer.run_epoch(|_| ControlFlow::Continue(())).unwrap();
        let score = trainer.test_score().unwrap();
        assert_eq!(*line, test_log_line(method, &score));
    }
    // With --jsonl, one object per method after its steps.
    let out = ok(dir.path(), &[&["train", "--jsonl"][..], &args].concat());
    let objects: Vec<serde_json::Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let tests: Vec<&serde_json::Value> =
        objects.iter().filter(|o| o.get("test").is_some()).collect();
    assert_eq!(tests.len(), 2);
    assert_eq!(tests[0]["method"], "AYLA");
    // The same score as the console line's.
    let accuracy = tests[1]["test"]["accuracy"].as_f64().unwrap();
    assert!(
        lines[3].ends_with(&format!("Test Acc={accuracy:.4}")),
        "{accuracy}"
    );
    let loss = tests[1]["test"]["loss"].as_f64().unwrap();
    assert!(
        lines[3].contains(&format!("Test Loss={loss:.4},")),
        "{loss}"
    );
    assert_eq!(
        objects.len(),
        2 * 8 + 2,
        "8 steps of 128 of 1,000 images each"
    );
}

#[test]
fn train_refuses_a_k_that_leaves_nothing_to_train_on() {
    let dir = tempfile::tempdir().unwrap();
    let output = run(
        dir.path(),
        &["train", "--train", "300", "--validate", "held-out"],
    );
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(
        stderr(&output),
        "error: --holdout: Held-out images (K) must be fewer than the training images (300).\n"
    );
}

#[test]
fn a_held_out_sweep_keeps_every_runs_test_score_in_its_tasks_and_exports() {
    let dir = tempfile::tempdir().unwrap();
    let mut args = vec!["sweep", "plan"];
    args.extend(SWEEP);
    args.extend(["--validate", "held-out", "--holdout", "100"]);
    ok(dir.path(), &args);
    let out = ok(dir.path(), &["sweep", "run", "plan.json", "--task", "1"]);
    assert!(
        out.contains("AYLA   - Test set, scored once after the last epoch: Test Loss="),
        "{out}"
    );
    let out = ok(dir.path(), &["sweep", "run", "plan.json", "--local"]);
    assert!(out.contains(", Test Acc="), "{out}");
    ok(
        dir.path(),
        &["sweep", "merge", "plan.json", "runs", "-o", "out"],
    );
    let json = std::fs::read_to_string(dir.path().join("out/mnist_sweep.json")).unwrap();
    let record = SweepRecord::from_export(&json).unwrap();
    assert_eq!(record.results.len(), 6);
    assert!(record.results.iter().all(|r| r.test.is_some()));
    let csv = std::fs::read_to_string(dir.path().join("out/mnist_sweep.csv")).unwrap();
    let header: Vec<&str> = csv.lines().next().unwrap().split(',').collect();
    let column = header
        .iter()
        .position(|&c| c == "test_accuracy_mean")
        .unwrap();
    for line in csv.lines().skip(1) {
        let mean: f64 = line.split(',').nth(column).unwrap().parse().unwrap();
        assert!(mean > 0.0 && mean <= 1.0, "{line}");
    }
}

#[test]
fn train_takes_hidden_layers_as_a_list() {
    let dir = tempfile::tempdir().unwrap();
    let help = ok(dir.path(), &["train", "--help"]);
    let hidden = help.lines().find(|l| l.contains("--hidden")).unwrap();
    assert!(hidden.contains("--hidden <LIST>"), "{hidden}");
    assert!(
        hidden.ends_with("[1 to 4,096 each, at most 3 layers; default: 128]"),
        "{hidden}"
    );
    let out = ok(
        dir.path(),
        &[
            "train", "--hidden", "64,32", "--epochs", "1", "--train", "600",
        ],
    );
    assert_eq!(out.lines().count(), 2, "{out}");
    assert!(out.contains("Normal - Epoch 1: Loss="), "{out}");
    let refused = run(dir.path(), &["train", "--hidden", "64,32,16,8"]);
    assert_eq!(refused.status.code(), Some(2));
    assert_eq!(
        stderr(&refused),
        "error: --hidden: Hidden units: at most 3 layers.\n"
    );
    // Raw starting weights are the golden files' four arrays: one hidden layer.
    let golden = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden");
    let init = run(
        dir.path(),
        &[
            "train",
            "--hidden",
            "128,64",
            "--init",
            golden.to_str().unwrap(),
        ],
    );
    assert!(!init.status.success());
    assert!(
        stderr(&init).contains(
            "--init reads the weights of one hidden layer (w1, b1, w2, b2); --hidden 128,64 \
             has 2 layers."
        ),
        "{}",
        stderr(&init)
    );
}

#[test]
fn sweep_plan_prints_the_tasks_and_an_estimate_and_takes_a_page_link() {
    let dir = tempfile::tempdir().unwrap();
    let mut args = vec!["sweep", "plan"];
    args.extend(SWEEP);
    let out = ok(dir.path(), &args);
    let plan = Plan::read(&dir.path().join("plan.json")).unwrap();
    assert_eq!(plan.tasks(), 6);
    assert!(
        out.starts_with(
            "2 × 1 settings × 2 seeds, plus Normal: 6 tasks (numbered 0 to 5), 1 epoch on 300 \
             images each; val = test set.\nAbout 0:"
        ),
        "{out}"
    );
    assert!(
        out.contains("sbatch --array=0-5%4 scripts/slurm/sweep.sbatch plan.json"),
        "{out}"
    );
    // The page's link for the same sweep, with an option beside it that wins.
    let link = format!(
        "http://127.0.0.1:8080/?{}",
        plan.sweep.query().replace("epochs=1", "epochs=4")
    );
    ok(
        dir.path(),
        &[
            "sweep",
            "plan",
            "--from",
            &link,
            "--epochs",
            "1",
            "-o",
            "linked.json",
        ],
    );
    assert_eq!(Plan::read(&dir.path().join("linked.json")).unwrap(), plan);
    let expected = sweep_from_query(&link.replace("epochs=4", "epochs=1")).unwrap();
    assert_eq!(plan.sweep, expected);
}

#[test]
fn a_task_writes_its_result_once_and_is_skipped_when_done() {
    let dir = tempfile::tempdir().unwrap();
    let plan = plan_in(dir.path());
    let out = ok(dir.path(), &["sweep", "run", "plan.json", "--task", "2"]);
    assert!(
        out.starts_with("Task 2 of 6 (AYLA N1=1 N2=0.95, lr 0.01, seed 42), plan "),
        "{out}"
    );
    assert!(out.contains("AYLA   - Epoch 1: Loss="), "{out}");
    assert!(
        out.ends_with("Task 2 of 6 (AYLA N1=1 N2=0.95, lr 0.01, seed 42) done: runs/2.json.\n"),
        "{out}"
    );
    let first = std::fs::read(dir.path().join("runs/2.json")).unwrap();
    let out = ok(dir.path(), &["sweep", "run", "plan.json", "--task", "2"]);
    assert_eq!(
        out,
        "Task 2 of 6 (AYLA N1=1 N2=0.95, lr 0.01, seed 42) is done already.\n"
    );
    assert_eq!(
        std::fs::read(dir.path().join("runs/2.json")).unwrap(),
        first
    );
    // Slurm's array index names the task when --task is absent.
    let out = ayla(dir.path(), &["sweep", "run", "plan.json"])
        .env("SLURM_ARRAY_TASK_ID", "5")
        .output()
        .unwrap();
    assert!(
        stdout(&out).contains("Task 5 of 6 (AYLA N1=1 N2=0.95, lr 0.01, seed 43) done"),
        "{}",
        stdout(&out)
    );
    let merged = ayla::tasks::merge(&plan, &dir.path().join("runs")).unwrap();
    assert_eq!(merged.missing, [0, 1, 3, 4]);
}

#[test]
fn a_task_outside_the_plan_or_no_task_at_all_is_explained() {
    let dir = tempfile::tempdir().unwrap();
    plan_in(dir.path());
    let output = run(dir.path(), &["sweep", "run", "plan.json", "--task", "6"]);
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(
        stderr(&output),
        "error: There is no task 6: the plan has 6 tasks, numbered 0 to 5.\n"
    );
    let output = run(dir.path(), &["sweep", "run", "plan.json"]);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).starts_with("error: which task? Give --task I"),
        "{}",
        stderr(&output)
    );
    let output = run(dir.path(), &["sweep", "run", "missing.json", "--task", "0"]);
    assert!(
        stderr(&output).starts_with("error: missing.json: No such file"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn a_killed_task_leaves_no_result_and_runs_again() {
    let dir = tempfile::tempdir().unwrap();
    ok(
        dir.path(),
        &["sweep", "plan", "--epochs", "6", "--train", "2000"],
    );
    let mut child = ayla(dir.path(), &["sweep", "run", "plan.json", "--task", "1"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // Killed in the middle: after its first epoch's line, five epochs before its end.
    let mut lines = std::io::BufRead::lines(std::io::BufReader::new(child.stdout.take().unwrap()));
    let epoch_line = lines.find(|l| l.as_ref().is_ok_and(|l| l.contains("Epoch 1:")));
    assert!(epoch_line.is_some());
    child.kill().unwrap();
    child.wait().unwrap();
    let runs = dir.path().join("runs");
    let left: Vec<_> = std::fs::read_dir(&runs)
        .map(|d| d.flatten().map(|e| e.file_name()).collect())
        .unwrap_or_default();
    assert!(left.is_empty(), "{left:?}");
    let out = ok(
        dir.path(),
        &["sweep", "status", "plan.json", "runs", "--array"],
    );
    assert_eq!(out, "0-1\n");
    ok(dir.path(), &["sweep", "run", "plan.json", "--task", "1"]);
    assert_eq!(
        ok(
            dir.path(),
            &["sweep", "status", "plan.json", "runs", "--array"]
        ),
        "0\n"
    );
}

/// The results as the page holds them: read straight from the task files.
fn page_record(plan: &Plan, runs: &Path, tasks: &[usize]) -> SweepRecord {
    let results = tasks
        .iter()
        .map(|task| {
            let text = std::fs::read_to_string(runs.join(format!("{task}.json"))).unwrap();
            let file: serde_json::Value = serde_json::from_str(&text).unwrap();
            serde_json::from_value::<JobResult>(file["result"].clone()).unwrap()
        })
        .collect();
    SweepRecord {
        sweep: plan.sweep.clone(),
        results,
    }
}

#[test]
fn merge_writes_the_page_exports_and_names_the_missing_tasks() {
    let dir = tempfile::tempdir().unwrap();
    let plan = plan_in(dir.path());
    for task in ["0", "1", "2", "4"] {
        ok(dir.path(), &["sweep", "run", "plan.json", "--task", task]);
    }
    let out = ok(
        dir.path(),
        &["sweep", "merge", "plan.json", "runs", "-o", "out"],
    );
    assert_eq!(
        out,
        format!("Merged 4 of 6 tasks into out: mnist_sweep.csv, mnist_sweep.json, mnist_sweep_heatmap.png.\n\
         Missing 2 tasks: 3 (Normal, lr 0.01, seed 43), 5 (AYLA N1=1 N2=0.95, lr 0.01, seed 43).\n\
         Run just those: sbatch --array=3,5 scripts/slurm/sweep.sbatch plan.json\n\
         or here: ayla sweep run plan.json --local\n\n\
         Verdict:\n\
         - {TEST_SET_NOTE}\n")
    );
    let check = |tasks: &[usize]| {
        let page = page_record(&plan, &dir.path().join("runs"), tasks);
        let read = |name: &str| std::fs::read(dir.path().join("out").join(name)).unwrap();
        assert_eq!(read("mnist_sweep.csv"), page.to_csv().into_bytes());
        assert_eq!(read("mnist_sweep.json"), page.to_json().into_bytes());
        assert_eq!(
            read("mnist_sweep_heatmap.png"),
            heatmap_png(&HeatMap::of_sweep(&page, 0, None)).unwrap()
        );
        // The page can open what merge wrote.
        let json = String::from_utf8(read("mnist_sweep.json")).unwrap();
        assert_eq!(SweepRecord::from_export(&json).unwrap().to_json(), json);
    };
    check(&[0, 1, 2, 4]);
    let out = ok(
        dir.path(),
        &["sweep", "run", "plan.json", "--local", "-j", "2"],
    );
    assert!(
        out.starts_with("Running 2 missing tasks of 6 tasks on 2 threads, plan "),
        "{out}"
    );
    let out = ok(
        dir.path(),
        &["sweep", "merge", "plan.json", "runs", "-o", "out"],
    );
    assert_eq!(
        out,
        format!(
            "Merged 6 of 6 tasks into out: mnist_sweep.csv, mnist_sweep.json, \
             mnist_sweep_heatmap.png.\n\nVerdict:\n- {TEST_SET_NOTE}\n"
        )
    );
    check(&[0, 1, 2, 3, 4, 5]);
}

#[test]
fn local_runs_equal_task_runs_bit_for_bit() {
    let dir = tempfile::tempdir().unwrap();
    plan_in(dir.path());
    for task in 0..6 {
        ok(
            dir.path(),
            &[
                "sweep",
                "run",
                "plan.json",
                "--task",
                &task.to_string(),
                "--runs",
                "one",
            ],
        );
    }
    ok(
        dir.path(),
        &[
            "sweep",
            "run",
            "plan.json",
            "--local",
            "-j",
            "3",
            "--runs",
            "pool",
        ],
    );
    for dir_name in ["one", "pool"] {
        ok(
            dir.path(),
            &[
                "sweep",
                "merge",
                "plan.json",
                dir_name,
                "-o",
                &format!("{dir_name}-out"),
            ],
        );
    }
    let read = |path: &str| std::fs::read(dir.path().join(path)).unwrap();
    assert_eq!(
        read("one-out/mnist_sweep.csv"),
        read("pool-out/mnist_sweep.csv")
    );
    assert_eq!(
        read("one-out/mnist_sweep_heatmap.png"),
        read("pool-out/mnist_sweep_heatmap.png")
    );
    // Every metric but the epoch's wall-clock seconds.
    let without_seconds = |path: &str| {
        let mut json: serde_json::Value = serde_json::from_slice(&read(path)).unwrap();
        for run in json["runs"].as_array_mut().unwrap() {
            for epoch in run["metrics"].as_array_mut().unwrap() {
                epoch.as_object_mut().unwrap().remove("seconds");
            }
        }
        json
    };
    assert_eq!(
        without_seconds("one-out/mnist_sweep.json"),
        without_seconds("pool-out/mnist_sweep.json")
    );
}

#[test]
fn merge_refuses_results_of_another_plan_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    plan_in(dir.path());
    ok(
        dir.path(),
        &[
            "sweep",
            "plan",
            "--epochs",
            "1",
            "--train",
            "300",
            "-o",
            "other.json",
        ],
    );
    ok(dir.path(), &["sweep", "run", "other.json", "--task", "1"]);
    let output = run(
        dir.path(),
        &["sweep", "merge", "plan.json", "runs", "-o", "out"],
    );
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).starts_with("error: runs/1.json is a result of another plan ("),
        "{}",
        stderr(&output)
    );
    assert!(!dir.path().join("out").exists());
    // Nor does a task of this plan overwrite it.
    let output = run(dir.path(), &["sweep", "run", "plan.json", "--task", "1"]);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains("is a result of another plan"),
        "{}",
        stderr(&output)
    );
}
