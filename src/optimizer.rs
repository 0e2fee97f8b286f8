//! The base optimizers that turn a gradient into a step, with Keras' semantics (as
//! `tests/golden/README.md` writes them out): plain SGD, SGD with momentum 0.9 (no
//! Nesterov), and Adam (β1 0.9, β2 0.999, ε 1e-7 in Keras' "epsilon hat" form). For AYLA
//! the gradient handed over is the one its element-wise rule already transformed, as the
//! original's `optimizer.apply_gradients` receives it.
//!
//! The rules work on flat slices of one parameter tensor, its gradient and its state, so a
//! network of any shape steps each of its tensors the same way. Each element goes through
//! plain IEEE adds, multiplies, divisions and square roots, eight lanes at a time (no fused
//! multiply-add), so every target and browser engine gives the same bits.

use crate::config::Optimizer;
use crate::fastmath::{self, Lanes, LANES};

/// Momentum's β: the part of the last step's velocity kept.
pub const MOMENTUM: f32 = 0.9;
/// Adam's decay rates of its first and second moments, and its ε.
pub const BETA_1: f64 = 0.9;
pub const BETA_2: f64 = 0.999;
pub const EPSILON: f32 = 1e-7;

/// 1 − β1 and 1 − β2, rounded once from the exact differences (as Keras takes them from
/// Python floats).
const ONE_MINUS_BETA_1: f32 = (1.0 - BETA_1) as f32;
const ONE_MINUS_BETA_2: f32 = (1.0 - BETA_2) as f32;

/// An optimizer through one run: its learning rate and what it keeps per parameter tensor
/// (zero at the start).
#[derive(Debug, Clone, PartialEq)]
pub struct OptimizerState {
    learning_rate: f32,
    slots: Slots,
}

/// What each kind keeps, one vector per tensor, each as long as its tensor.
#[derive(Debug, Clone, PartialEq)]
enum Slots {
    /// Plain SGD keeps nothing.
    Sgd,
    Momentum {
        velocity: Vec<Vec<f32>>,
    },
    Adam {
        m: Vec<Vec<f32>>,
        v: Vec<Vec<f32>>,
        /// β1^t and β2^t after t steps (t counts from 1 at the first step), by repeated
        /// multiplication in f64 (no `powf`, whose result may differ between targets).
        powers: (f64, f64),
    },
}

impl OptimizerState {
    /// A fresh optimizer for parameter tensors of the given lengths (in the order
    /// [`OptimizerState::step`] will be given them).
    pub fn new(kind: Optimizer, learning_rate: f32, lengths: &[usize]) -> OptimizerState {
        let zeros = || lengths.iter().map(|&n| vec![0.0; n]).collect();
        let slots = match kind {
            Optimizer::Sgd => Slots::Sgd,
            Optimizer::Momentum => Slots::Momentum { velocity: zeros() },
            Optimizer::Adam => Slots::Adam {
                m: zeros(),
                v: zeros(),
                powers: (1.0, 1.0),
            },
        };
        OptimizerState {
            learning_rate,
            slots,
        }
    }

    pub fn kind(&self) -> Optimizer {
        match self.slots {
            Slots::Sgd => Optimizer::Sgd,
            Slots::Momentum { .. } => Optimizer::Momentum,
            Slots::Adam { .. } => Optimizer::Adam,
        }
    }

    pub fn learning_rate(&self) -> f32 {
        self.learning_rate
    }

    /// One step on every tensor: `tensors` gives each parameter tensor with its gradient,
    /// in the order and lengths the state was made for. Every element moves (momentum's
    /// velocity and Adam's moments decay even where the gradient is zero); plain SGD
    /// leaves an element with zero gradient as it was, which lets a caller skip those.
    pub fn step<'a>(&mut self, tensors: impl IntoIterator<Item = (&'a mut [f32], &'a [f32])>) {
        let lr = self.learning_rate;
        let mut tensors = tensors.into_iter();
        match &mut self.slots {
            Slots::Sgd => tensors
                .by_ref()
                .for_each(|(param, grad)| sgd(param, grad, lr)),
            Slots::Momentum { velocity } => {
                for (i, velocity) in velocity.iter_mut().enumerate() {
                    let (param, grad) = tensors.next().unwrap_or_else(|| missing(i));
                    momentum(param, grad, velocity, lr);
                }
            }
            Slots::Adam { m, v, powers } => {
                let alpha = adam_step_size(lr, powers);
                for (i, (m, v)) in m.iter_mut().zip(v).enumerate() {
                    let (param, grad) = tensors.next().unwrap_or_else(|| missing(i));
                    adam(param, grad, m, v, alpha);
                }
            }
        }
        assert!(
            tensors.next().is_none(),
            "more tensors than the optimizer has state for"
        );
    }
}

fn missing(tensor: usize) -> ! {
    panic!("the optimizer has state for tensor {tensor}, but was not given it")
}

