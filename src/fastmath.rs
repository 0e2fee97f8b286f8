//! `ln` and `exp` for the softmax, and `powf` for the AYLA rule, as plain f32 arithmetic on
//! eight lanes at once: Cephes' polynomial `ln` and `exp` (about 1 ulp on the ranges used
//! here), and [`Power`], x^a as 2^(a · log2 x) with shorter polynomials of its own. Unlike
//! libm's — scalar calls, slow software routines on wasm32, and not the same routines on
//! every target — these are only IEEE adds, multiplies, compares and bit operations, so
//! they give the same bits on every target (and every browser engine), one element or
//! eight at a time.
//!
//! The lanes are `wide`'s `f32x8`: two simd128 (or SSE) registers side by side, so the
//! polynomials' long chains of dependent operations run two at a time. The one-element
//! functions run the same code on one lane, so there is one implementation of each.

use wide::{f32x8, i32x8, CmpEq, CmpGt, CmpLt};

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

/// x^a for one exponent `a` and many positive, normal, finite `x` (the AYLA rule's powers
/// of |g| + ε and of |L| + ε), as 2^(a · log2 x):
/// - log2 x = k + log2 m with x = m · 2^k, m in [√½, √2), and ln m = ln(1 + t) from a
///   degree-7 polynomial in t = m − 1 (error below 1e-8, [`LN1P_Q`]);
/// - 2^y = 2^n · 2^f with n = round(y), f in [−½, ½], from a degree-5 polynomial
///   (error below 1e-8, [`EXP2_R`]); y is clamped to [−150, 128], so the result
///   overflows to infinity and underflows to zero (through the subnormals) as powf's does.
///
/// Relative error about 1e-7 · (1 + |a · ln x|): y's own rounding grows with |y|. It is
/// Cephes' exp(a · ln x) made cheaper: 2^y needs no two-part reduction by ln 2, m is
/// reduced with integer operations, and ln(1 + t) needs only absolute accuracy (its error
/// is multiplied by a), so both polynomials are shorter. In the page's wasm the rule's
/// update takes 64 vector operations per four lanes (87 before).
///
/// The coefficients live in the value as vectors, built once per exponent and hidden from
/// the optimisers (`black_box`). As constants, wasm-opt puts them back at every use and V8
/// rebuilds a vector constant at each use inside a loop (43 per four lanes before).
#[derive(Debug, Clone, Copy)]
pub struct Power {
    /// a = 1: x^a is x itself, exactly (as powf's is; a = 0 gives exactly 1 on its own).
    identity: bool,
    a: Lanes,
    log2_e: Lanes,
    ln1p_q: [Lanes; LN1P_Q.len()],
    exp2_r: [Lanes; EXP2_R.len()],
    one: Lanes,
    half: Lanes,
    lowest: Lanes,
    highest: Lanes,
    rounder: Lanes,
    rounder_bits: IntLanes,
    sqrt_half_bits: IntLanes,
    mantissa_bits: IntLanes,
    bias: IntLanes,
}

/// q in ln(1 + t) = t + t² · (t · q(t) − ½) for t in [√½ − 1, √2 − 1], lowest degree first:
/// Chebyshev interpolation of (ln(1 + t) − t + t²/2) / t³ at 8 nodes, rounded to f32
/// (`scripts/fit-power.py` recomputes both polynomials).
pub const LN1P_Q: [f32; 8] = [
    3.333_333e-1,
    -2.500_030_7e-1,
    2.000_104_5e-1,
    -1.664_128_2e-1,
    1.421_449_6e-1,
    -1.299_818_3e-1,
    1.262_232e-1,
    -7.902_746e-2,
];

/// r in 2^f = 1 + f · r(f) for f in [−½, ½], lowest degree first: Chebyshev interpolation
/// of (2^f − 1) / f at 6 nodes, rounded to f32.
pub const EXP2_R: [f32; 6] = [
    6.931_472e-1,
    2.402_265e-1,
    5.550_357e-2,
    9.618_083e-3,
    1.339_086_3e-3,
    1.545_316_3e-4,
];

