//! `ayla train`: Normal and AYLA side by side on MNIST, one thread each (as the page's two
//! workers), printing the original's console lines, or one JSON object per step (--jsonl);
//! with held-out validation, then each method's test score, scored once at the end.

use std::ops::ControlFlow;
use std::sync::Arc;

use indicatif::ProgressBar;

use ayla::config::Config;
use ayla::history::TestScore;
use ayla::method::Method;
use ayla::model::Mlp;
use ayla::train::{test_log_line, EpochMetrics, StepReport, Trainer};

use crate::cli::TrainArgs;
use crate::data::{clock, load_test, load_train};
use crate::progress::Progress;

pub fn run(args: TrainArgs) -> Result<(), String> {
    let config = Config {
        shuffle: !args.no_shuffle,
        ..args.fields.config().unwrap_or_else(|e| e.exit())
    };
    let dir = &args.data.data;
    let train = load_train(dir)?;
    config.check_data(train.len()).map_err(|e| e.to_string())?;
    let train = Arc::new(train.take(config.train_size));
    let test = Arc::new(load_test(dir)?);
    let start = match &args.init {
        Some(dir) => match config.hidden.widths() {
            &[width] => Mlp::read_raw(dir, width)?,
            _ => {
                return Err(format!(
                    "--init reads the weights of one hidden layer (w1, b1, w2, b2); \
                     --hidden {} has {} layers.",
                    config.hidden,
                    config.hidden.widths().len()
                ))
            }
        },
        None => Mlp::glorot(config.hidden, config.seed),
    };
    let progress = Progress::new();
    let mut trainers = [Method::Ayla, Method::Normal].map(|method| {
        let trainer = Trainer::with_model(
            config,
            method,
            start.clone(),
            Arc::clone(&train),
            Arc::clone(&test),
            clock,
        );
        let bar = progress.bar(format!("{:<6}", method.label()), 0, "batches");
        (trainer, bar)
    });
    let mut steps_left = args.steps.unwrap_or(usize::MAX);
    while steps_left > 0 && trainers.iter().any(|(t, _)| !t.is_finished()) {
        let results: Vec<Epoch> = std::thread::scope(|s| {
            let handles: Vec<_> = trainers
                .iter_mut()
                .filter(|(t, _)| !t.is_finished())
                .map(|(t, bar)| s.spawn(move || epoch(t, bar, steps_left)))
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().expect("a training thread does not panic"))
                .collect()
        });
        for epoch in &results {
            report(epoch, args.jsonl, &progress);
        }
        let longest = results.iter().map(|e| e.steps.len()).max().unwrap_or(0);
        steps_left = steps_left.saturating_sub(longest);
    }
    for (_, bar) in &trainers {
        bar.finish_and_clear();
    }
    for (trainer, _) in &trainers {
        if let Some(test) = trainer.test_score() {
            report_test(trainer.method(), &test, args.jsonl, &progress);
        }
    }
    Ok(())
}

/// A method's test score at the end: the line after its last epoch line, or an object
/// `{"method":"AYLA","test":{"loss":…,"accuracy":…}}` with --jsonl.
fn report_test(method: Method, test: &TestScore, jsonl: bool, progress: &Progress) {
    let line = if jsonl {
        serde_json::json!({ "method": method.label(), "test": test }).to_string()
    } else {
        test_log_line(method, test)
    };
    progress.println(&line);
}

/// What one method did in one epoch (or in the first `limit` batches of it).
struct Epoch {
    method: Method,
    steps: Vec<StepReport>,
    metrics: Option<EpochMetrics>,
}

fn epoch(trainer: &mut Trainer, bar: &ProgressBar, limit: usize) -> Epoch {
    let mut steps = Vec::new();
    bar.set_message(format!("epoch {}", trainer.epochs_done() + 1));
    bar.set_length(trainer.batches_per_epoch() as u64);
    bar.set_position(0);
    let metrics = trainer.run_epoch(|r| {
        steps.push(*r);
        bar.set_position(r.batch as u64);
        if steps.len() >= limit {
            ControlFlow::Break(())
        } else {
            ControlFlow::Continue(())
        }
    });
    Epoch {
        method: trainer.method(),
        steps,
        metrics,
    }
}

fn report(epoch: &Epoch, jsonl: bool, progress: &Progress) {
    let method = epoch.method;
    if jsonl {
        for r in &epoch.steps {
            let line = serde_json::json!({
                "method": method.label(), "step": r.step, "loss": r.loss, "lmod": r.lmod,
                "grad_norm": r.grad_norm, "branch": r.branch, "batch_acc": r.batch_acc,
            });
            progress.println(&line.to_string());
        }
    } else if let Some(m) = &epoch.metrics {
        progress.println(&format!("{}  ({:.1} s)", m.log_line(method), m.seconds));
    }
}