/// Plain SGD, w ← w − lr·g.
fn sgd(param: &mut [f32], grad: &[f32], learning_rate: f32) {
    same_lengths(param, [grad]);
    let lr = Lanes::splat(learning_rate);
    let rule = |w: Lanes, g: Lanes| w - lr * g;
    let (mut params, mut grads) = (param.chunks_exact_mut(LANES), grad.chunks_exact(LANES));
    for (w, g) in params.by_ref().zip(grads.by_ref()) {
        fastmath::store(rule(fastmath::load(w), fastmath::load(g)), w);
    }
    for (w, &g) in params.into_remainder().iter_mut().zip(grads.remainder()) {
        *w = first(rule(Lanes::splat(*w), Lanes::splat(g)));
    }
}

/// SGD with momentum: v ← β·v − lr·g, w ← w + v.
fn momentum(param: &mut [f32], grad: &[f32], velocity: &mut [f32], learning_rate: f32) {
    same_lengths(param, [grad, velocity]);
    let (beta, lr) = (Lanes::splat(MOMENTUM), Lanes::splat(learning_rate));
    let rule = |w: Lanes, g: Lanes, v: Lanes| {
        let v = beta * v - lr * g;
        (w + v, v)
    };
    let (mut params, mut grads) = (param.chunks_exact_mut(LANES), grad.chunks_exact(LANES));
    let mut velocities = velocity.chunks_exact_mut(LANES);
    for ((w, g), v) in params.by_ref().zip(grads.by_ref()).zip(velocities.by_ref()) {
        let (new_w, new_v) = rule(fastmath::load(w), fastmath::load(g), fastmath::load(v));
        fastmath::store(new_w, w);
        fastmath::store(new_v, v);
    }
    let params = params.into_remainder().iter_mut();
    let tail = params
        .zip(grads.remainder())
        .zip(velocities.into_remainder());
    for ((w, &g), v) in tail {
        let (new_w, new_v) = rule(Lanes::splat(*w), Lanes::splat(g), Lanes::splat(*v));
        (*w, *v) = (first(new_w), first(new_v));
    }
}

/// Adam with step size `alpha` (see [`adam_step_size`]): m ← m + (g − m)(1 − β1),
/// v ← v + (g² − v)(1 − β2), w ← w − α·m/(√v + ε), the product α·m taken first as Keras
/// does.
fn adam(param: &mut [f32], grad: &[f32], m: &mut [f32], v: &mut [f32], alpha: f32) {
    same_lengths(param, [grad, m, v]);
    let c = Lanes::splat;
    let (decay_1, decay_2) = (c(ONE_MINUS_BETA_1), c(ONE_MINUS_BETA_2));
    let (alpha, epsilon) = (c(alpha), c(EPSILON));
    let rule = |w: Lanes, g: Lanes, m: Lanes, v: Lanes| {
        let m = m + (g - m) * decay_1;
        let v = v + (g * g - v) * decay_2;
        (w - (m * alpha) / (v.sqrt() + epsilon), m, v)
    };
    let (mut params, mut grads) = (param.chunks_exact_mut(LANES), grad.chunks_exact(LANES));
    let (mut ms, mut vs) = (m.chunks_exact_mut(LANES), v.chunks_exact_mut(LANES));
    let chunks = params
        .by_ref()
        .zip(grads.by_ref())
        .zip(ms.by_ref())
        .zip(vs.by_ref());
    for (((w, g), m), v) in chunks {
        let load = fastmath::load;
        let (new_w, new_m, new_v) = rule(load(w), load(g), load(m), load(v));
        fastmath::store(new_w, w);
        fastmath::store(new_m, m);
        fastmath::store(new_v, v);
    }
    let params = params.into_remainder().iter_mut();
    let tail = params
        .zip(grads.remainder())
        .zip(ms.into_remainder())
        .zip(vs.into_remainder());
    for (((w, &g), m), v) in tail {
        let splat = Lanes::splat;
        let (new_w, new_m, new_v) = rule(splat(*w), splat(g), splat(*m), splat(*v));
        (*w, *m, *v) = (first(new_w), first(new_m), first(new_v));
    }
}

/// Advances β1^t and β2^t to the step being taken and returns its bias-corrected step size
/// α = lr·√(1 − β2^t)/(1 − β1^t), worked out in f64 and rounded once.
fn adam_step_size(learning_rate: f32, powers: &mut (f64, f64)) -> f32 {
    powers.0 *= BETA_1;
    powers.1 *= BETA_2;
    (f64::from(learning_rate) * (1.0 - powers.1).sqrt() / (1.0 - powers.0)) as f32
}

/// A tensor's last few elements go through a rule in the first lane of a vector, so every
/// element gets the same arithmetic; this takes that lane back.
fn first(lanes: Lanes) -> f32 {
    lanes.to_array()[0]
}

/// Checks that a tensor, its gradient and its optimizer state line up element for element.
fn same_lengths<const K: usize>(param: &[f32], others: [&[f32]; K]) {
    assert!(
        others.iter().all(|o| o.len() == param.len()),
        "a tensor, its gradient and its optimizer state differ in length"
    );
}
