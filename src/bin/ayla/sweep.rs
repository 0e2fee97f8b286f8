//! `ayla sweep plan | run | status | merge`: a sweep as one task per run (see
//! `ayla::tasks`), for Slurm array jobs or a local pool, merged into the page's exports.

use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use ayla::bitmap::heatmap_png;
use ayla::chart::{HeatMap, HeatView};
use ayla::split::Split;
use ayla::sweep::{JobResult, Speed, Sweep};
use ayla::tasks::{
    self, array_spec, describe, query_pairs, read_result, run_job, write_atomically, write_result,
    Plan, TaskData, TaskError,
};
use ayla::text::{duration, plural};
use ayla::train::test_log_line;

use crate::cli::{MergeArgs, PlanArgs, RunArgs, StatusArgs};
use crate::data::{clock, load_test, load_train};
use crate::progress::Progress;

/// How fast one task trains natively on one core, in the units of `Sweep::estimate_seconds`
/// (training images per second, the validation pass counted at its share of the work).
/// `make bench` ("cli" figures) on a busy 2-core machine: one epoch of 60,000 + 10,000
/// images in 0.61 s (Normal) and 0.68 s (AYLA); a task reads and indexes MNIST in 0.3 s
/// (1 s while the machine was busy).
const NATIVE_SPEED: Speed = Speed {
    normal: 107_000.0,
    ayla: 95_000.0,
    start_up: 0.5,
};

/// The plan's time estimate assumes MNIST's sizes (the data is not read to plan).
const MNIST_TRAIN: usize = 60_000;
const MNIST_TEST: usize = 10_000;

/// The page's exports, written by merge under these names.
const EXPORT_CSV: &str = "mnist_sweep.csv";
const EXPORT_JSON: &str = "mnist_sweep.json";
const EXPORT_PNG: &str = "mnist_sweep_heatmap.png";

fn error_lines(errors: &[TaskError]) -> String {
    let lines: Vec<String> = errors.iter().map(ToString::to_string).collect();
    lines.join("\n")
}

pub fn plan(args: PlanArgs) -> Result<(), String> {
    let link = args.from.as_deref().map(query_pairs).unwrap_or_default();
    let from_link = |key: &str| {
        link.iter()
            .rev()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    };
    let sweep = args.fields.sweep(from_link).unwrap_or_else(|e| e.exit());
    let plan = Plan::new(sweep);
    write_atomically(&args.output, plan.to_json().as_bytes()).map_err(|e| e.to_string())?;
    println!("{}", summary(&plan.sweep));
    let parallel = args.parallel.max(1);
    let estimate = |workers| {
        duration(
            plan.sweep
                .estimate_seconds(MNIST_TRAIN, MNIST_TEST, NATIVE_SPEED, workers),
        )
    };
    println!(
        "About {} on one core, {} with {parallel} tasks at a time (at the speed `make bench` \
         measured natively on a 2-core machine).",
        estimate(1),
        estimate(parallel)
    );
    let output = args.output.display();
    println!("Wrote {output} (plan {}).", tasks::short(&plan.hash));
    println!(
        "Run it: sbatch --array=0-{}%{parallel} scripts/slurm/sweep.sbatch {output}\n\
         or here: ayla sweep run {output} --local",
        plan.tasks() - 1
    );
    Ok(())
}

/// As the page says it: "2 × 2 settings × 2 seeds, plus Normal: 10 tasks, 1 epoch on
/// 3,000 images each; val = test set."
fn summary(sweep: &Sweep) -> String {
    let base = &sweep.base;
    let split = Split::new(base, base.train_size.min(MNIST_TRAIN));
    format!(
        "{}: {} (numbered 0 to {}), {} on {} each; {}.",
        sweep.grid_text(),
        plural(sweep.run_count(), "task"),
        sweep.run_count() - 1,
        plural(base.epochs, "epoch"),
        plural(split.trained, "image"),
        split.describe(),
    )
}

