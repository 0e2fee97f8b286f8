//! Trains Normal and AYLA side by side on MNIST files and prints the original's console
//! lines. Parameters use the page's keys and limits:
//!
//! ```text
//! cargo run --release --example train -- --epochs 1 --n1 0.95 --n2 1.0
//!     [--batch 128 --lr 0.01 --hidden 128 --seed 42 --train 60000]
//!     [--data DIR]      the four IDX files (default: $MNIST_DIR, else www/data)
//!     [--init DIR]      start from w1.f32 b1.f32 w2.f32 b2.f32 (raw little-endian, as tests/golden)
//!     [--no-shuffle]    batches in file order
//!     [--steps N]       stop after N batches
//!     [--jsonl]         one JSON object per step and method on stdout instead of the lines
//! ```

use std::collections::HashMap;
use std::ops::ControlFlow;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};
use std::time::Instant;

use ayla::config::{Config, FIELDS};
use ayla::method::Method;
use ayla::mnist::{self, Dataset};
use ayla::model::Mlp;
use ayla::train::{EpochMetrics, StepReport, Trainer};

struct Options {
    config: Config,
    data: PathBuf,
    init: Option<PathBuf>,
    steps: Option<usize>,
    jsonl: bool,
}

fn main() {
    if let Err(message) = run() {
        eprintln!("error: {message}");
        std::process::exit(1);
    }
}

fn run() -> Result<(), String> {
    let options = parse_args(std::env::args().skip(1))?;
    let config = options.config;
    let train = Arc::new(
        load(&options.data, mnist::TRAIN_IMAGES, mnist::TRAIN_LABELS)?.take(config.train_size),
    );
    let test = Arc::new(load(&options.data, mnist::TEST_IMAGES, mnist::TEST_LABELS)?);
    let start = match &options.init {
        Some(dir) => Mlp::read_raw(dir, config.hidden)?,
        None => Mlp::glorot(config.hidden, config.seed),
    };
    let mut trainers = [Method::Ayla, Method::Normal].map(|m| {
        Trainer::with_model(
            config,
            m,
            start.clone(),
            Arc::clone(&train),
            Arc::clone(&test),
            clock,
        )
    });
    let mut steps_left = options.steps.unwrap_or(usize::MAX);
    while steps_left > 0 && trainers.iter().any(|t| !t.is_finished()) {
        // Both methods train at once, one thread each, as the page's two workers do.
        let results: Vec<(Method, Vec<StepReport>, Option<EpochMetrics>)> =
            std::thread::scope(|s| {
                let handles: Vec<_> = trainers
                    .iter_mut()
                    .filter(|t| !t.is_finished())
                    .map(|t| s.spawn(move || epoch(t, steps_left)))
                    .collect();
                handles
                    .into_iter()
                    .map(|h| h.join().expect("training thread"))
                    .collect()
            });
        for (method, reports, metrics) in &results {
            report(*method, reports, metrics.as_ref(), options.jsonl);
        }
        steps_left =
            steps_left.saturating_sub(results.iter().map(|(_, r, _)| r.len()).max().unwrap_or(0));
    }
    Ok(())
}

/// One epoch (or the first `limit` batches of it) of one method.
fn epoch(trainer: &mut Trainer, limit: usize) -> (Method, Vec<StepReport>, Option<EpochMetrics>) {
    let mut reports = Vec::new();
    let metrics = trainer.run_epoch(|r| {
        reports.push(*r);
        if reports.len() >= limit {
            ControlFlow::Break(())
        } else {
            ControlFlow::Continue(())
        }
    });
    (trainer.method(), reports, metrics)
}

fn report(method: Method, reports: &[StepReport], metrics: Option<&EpochMetrics>, jsonl: bool) {
    if jsonl {
        for r in reports {
            let line = serde_json::json!({
                "method": method.label(), "step": r.step, "loss": r.loss, "lmod": r.lmod,
                "grad_norm": r.grad_norm, "branch": r.branch, "batch_acc": r.batch_acc,
            });
            println!("{line}");
        }
    } else if let Some(m) = metrics {
        println!("{}  ({:.1} s)", m.log_line(method), m.seconds);
    }
}

fn parse_args(mut args: impl Iterator<Item = String>) -> Result<Options, String> {
    let mut values = HashMap::new();
    let mut data =
        std::env::var_os("MNIST_DIR").map_or_else(|| PathBuf::from("www/data"), PathBuf::from);
    let (mut init, mut steps, mut jsonl, mut shuffle) = (None, None, false, true);
    while let Some(arg) = args.next() {
        let mut value = || args.next().ok_or(format!("{arg} needs a value"));
        match arg.as_str() {
            "--data" => data = PathBuf::from(value()?),
            "--init" => init = Some(PathBuf::from(value()?)),
            "--steps" => {
                steps = Some(
                    value()?
                        .parse()
                        .map_err(|_| "--steps takes a whole number")?,
                )
            }
            "--jsonl" => jsonl = true,
            "--no-shuffle" => shuffle = false,
            flag => match FIELDS
                .iter()
                .find(|f| flag.strip_prefix("--") == Some(f.key))
            {
                Some(field) => {
                    values.insert(field.key, value()?);
                }
                None => {
                    return Err(format!(
                        "unknown option {flag}; see the top of examples/train.rs"
                    ))
                }
            },
        }
    }
    let config = Config::parse(|key| values.get(key).map(String::as_str)).map_err(|errors| {
        errors
            .iter()
            .map(|e| format!("--{}: {}", e.key, e.message))
            .collect::<Vec<_>>()
            .join("\n")
    })?;
    Ok(Options {
        config: Config { shuffle, ..config },
        data,
        init,
        steps,
        jsonl,
    })
}

fn load(dir: &Path, images: &str, labels: &str) -> Result<Dataset, String> {
    let read = |name: &str| {
        std::fs::read(dir.join(name)).map_err(|e| format!("{}: {e}", dir.join(name).display()))
    };
    Dataset::from_idx(read(images)?, read(labels)?).map_err(|e| format!("{}: {e}", dir.display()))
}

/// Seconds since the first call.
fn clock() -> f64 {
    static START: OnceLock<Instant> = OnceLock::new();
    START.get_or_init(Instant::now).elapsed().as_secs_f64()
}