impl Power {
    /// The power `exponent` (a), ready to apply.
    pub fn new(exponent: f32) -> Power {
        let c = Lanes::splat;
        let bits = IntLanes::splat;
        std::hint::black_box(Power {
            identity: exponent == 1.0,
            a: c(exponent),
            log2_e: c(LOG2_E),
            ln1p_q: LN1P_Q.map(c),
            exp2_r: EXP2_R.map(c),
            one: c(1.0),
            half: c(0.5),
            lowest: c(-150.0),
            highest: c(128.0),
            rounder: c(ROUNDER),
            rounder_bits: bits(ROUNDER.to_bits() as i32),
            sqrt_half_bits: bits(std::f32::consts::FRAC_1_SQRT_2.to_bits() as i32),
            mantissa_bits: bits(0x007f_ffff),
            bias: bits(127),
        })
    }

    /// x^a, lane by lane.
    #[inline(always)]
    pub fn of(&self, x: Lanes) -> Lanes {
        if self.identity {
            x
        } else {
            self.exp2(self.times_log2(x))
        }
    }

    /// a · log2 x, for positive, normal, finite x.
    #[inline(always)]
    fn times_log2(&self, x: Lanes) -> Lanes {
        // x = m · 2^k with m in [√½, √2): subtracting √½'s bits moves the exponent field's
        // boundary to √½, and adding them back to the mantissa bits gives m.
        let shifted = bytemuck::cast::<Lanes, IntLanes>(x) - self.sqrt_half_bits;
        let k = (shifted >> 23_u32).round_float();
        let m: Lanes = bytemuck::cast((shifted & self.mantissa_bits) + self.sqrt_half_bits);
        let t = m - self.one;
        let q = &self.ln1p_q;
        let p = ((((((q[7] * t + q[6]) * t + q[5]) * t + q[4]) * t + q[3]) * t + q[2]) * t + q[1])
            * t
            + q[0];
        let ln1p = t + t * t * (t * p - self.half);
        // One rounding of log2 x, one of the product: y's error stays about 1 ulp.
        self.a * (k + self.log2_e * ln1p)
    }

    /// 2^y, with overflow to infinity and underflow to zero.
    #[inline(always)]
    fn exp2(&self, y: Lanes) -> Lanes {
        // pmax/pmin: one instruction each in wasm (a NaN y gives an unspecified result,
        // which the rule's inputs never produce: see `ayla::GradientRule`).
        let y = y.fast_max(self.lowest).fast_min(self.highest);
        // Adding then subtracting 1.5 · 2^23 rounds y to the nearest integer n, which the
        // sum's low bits hold.
        let t = y + self.rounder;
        let n = bytemuck::cast::<Lanes, IntLanes>(t) - self.rounder_bits;
        let f = y - (t - self.rounder);
        let r = &self.exp2_r;
        let p =
            (((((r[5] * f + r[4]) * f + r[3]) * f + r[2]) * f + r[1]) * f + r[0]) * f + self.one;
        // 2^n in two halves, each a normal number for n in −150..=128, so results below
        // f32's normal range are rounded once, and 2^128 overflows to infinity.
        let half = n >> 1_u32;
        let scale = |e: IntLanes| -> Lanes { bytemuck::cast((e + self.bias) << 23_u32) };
        p * scale(half) * scale(n - half)
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

/// base^exponent through [`Power`], for positive, normal, finite `base`; exact for the
/// exponents 1 (`base` itself) and 0 (1), as libm's `powf` is.
#[inline]
pub fn pow(base: f32, exponent: f32) -> f32 {
    first(Power::new(exponent).of(Lanes::splat(base)))
}

/// Lanes whose value is finite keep it; the others (infinite or NaN) become 0.
#[inline(always)]
pub fn zero_unless_finite(x: Lanes) -> Lanes {
    // x − x is 0 for a finite x and NaN otherwise: one subtraction, one comparison and one
    // bit-and, where a test of the exponent bits and a blend take twice as many.
    #[allow(clippy::eq_op)] // x − x on purpose: not 0 for infinities and NaN.
    let finite = (x - x).cmp_eq(Lanes::ZERO);
    bytemuck::cast(bytemuck::cast::<Lanes, IntLanes>(finite) & bytemuck::cast::<Lanes, IntLanes>(x))
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
