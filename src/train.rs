//! Training one method (Normal or AYLA) for a run: batches, optimizer steps, per-epoch
//! metrics, and with held-out validation the test set's score at the end.

use std::ops::{ControlFlow, Range};
use std::sync::Arc;

use rand::seq::SliceRandom;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

use crate::ayla::{self, Branch};
use crate::config::Config;
use crate::method::Method;
use crate::mnist::Dataset;
use crate::model::{Grads, Mlp, Workspace};
use crate::optimizer::OptimizerState;
use crate::split::Split;

/// What one training step saw and did.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct StepReport {
    /// 1-based step count over the whole run.
    pub step: usize,
    /// 1-based batch number within the epoch, and the epoch's batch count.
    pub batch: usize,
    pub batches: usize,
    /// The batch's mean cross-entropy L, before the update.
    pub loss: f32,
    /// The loss that was optimised: L' for AYLA, L for Normal.
    pub lmod: f32,
    /// Global L2 norm of the gradients of the optimised loss, before any element-wise change.
    pub grad_norm: f32,
    /// Which AYLA branch was taken (`None` for Normal).
    pub branch: Option<Branch>,
    pub batch_acc: f32,
}

impl StepReport {
    /// Whether the run broke at this step: the loss, the optimised loss or the gradient
    /// norm is NaN or infinite (with N = 4, L' overflows f32 while L is still finite).
    pub fn is_diverged(&self) -> bool {
        !(self.loss.is_finite() && self.lmod.is_finite() && self.grad_norm.is_finite())
    }
}

/// One epoch's metrics, as the original defines them. A value that is not finite (a
/// diverged run) travels as JSON `null` and comes back as NaN.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct EpochMetrics {
    /// 1-based.
    pub epoch: usize,
    /// Mean over the epoch's batches of L, from pre-update predictions.
    #[serde(deserialize_with = "null_as_nan")]
    pub loss: f32,
    /// Mean over batches of the batch accuracy, from pre-update predictions.
    #[serde(deserialize_with = "null_as_nan")]
    pub accuracy: f32,
    /// After the epoch, on the whole test set or (with held-out validation) on the held-out
    /// training images.
    #[serde(deserialize_with = "null_as_nan")]
    pub val_loss: f32,
    #[serde(deserialize_with = "null_as_nan")]
    pub val_accuracy: f32,
    /// Mean over batches of the gradient norm of the optimised loss.
    #[serde(deserialize_with = "null_as_nan")]
    pub grad_norm: f32,
    pub seconds: f64,
    /// The batch (1-based) at which the run diverged (see [`StepReport::is_diverged`]).
    pub diverged_at: Option<usize>,
}

/// serde_json writes NaN and infinities as `null`; read them back as NaN.
fn null_as_nan<'de, D: serde::Deserializer<'de>>(d: D) -> Result<f32, D::Error> {
    Ok(Option::<f32>::deserialize(d)?.unwrap_or(f32::NAN))
}

impl EpochMetrics {
    /// The original script's console line, e.g.
    /// `AYLA   - Epoch 3: Loss=0.4123, Val Loss=0.3987, Val Acc=0.8921, Grad Norm=1.2345`.
    pub fn log_line(&self, method: Method) -> String {
        let head = format!("{:<6} - Epoch {}:", method.label(), self.epoch);
        match self.diverged_at {
            Some(batch) => {
                format!("{head} diverged at batch {batch} (the loss is no longer finite)")
            }
            None => format!(
                "{head} Loss={:.4}, Val Loss={:.4}, Val Acc={:.4}, Grad Norm={:.4}",
                self.loss, self.val_loss, self.val_accuracy, self.grad_norm
            ),
        }
    }
}

/// The line after a held-out run's last epoch line, with the test set's score, e.g.
/// `AYLA   - Test set, scored once after the last epoch: Test Loss=0.2871, Test Acc=0.9195`.
pub fn test_log_line(method: Method, test: &TestScore) -> String {
    format!(
        "{:<6} - Test set, scored once after the last epoch: Test Loss={:.4}, Test Acc={:.4}",
        method.label(),
        test.loss,
        test.accuracy
    )
}

/// The order of the training images in a given epoch (0-based): a seeded shuffle that
/// depends only on the seed and the epoch, so separate workers agree on it.
pub fn epoch_order(seed: u64, epoch: usize, count: usize, shuffle: bool) -> Vec<u32> {
    let mut order: Vec<u32> = (0..count as u32).collect();
    if shuffle {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        // Stream 0 draws the initial weights; each epoch has a stream of its own.
        rng.set_stream(1 + epoch as u64);
        order.shuffle(&mut rng);
    }
    order
}

