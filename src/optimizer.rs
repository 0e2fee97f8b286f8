//! The base optimizers that turn a gradient into a step, with Keras' semantics (SPEC §1 and
//! `tests/golden/README.md`): plain SGD, SGD with momentum 0.9 (no Nesterov), and Adam
//! (β1 0.9, β2 0.999, ε 1e-7 in Keras' "epsilon hat" form). For AYLA the gradient handed
//! over is the one its element-wise rule already transformed, as the original's
//! `optimizer.apply_gradients` receives it.
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

/// An optimizer through one run: what it keeps per parameter tensor (zero at the start)
/// and its step count.
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
    let lr = Lanes::splat(learning_rate);
    lanewise(param, grad, [], |w, g, []| w - lr * g);
}

/// SGD with momentum: v ← β·v − lr·g, w ← w + v.
fn momentum(param: &mut [f32], grad: &[f32], velocity: &mut [f32], learning_rate: f32) {
    let (beta, lr) = (Lanes::splat(MOMENTUM), Lanes::splat(learning_rate));
    lanewise(param, grad, [velocity], |w, g, [v]| {
        *v = beta * *v - lr * g;
        w + *v
    });
}

/// Adam with step size `alpha` (see [`adam_step_size`]): m ← m + (g − m)(1 − β1),
/// v ← v + (g² − v)(1 − β2), w ← w − α·m/(√v + ε), the product α·m taken first as Keras
/// does.
fn adam(param: &mut [f32], grad: &[f32], m: &mut [f32], v: &mut [f32], alpha: f32) {
    let c = Lanes::splat;
    let (decay_1, decay_2) = (c(ONE_MINUS_BETA_1), c(ONE_MINUS_BETA_2));
    let (alpha, epsilon) = (c(alpha), c(EPSILON));
    lanewise(param, grad, [m, v], |w, g, [m, v]| {
        *m = *m + (g - *m) * decay_1;
        *v = *v + (g * g - *v) * decay_2;
        w - (*m * alpha) / (v.sqrt() + epsilon)
    });
}

/// Advances β1^t and β2^t to the step being taken and returns its bias-corrected step size
/// α = lr·√(1 − β2^t)/(1 − β1^t), worked out in f64 and rounded once.
fn adam_step_size(learning_rate: f32, powers: &mut (f64, f64)) -> f32 {
    powers.0 *= BETA_1;
    powers.1 *= BETA_2;
    (f64::from(learning_rate) * (1.0 - powers.1).sqrt() / (1.0 - powers.0)) as f32
}

/// Runs `rule(w, g, slots)` → new w over every element of a tensor, its gradient and `S`
/// state vectors of the same length, a vector of elements at a time; the last few go
/// through it in the first lane, so every element gets the same arithmetic.
#[inline(always)]
fn lanewise<const S: usize>(
    param: &mut [f32],
    grad: &[f32],
    mut slots: [&mut [f32]; S],
    rule: impl Fn(Lanes, Lanes, &mut [Lanes; S]) -> Lanes,
) {
    let n = param.len();
    assert!(
        grad.len() == n && slots.iter().all(|s| s.len() == n),
        "a tensor, its gradient and its optimizer state differ in length"
    );
    let whole = n - n % LANES;
    for i in (0..whole).step_by(LANES) {
        let mut state = slots.each_ref().map(|s| fastmath::load(&s[i..]));
        let w = rule(
            fastmath::load(&param[i..]),
            fastmath::load(&grad[i..]),
            &mut state,
        );
        fastmath::store(w, &mut param[i..]);
        for (slot, lanes) in slots.iter_mut().zip(state) {
            fastmath::store(lanes, &mut slot[i..]);
        }
    }
    let first = |lanes: Lanes| lanes.to_array()[0];
    for i in whole..n {
        let mut state = slots.each_ref().map(|s| Lanes::splat(s[i]));
        param[i] = first(rule(
            Lanes::splat(param[i]),
            Lanes::splat(grad[i]),
            &mut state,
        ));
        for (slot, lanes) in slots.iter_mut().zip(state) {
            slot[i] = first(lanes);
        }
    }
}
