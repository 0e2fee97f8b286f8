//! The AYLA rule: the batch loss and every gradient element raised to a power N,
//! with N chosen by comparing |L| with 1 (SPEC §1).

use serde::Serialize;

use crate::fastmath::{self, Lanes, Power};

/// Added to |L| and |g| before raising them to a power, as in the original.
pub const EPSILON: f32 = 1e-7;

/// Which side of 1 the batch loss fell on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Branch {
    /// |L| > 1: N = N1.
    #[serde(rename = ">1")]
    Above,
    /// |L| < 1: N = N2.
    #[serde(rename = "<1")]
    Below,
    /// |L| == 1 exactly: no modification.
    #[serde(rename = "=1")]
    Unit,
}

/// The modified loss L' and what the chain rule needs from it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PoweredLoss {
    pub branch: Branch,
    /// The exponent N used for this batch (1 when unmodified).
    pub exponent: f32,
    /// L' = sign(L) · (|L| + ε)^N.
    pub lmod: f32,
    /// dL'/dL = N · (|L| + ε)^(N − 1): every parameter gradient of L is scaled by it.
    pub dlmod_dl: f32,
}

/// Applies the loss half of the AYLA rule to a batch loss.
pub fn power_loss(loss: f32, n1: f32, n2: f32) -> PoweredLoss {
    let magnitude = loss.abs();
    let (branch, exponent) = if magnitude > 1.0 {
        (Branch::Above, n1)
    } else if magnitude < 1.0 {
        (Branch::Below, n2)
    } else {
        return PoweredLoss {
            branch: Branch::Unit,
            exponent: 1.0,
            lmod: loss,
            dlmod_dl: 1.0,
        };
    };
    let base = magnitude + EPSILON;
    PoweredLoss {
        branch,
        exponent,
        // The same pow as the elements': one implementation, the same bits on every target.
        lmod: sign(loss) * fastmath::pow(base, exponent),
        dlmod_dl: exponent * fastmath::pow(base, exponent - 1.0),
    }
}

/// Applies the gradient half of the rule to one element:
/// g' = N · sign(g) · |g| · (|g| + ε)^(N − 1), and a non-finite result becomes 0.
///
/// With N = 1 this returns `g` unchanged, bit for bit, which is what makes
/// AYLA with N1 = N2 = 1 identical to Normal.
#[inline]
pub fn power_gradient(g: f32, exponent: f32) -> f32 {
    GradientRule::new(exponent)
        .apply(Lanes::splat(g))
        .to_array()[0]
}

/// The gradient half of the rule for one batch's exponent N, applied to a vector of
/// elements at a time (the same arithmetic in every lane, so one element or eight give the
/// same bits). Made once per batch: it holds [`Power`]'s coefficients, which a loop over
/// the gradient then reads rather than rebuilds.
#[derive(Debug, Clone, Copy)]
pub struct GradientRule {
    exponent: Lanes,
    epsilon: Lanes,
    /// x^(N − 1).
    power: Power,
}

impl GradientRule {
    pub fn new(exponent: f32) -> GradientRule {
        GradientRule {
            exponent: Lanes::splat(exponent),
            epsilon: Lanes::splat(EPSILON),
            power: Power::new(exponent - 1.0),
        }
    }

    /// g' for each lane of `g`. A NaN or infinite g gives 0 (whatever the power makes of
    /// it), as does a g' that overflows.
    #[inline(always)]
    pub fn apply(&self, g: Lanes) -> Lanes {
        // sign(g) · |g| is g itself (exactly, for every finite g). With N = 1 the power is
        // exactly 1 (2^0), so g' = 1 · g · 1 = g.
        let base = g.abs() + self.epsilon;
        fastmath::zero_unless_finite(self.exponent * g * self.power.of(base))
    }
}

/// Applies [`power_gradient`] to every element of a slice.
pub fn power_gradients(grads: &mut [f32], exponent: f32) {
    if exponent == 1.0 {
        // The identity (see power_gradient). A non-finite element would also make the
        // gradient norm non-finite, which ends the run before any update.
        return;
    }
    let rule = GradientRule::new(exponent);
    for g in grads {
        *g = rule.apply(Lanes::splat(*g)).to_array()[0];
    }
}

/// NumPy/TensorFlow's sign: −1, 0 or 1 (Rust's `signum` gives 1 for 0).
fn sign(x: f32) -> f32 {
    if x > 0.0 {
        1.0
    } else if x < 0.0 {
        -1.0
    } else {
        0.0
    }
}