/// The parts of a training step, in order, and the epoch's validation pass: what
/// [`Laps`] are told, so `make bench` can show where a step's time goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// Taking the batch's images and labels (and the caller's work since the last step).
    Batch,
    /// h1 = ReLU(x · W1 + b1), over each image's nonzero pixels.
    Layer1Forward,
    /// The dense layers after the first: each deeper hidden layer's ReLU(h · W + b), then
    /// the logits z = h · W + b (with one hidden layer, just z = h · W2 + b2).
    Layer2Forward,
    /// Cross-entropy from the logits, and dL/dz.
    Softmax,
    /// The dense layers' gradients, from the output layer down, and dL/dh through each
    /// kernel and ReLU down to the first layer's.
    Layer2Backward,
    /// W1's and b1's gradients.
    Layer1Backward,
    /// AYLA: L' and dL'/dL from the batch loss.
    LossFactor,
    /// AYLA: every gradient times dL'/dL (the chain rule through L'); then the gradient's
    /// global L2 norm, in the same pass.
    Norm,
    /// The optimizer step (for AYLA with the element-wise rule applied on the way).
    Update,
    /// The validation images' loss and accuracy after an epoch (and with held-out
    /// validation, the test set's after the last).
    Validation,
}

impl Phase {
    pub const ALL: [Phase; 10] = [
        Phase::Batch,
        Phase::Layer1Forward,
        Phase::Layer2Forward,
        Phase::Softmax,
        Phase::Layer2Backward,
        Phase::Layer1Backward,
        Phase::LossFactor,
        Phase::Norm,
        Phase::Update,
        Phase::Validation,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Phase::Batch => "batch",
            Phase::Layer1Forward => "layer1_forward",
            Phase::Layer2Forward => "layer2_forward",
            Phase::Softmax => "softmax",
            Phase::Layer2Backward => "layer2_backward",
            Phase::Layer1Backward => "layer1_backward",
            Phase::LossFactor => "loss_factor",
            Phase::Norm => "norm",
            Phase::Update => "update",
            Phase::Validation => "validation",
        }
    }
}

/// Told when each [`Phase`] of a step ends: a profiler reads its clock there. Training
/// itself passes `()`, whose laps compile to nothing.
pub trait Laps {
    fn lap(&mut self, phase: Phase);
}

impl Laps for () {
    #[inline(always)]
    fn lap(&mut self, _: Phase) {}
}

/// Loss and accuracy of a model over a set of images (a value that is not finite travels
/// as JSON `null` and comes back as NaN).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Evaluation {
    #[serde(deserialize_with = "null_as_nan")]
    pub loss: f32,
    #[serde(deserialize_with = "null_as_nan")]
    pub accuracy: f32,
}

/// The test set's loss and accuracy, scored once at the end of a run validated on held-out
/// training images (`{ "loss": 0.2871, "accuracy": 0.9195 }`); runs carry it as
/// [`crate::history::Run::test`].
pub type TestScore = Evaluation;

/// Sums over the batches of the epoch in progress, kept between calls so an epoch that
/// was paused (the step callback asked to stop) resumes where it left off.
struct EpochProgress {
    order: Vec<u32>,
    batches_done: usize,
    loss_sum: f64,
    acc_sum: f64,
    norm_sum: f64,
    started: f64,
    diverged_at: Option<usize>,
}

/// Trains one method through a run, one epoch at a time. AYLA takes its exponents from the
/// config.
pub struct Trainer {
    config: Config,
    method: Method,
    model: Mlp,
    grads: Grads,
    /// The base optimizer's state (momentum's velocity, Adam's moments), zero at the start.
    optimizer: OptimizerState,
    workspace: Workspace,
    /// The training images the run uses, divided by `split` into those trained on and
    /// those held out.
    train: Arc<Dataset>,
    split: Split,
    test: Arc<Dataset>,
    /// The test set's score, taken once after the last epoch when held-out images validate.
    test_score: Option<TestScore>,
    /// Seconds from some fixed origin; injected so the core needs no browser or OS clock.
    clock: fn() -> f64,
    epochs_done: usize,
    steps_done: usize,
    in_progress: Option<EpochProgress>,
    diverged: bool,
}

impl Trainer {
    /// A trainer starting from the config's seeded Glorot init. `train` should already
    /// hold only the images the run uses (see [`Dataset::take`]); with held-out validation
    /// its last `config.holdout` are set aside (see [`Split`]).
    pub fn new(
        config: Config,
        method: Method,
        train: Arc<Dataset>,
        test: Arc<Dataset>,
        clock: fn() -> f64,
    ) -> Trainer {
        let model = Mlp::glorot(config.hidden, config.seed);
        Trainer::with_model(config, method, model, train, test, clock)
    }