fn read_plan(path: &Path) -> Result<Plan, String> {
    Plan::read(path).map_err(|e| e.to_string())
}

fn load_data(dir: &Path) -> Result<TaskData, String> {
    Ok(TaskData {
        train: Arc::new(load_train(dir)?),
        test: Arc::new(load_test(dir)?),
    })
}

pub fn run(args: RunArgs) -> Result<(), String> {
    let plan = read_plan(&args.plan)?;
    if args.local {
        return run_local(&plan, &args);
    }
    let Some(task) = args.task else {
        return Err(
            "which task? Give --task I (a Slurm array job sets SLURM_ARRAY_TASK_ID), \
                    or --local to run every missing task here."
                .to_string(),
        );
    };
    let job = plan.job(task).map_err(|e| e.to_string())?;
    let name = format!("Task {task} of {} ({})", plan.tasks(), describe(&job));
    if read_result(&plan, &args.runs, task)
        .map_err(|e| e.to_string())?
        .is_some()
    {
        println!("{name} is done already.");
        return Ok(());
    }
    let data = load_data(&args.data.data)?;
    data.check(&plan.sweep)?;
    println!("{name}, plan {}:", tasks::short(&plan.hash));
    let progress = Progress::new();
    let bar = progress.bar("", 0, "batches");
    let result = run_job(
        &job,
        &data,
        clock,
        |r| {
            bar.set_length(r.batches as u64);
            bar.set_position(r.batch as u64);
        },
        |m| progress.println(&format!("{}  ({:.1} s)", m.log_line(job.method), m.seconds)),
    );
    bar.finish_and_clear();
    if let Some(test) = &result.test {
        println!("{}", test_log_line(job.method, test));
    }
    let path = write_result(&plan, &args.runs, &result).map_err(|e| e.to_string())?;
    println!("{name} done: {}.", path.display());
    Ok(())
}

/// Every task without a result, on `-j` threads sharing one copy of the data.
fn run_local(plan: &Plan, args: &RunArgs) -> Result<(), String> {
    std::fs::create_dir_all(&args.runs).map_err(|e| format!("{}: {e}.", args.runs.display()))?;
    let missing = tasks::merge(plan, &args.runs)
        .map_err(|errors| error_lines(&errors))?
        .missing;
    if missing.is_empty() {
        println!("All {} tasks are done already.", plan.tasks());
        return Ok(());
    }
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    let threads = args.jobs.unwrap_or(cores).clamp(1, missing.len());
    println!(
        "Running {} of {} on {}, plan {}.",
        plural(missing.len(), "missing task"),
        plural(plan.tasks(), "task"),
        plural(threads, "thread"),
        tasks::short(&plan.hash)
    );
    let data = load_data(&args.data.data)?;
    data.check(&plan.sweep)?;
    let progress = Progress::new();
    let overall = progress.bar("all", missing.len() as u64, "tasks");
    let next = AtomicUsize::new(0);
    let failures = Mutex::new(Vec::new());
    std::thread::scope(|s| {
        for worker in 0..threads {
            let (progress, overall, next, failures) = (&progress, &overall, &next, &failures);
            let (missing, data) = (&missing, &data);
            s.spawn(move || {
                let bar = progress.bar(format!("{worker}"), 0, "batches");
                while let Some(&task) = missing.get(next.fetch_add(1, Ordering::Relaxed)) {
                    let outcome = local_task(plan, task, data, &args.runs, &bar);
                    match outcome {
                        Ok(line) => progress.println(&line),
                        Err(e) => failures.lock().expect("no thread panics").push(e),
                    }
                    overall.inc(1);
                }
                bar.finish_and_clear();
            });
        }
    });
    overall.finish_and_clear();
    let failures = failures.into_inner().expect("no thread panics");
    if failures.is_empty() {
        println!(
            "All {} done in {}.",
            plural(missing.len(), "task"),
            args.runs.display()
        );
        Ok(())
    } else {
        Err(failures.join("\n"))
    }
}

