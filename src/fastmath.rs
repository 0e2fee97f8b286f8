//! `powf` for the AYLA rule, as plain f32 arithmetic on eight lanes at once: Cephes'
//! polynomial `ln` and `exp` (about 1 ulp on the ranges used here). Unlike libm's `powf` —
//! a scalar call, a slow software routine on wasm32, and not the same routine on every
//! target — these are only IEEE adds, multiplies, compares and bit operations, so they give
//! the same bits on every target (and every browser engine), one element or eight at a time.
//!
//! The lanes are `wide`'s `f32x8`: two simd128 (or SSE) registers side by side, so the
//! polynomials' long chains of dependent operations run two at a time. The one-element
//! functions run the same code on one lane, so there is one implementation of each.

use wide::{f32x8, i32x8, CmpGt, CmpLt};

/// The vector the functions work on.
pub type Lanes = f32x8;
/// Its integer counterpart, for the bit manipulations.
type IntLanes = i32x8;
/// Elements per [`Lanes`].
pub const LANES: usize = 8;

const LN2_HI: f32 = 0.693_359_4;
const LN2_LO: f32 = -2.121_944_4e-4;
const LOG2_E: f32 = std::f32::consts::LOG2_E;
/// Beyond these, e^x overflows to infinity or underflows to zero in f32.
const EXP_MAX: f32 = 88.722_84;
const EXP_MIN: f32 = -103.972_08;
/// Adding then subtracting 1.5 · 2^23 rounds an f32 to the nearest integer.
const ROUNDER: f32 = 12_582_912.0;

/// Natural logarithm of positive, normal, finite values.
#[inline(always)]
pub fn ln_lanes(x: Lanes) -> Lanes {
    let bits: IntLanes = bytemuck::cast(x);
    // x = m · 2^e with m in [0.5, 1).
    let e: IntLanes = ((bits >> 23_u32) & IntLanes::splat(0xff)) - IntLanes::splat(126);
    let m: Lanes = bytemuck::cast(
        (bits & IntLanes::splat(0x807f_ffff_u32 as i32)) | IntLanes::splat(0x3f00_0000),
    );
    // Move m to [√½, √2) so the polynomial's argument m − 1 stays small: m doubles and e
    // drops by one where m < √½ (the mask is −1 there).
    let small = m.cmp_lt(Lanes::splat(std::f32::consts::FRAC_1_SQRT_2));
    let e: IntLanes = e + bytemuck::cast::<Lanes, IntLanes>(small);
    let m = small.blend(m + m, m) - Lanes::splat(1.0);
    let e = e.round_float();
    let z = m * m;
    let c = Lanes::splat;
    let p = (((((((c(7.037_683_6e-2) * m - c(1.151_461e-1)) * m + c(1.167_699_9e-1)) * m
        - c(1.242_014_1e-1))
        * m
        + c(1.424_932_3e-1))
        * m
        - c(1.666_805_8e-1))
        * m
        + c(2.000_071_4e-1))
        * m
        - c(2.499_999_4e-1))
        * m
        + c(0.333_333_3);
    let y = p * m * z + c(LN2_LO) * e - c(0.5) * z;
    m + y + c(LN2_HI) * e
}

/// e^x, with overflow to infinity and underflow to zero.
#[inline(always)]
pub fn exp_lanes(x: Lanes) -> Lanes {
    let c = Lanes::splat;
    let (lowest, highest) = (c(EXP_MIN), c(EXP_MAX));
    // Compare-and-select, as f32::clamp (a NaN stays a NaN on every target).
    let clamped = x.cmp_lt(lowest).blend(lowest, x);
    let clamped = clamped.cmp_gt(highest).blend(highest, clamped);
    let t = clamped * c(LOG2_E) + c(ROUNDER);
    // The low bits of t hold the rounded integer n = round(x · log2 e).
    let n: IntLanes =
        bytemuck::cast::<Lanes, IntLanes>(t) - IntLanes::splat(ROUNDER.to_bits() as i32);
    let nf = t - c(ROUNDER);
    let r = clamped - nf * c(LN2_HI) - nf * c(LN2_LO);
    let z = r * r;
    let p = ((((c(1.987_569_1e-4) * r + c(1.398_199_9e-3)) * r + c(8.333_452e-3)) * r
        + c(4.166_579_6e-2))
        * r
        + c(1.666_666_5e-1))
        * r
        + c(0.5);
    let y = p * z + r + c(1.0);
    // Scale by 2^n in two halves so results below f32's normal range stay exact; the half
    // is n / 2 rounded toward zero.
    let half: IntLanes = (n - (n >> 31_u32)) >> 1_u32;
    let scaled = y * pow2(half) * pow2(n - half);
    let zero_below = x.cmp_lt(lowest).blend(c(0.0), scaled);
    x.cmp_gt(highest).blend(c(f32::INFINITY), zero_below)
}

/// 2^n for n in −126..=127.
#[inline(always)]
fn pow2(n: IntLanes) -> Lanes {
    bytemuck::cast((n + IntLanes::splat(127)) << 23_u32)
}

/// base^exponent for positive, normal `base`; exact for the exponents 1
/// (`base` itself) and 0 (1), as libm's `powf` is.
#[inline(always)]
pub fn pow_lanes(base: Lanes, exponent: f32) -> Lanes {
    if exponent == 1.0 {
        base
    } else {
        exp_lanes(Lanes::splat(exponent) * ln_lanes(base))
    }
}

/// [`ln_lanes`] of one value.
#[inline]
pub fn ln(x: f32) -> f32 {
    first(ln_lanes(Lanes::splat(x)))
}

/// [`exp_lanes`] of one value.
#[inline]
pub fn exp(x: f32) -> f32 {
    first(exp_lanes(Lanes::splat(x)))
}

/// [`pow_lanes`] of one value.
#[inline]
pub fn pow(base: f32, exponent: f32) -> f32 {
    first(pow_lanes(Lanes::splat(base), exponent))
}

fn first(lanes: Lanes) -> f32 {
    lanes.to_array()[0]
}

/// The first [`LANES`] elements of `values`, as lanes.
#[inline(always)]
pub fn load(values: &[f32]) -> Lanes {
    let lanes: [f32; LANES] = values[..LANES].try_into().expect("a whole vector");
    Lanes::from(lanes)
}

/// Writes `lanes` to the first [`LANES`] elements of `values`.
#[inline(always)]
pub fn store(lanes: Lanes, values: &mut [f32]) {
    values[..LANES].copy_from_slice(&lanes.to_array());
}