    /// A trainer starting from given parameters (for reference runs).
    pub fn with_model(
        config: Config,
        method: Method,
        model: Mlp,
        train: Arc<Dataset>,
        test: Arc<Dataset>,
        clock: fn() -> f64,
    ) -> Trainer {
        let hidden = model.hidden();
        let lengths: Vec<usize> = model.slices().iter().map(|s| s.len()).collect();
        let split = Split::new(&config, train.len());
        Trainer {
            config,
            method,
            grads: Mlp::zeros(hidden),
            optimizer: OptimizerState::new(config.optimizer, config.learning_rate, &lengths),
            workspace: Workspace::new(config.batch_size.min(split.trained).max(1), hidden),
            model,
            train,
            split,
            test,
            test_score: None,
            clock,
            epochs_done: 0,
            steps_done: 0,
            in_progress: None,
            diverged: false,
        }
    }

    pub fn model(&self) -> &Mlp {
        &self.model
    }

    pub fn method(&self) -> Method {
        self.method
    }

    pub fn epochs_done(&self) -> usize {
        self.epochs_done
    }

    /// Whether the run is over: every epoch done, or the loss stopped being finite.
    pub fn is_finished(&self) -> bool {
        self.diverged || self.epochs_done >= self.config.epochs
    }

    pub fn is_diverged(&self) -> bool {
        self.diverged
    }

    /// Number of batches in one epoch (the last one holds the remainder).
    pub fn batches_per_epoch(&self) -> usize {
        self.split.trained.div_ceil(self.workspace.capacity())
    }

    /// Which of the training images are trained on and which validate.
    pub fn split(&self) -> &Split {
        &self.split
    }

    /// The test set's score, once a run validated on held-out images finished all its
    /// epochs; `None` otherwise (a diverged run has no meaningful one).
    pub fn test_score(&self) -> Option<TestScore> {
        self.test_score
    }

    /// Trains the current epoch, calling `on_step` after every batch. Returns the epoch's
    /// metrics, or `None` if `on_step` asked to stop before the last batch: the next call
    /// resumes at the following batch. A batch whose loss is not finite ends the run (see
    /// `diverged_at`).
    pub fn run_epoch(
        &mut self,
        on_step: impl FnMut(&StepReport) -> ControlFlow<()>,
    ) -> Option<EpochMetrics> {
        self.run_epoch_with_laps(&mut (), on_step)
    }

    /// [`Trainer::run_epoch`], telling `laps` as each phase of each step ends.
    pub fn run_epoch_with_laps(
        &mut self,
        laps: &mut impl Laps,
        mut on_step: impl FnMut(&StepReport) -> ControlFlow<()>,
    ) -> Option<EpochMetrics> {
        let mut progress = self.in_progress.take().unwrap_or_else(|| EpochProgress {
            order: epoch_order(
                self.config.seed,
                self.epochs_done,
                self.split.trained,
                self.config.shuffle,
            ),
            batches_done: 0,
            loss_sum: 0.0,
            acc_sum: 0.0,
            norm_sum: 0.0,
            started: (self.clock)(),
            diverged_at: None,
        });
        let batches = self.batches_per_epoch();
        let size = self.workspace.capacity();
        while progress.batches_done < batches && progress.diverged_at.is_none() {
            let b = progress.batches_done;
            let end = ((b + 1) * size).min(progress.order.len());
            let report = self.step(&progress.order[b * size..end], b + 1, batches, laps);
            progress.batches_done += 1;
            progress.loss_sum += f64::from(report.loss);
            progress.acc_sum += f64::from(report.batch_acc);
            progress.norm_sum += f64::from(report.grad_norm);
            if report.is_diverged() {
                progress.diverged_at = Some(b + 1);
                self.diverged = true;
            }
            if on_step(&report).is_break() && progress.batches_done < batches && !self.diverged {
                self.in_progress = Some(progress);
                return None;
            }
        }
        let metrics = self.finish_epoch(progress);
        laps.lap(Phase::Validation);
        Some(metrics)
    }

    /// Turns an epoch's sums into its metrics, validating on the test set or the held-out
    /// images; after the last epoch of a held-out run, scores the test set once.
    fn finish_epoch(&mut self, progress: EpochProgress) -> EpochMetrics {
        self.epochs_done += 1;
        let mean = |sum: f64| (sum / progress.batches_done as f64) as f32;
        let val = if self.diverged {
            Evaluation {
                loss: f32::NAN,
                accuracy: f32::NAN,
            }
        } else {
            self.evaluate_validation()
        };
        let metrics = EpochMetrics {
            epoch: self.epochs_done,
            loss: mean(progress.loss_sum),
            accuracy: mean(progress.acc_sum),
            val_loss: val.loss,
            val_accuracy: val.accuracy,
            grad_norm: mean(progress.norm_sum),
            seconds: (self.clock)() - progress.started,
            diverged_at: progress.diverged_at,
        };
        if self.split.scores_test_at_end() && self.is_finished() && !self.diverged {
            self.test_score = Some(self.evaluate_test());
        }
        metrics
    }

