//! `powf` for the AYLA gradient rule, as plain f32 arithmetic: Cephes' polynomial `ln` and
//! `exp` (about 1 ulp on the ranges used here). Unlike libm's `powf` — a scalar call,
//! and a slow software routine on wasm32 — these inline and vectorise, and they give the
//! same bits on every target.

const LN2_HI: f32 = 0.693_359_4;
const LN2_LO: f32 = -2.121_944_4e-4;
const LOG2_E: f32 = std::f32::consts::LOG2_E;
/// Beyond these, e^x overflows to infinity or underflows to zero in f32.
const EXP_MAX: f32 = 88.722_84;
const EXP_MIN: f32 = -103.972_08;
/// Adding then subtracting 1.5 · 2^23 rounds an f32 to the nearest integer.
const ROUNDER: f32 = 12_582_912.0;

/// Natural logarithm of a positive, normal, finite `x`.
#[inline(always)]
pub fn ln(x: f32) -> f32 {
    let bits = x.to_bits();
    // x = m · 2^e with m in [0.5, 1).
    let mut e = ((bits >> 23) & 0xff) as i32 - 126;
    let mut m = f32::from_bits((bits & 0x807f_ffff) | 0x3f00_0000);
    // Move m to [√½, √2) so the polynomial's argument m − 1 stays small.
    if m < std::f32::consts::FRAC_1_SQRT_2 {
        e -= 1;
        m += m;
    }
    let m = m - 1.0;
    let e = e as f32;
    let z = m * m;
    let p = (((((((7.037_683_6e-2 * m - 1.151_461e-1) * m + 1.167_699_9e-1) * m
        - 1.242_014_1e-1)
        * m
        + 1.424_932_3e-1)
        * m
        - 1.666_805_8e-1)
        * m
        + 2.000_071_4e-1)
        * m
        - 2.499_999_4e-1)
        * m
        + 0.333_333_3;
    let y = p * m * z + LN2_LO * e - 0.5 * z;
    m + y + LN2_HI * e
}

/// e^x, with overflow to infinity and underflow to zero.
#[inline(always)]
pub fn exp(x: f32) -> f32 {
    let clamped = x.clamp(EXP_MIN, EXP_MAX);
    let t = clamped * LOG2_E + ROUNDER;
    // The low bits of t hold the rounded integer n = round(x · log2 e).
    let n = t.to_bits() as i32 - ROUNDER.to_bits() as i32;
    let nf = t - ROUNDER;
    let r = clamped - nf * LN2_HI - nf * LN2_LO;
    let z = r * r;
    let p = ((((1.987_569_1e-4 * r + 1.398_199_9e-3) * r + 8.333_452e-3) * r + 4.166_579_6e-2) * r
        + 1.666_666_5e-1)
        * r
        + 0.5;
    let y = p * z + r + 1.0;
    // Scale by 2^n in two halves so results below f32's normal range stay exact.
    let half = n / 2;
    let scaled = y * pow2(half) * pow2(n - half);
    if x > EXP_MAX {
        f32::INFINITY
    } else if x < EXP_MIN {
        0.0
    } else {
        scaled
    }
}

/// 2^n for n in −126..=127.
#[inline(always)]
fn pow2(n: i32) -> f32 {
    f32::from_bits(((n + 127) as u32) << 23)
}

/// base^exponent for a positive, normal `base`; exact for the exponents 1 (`base` itself)
/// and 0 (1), as libm's `powf` is.
#[inline(always)]
pub fn pow(base: f32, exponent: f32) -> f32 {
    let power = exp(exponent * ln(base));
    // A select, not a branch: the element-wise loops stay vectorised.
    if exponent == 1.0 {
        base
    } else {
        power
    }
}