/// Runs one task for the local pool; the line to print when it is done.
fn local_task(
    plan: &Plan,
    task: usize,
    data: &TaskData,
    runs: &Path,
    bar: &indicatif::ProgressBar,
) -> Result<String, String> {
    let job = plan.job(task).map_err(|e| e.to_string())?;
    bar.set_message(format!("task {task}: {}", describe(&job)));
    let result = run_job(
        &job,
        data,
        clock,
        |r| {
            bar.set_length(r.batches as u64);
            bar.set_position(r.batch as u64);
        },
        |_| {},
    );
    let path = write_result(plan, runs, &result).map_err(|e| e.to_string())?;
    Ok(format!(
        "Task {task} ({}): {} → {}",
        describe(&job),
        outcome(&result),
        path.display()
    ))
}

/// A finished run in a few words: its last validation accuracy (and its test accuracy,
/// scored once at the end), or where it diverged.
fn outcome(result: &JobResult) -> String {
    let test = result
        .test
        .map_or(String::new(), |t| format!(", Test Acc={:.4}", t.accuracy));
    match result.metrics.last() {
        Some(m) if m.diverged_at.is_some() => format!("diverged in epoch {}", m.epoch),
        Some(m) => format!("Val Acc={:.4}{test}", m.val_accuracy),
        None => "no epoch".to_string(),
    }
}

pub fn status(args: StatusArgs) -> Result<(), String> {
    let plan = read_plan(&args.plan)?;
    let merged = tasks::merge(&plan, &args.runs).map_err(|errors| error_lines(&errors))?;
    if args.array {
        println!("{}", array_spec(&merged.missing));
        return Ok(());
    }
    println!(
        "{} of {} done in {}, plan {}.",
        merged.record.results.len(),
        plural(plan.tasks(), "task"),
        args.runs.display(),
        tasks::short(&plan.hash)
    );
    print_missing(&plan, &merged.missing, &args.plan);
    Ok(())
}

pub fn merge(args: MergeArgs) -> Result<(), String> {
    let plan = read_plan(&args.plan)?;
    let merged = tasks::merge(&plan, &args.runs).map_err(|errors| error_lines(&errors))?;
    let record = &merged.record;
    if record.results.is_empty() {
        return Err(format!(
            "{} holds no result of this plan yet: nothing to merge.",
            args.runs.display()
        ));
    }
    let view = HeatView::default_for(&record.sweep);
    let png = heatmap_png(&HeatMap::of_view(record, view, None)).map_err(|e| e.to_string())?;
    let dir = &args.output;
    for (name, bytes) in [
        (EXPORT_CSV, record.to_csv().into_bytes()),
        (EXPORT_JSON, record.to_json().into_bytes()),
        (EXPORT_PNG, png),
    ] {
        write_atomically(&dir.join(name), &bytes).map_err(|e| e.to_string())?;
    }
    println!(
        "Merged {} of {} into {}: {EXPORT_CSV}, {EXPORT_JSON}, {EXPORT_PNG}.",
        record.results.len(),
        plural(plan.tasks(), "task"),
        dir.display()
    );
    print_missing(&plan, &merged.missing, &args.plan);
    println!("\nVerdict:");
    for line in record.verdict().lines() {
        println!("- {line}");
    }
    Ok(())
}

/// Which tasks have no result, and how to run just those.
fn print_missing(plan: &Plan, missing: &[usize], plan_path: &Path) {
    if missing.is_empty() {
        return;
    }
    let jobs = plan.sweep.jobs();
    let named: Vec<String> = missing
        .iter()
        .map(|&task| format!("{task} ({})", describe(&jobs[task])))
        .collect();
    println!(
        "Missing {}: {}.",
        plural(missing.len(), "task"),
        named.join(", ")
    );
    println!(
        "Run just those: sbatch --array={} scripts/slurm/sweep.sbatch {}\n\
         or here: ayla sweep run {} --local",
        array_spec(missing),
        plan_path.display(),
        plan_path.display()
    );
}