    /// One training step on the given training images.
    fn step(
        &mut self,
        indices: &[u32],
        batch: usize,
        batches: usize,
        laps: &mut impl Laps,
    ) -> StepReport {
        let ws = &mut self.workspace;
        ws.load(&self.train, indices.iter().map(|&i| i as usize));
        laps.lap(Phase::Batch);
        ws.hidden_layer(&self.model, &self.train);
        laps.lap(Phase::Layer1Forward);
        ws.dense_layers(&self.model);
        laps.lap(Phase::Layer2Forward);
        let stats = ws.loss_and_gradient(true);
        laps.lap(Phase::Softmax);
        self.steps_done += 1;
        let mut report = StepReport {
            step: self.steps_done,
            batch,
            batches,
            loss: stats.loss,
            lmod: stats.loss,
            grad_norm: f32::NAN,
            branch: None,
            batch_acc: stats.correct as f32 / indices.len() as f32,
        };
        if !stats.loss.is_finite() {
            return report;
        }
        ws.dense_layers_backward(&mut self.grads);
        laps.lap(Phase::Layer2Backward);
        ws.hidden_layer_backward(&self.train, &mut self.grads);
        laps.lap(Phase::Layer1Backward);
        let (exponent, factor) = match self.method {
            Method::Normal => (1.0, 1.0),
            Method::Ayla => {
                let powered = ayla::power_loss(stats.loss, self.config.n1, self.config.n2);
                report.lmod = powered.lmod;
                report.branch = Some(powered.branch);
                (powered.exponent, powered.dlmod_dl)
            }
        };
        laps.lap(Phase::LossFactor);
        // Gradients of L' = gradients of L times dL'/dL (the chain rule), then their norm.
        let rows = ws.active_pixels();
        report.grad_norm = self.grads.scale_and_norm(factor, rows);
        laps.lap(Phase::Norm);
        if report.is_diverged() {
            return report;
        }
        // AYLA's element-wise rule transforms the gradient the optimizer is handed.
        let (grads, optimizer) = (&mut self.grads, &mut self.optimizer);
        if exponent == 1.0 {
            // The AYLA element-wise rule with N = 1 is the identity (see ayla::power_gradient).
            self.model.apply_gradients(grads, rows, optimizer, |g| g);
        } else {
            let rule = ayla::GradientRule::new(exponent);
            self.model
                .apply_gradients(grads, rows, optimizer, |g| rule.apply(g));
        }
        laps.lap(Phase::Update);
        report
    }

    /// Loss and accuracy on the whole test set, in batches through the same buffers.
    pub fn evaluate_test(&mut self) -> Evaluation {
        evaluate(&self.model, &self.test, &mut self.workspace)
    }

    /// Loss and accuracy on the validation images: the held-out ones, or the test set.
    pub fn evaluate_validation(&mut self) -> Evaluation {
        match self.split.held_out.clone() {
            Some(rows) => evaluate_rows(&self.model, &self.train, rows, &mut self.workspace),
            None => self.evaluate_test(),
        }
    }
}

/// Mean cross-entropy and accuracy of `model` over every image of `data`.
pub fn evaluate(model: &Mlp, data: &Dataset, workspace: &mut Workspace) -> Evaluation {
    evaluate_rows(model, data, 0..data.len(), workspace)
}

/// Mean cross-entropy and accuracy of `model` over the images `rows` of `data`, taken in
/// batches of the workspace's capacity from the first.
pub fn evaluate_rows(
    model: &Mlp,
    data: &Dataset,
    rows: Range<usize>,
    workspace: &mut Workspace,
) -> Evaluation {
    let (mut loss_sum, mut correct) = (0.0f64, 0usize);
    for start in rows.clone().step_by(workspace.capacity()) {
        let batch = start..(start + workspace.capacity()).min(rows.end);
        let count = batch.len();
        workspace.forward(model, data, batch);
        let stats = workspace.loss_and_gradient(false);
        loss_sum += f64::from(stats.loss) * count as f64;
        correct += stats.correct;
    }
    Evaluation {
        loss: (loss_sum / rows.len() as f64) as f32,
        accuracy: correct as f32 / rows.len() as f32,
    }
}
