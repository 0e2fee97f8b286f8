//! The polynomial ln / exp / pow used by the AYLA gradient rule, against f64.
#![cfg(not(target_arch = "wasm32"))]

use ayla::fastmath::{exp, ln, pow, Lanes, Power, EXP2_R, LN1P_Q};

/// Values spread log-uniformly over [lo, hi].
fn spread(lo: f64, hi: f64, count: usize) -> impl Iterator<Item = f32> {
    (0..=count).map(move |i| (lo.ln() + (hi.ln() - lo.ln()) * i as f64 / count as f64).exp() as f32)
}

#[test]
fn ln_is_within_two_ulp_of_f64() {
    for x in spread(1e-7, 3e38, 200_000) {
        let want = f64::from(x).ln();
        let err = (f64::from(ln(x)) - want).abs();
        assert!(
            err <= 2.0 * f64::from(f32::EPSILON) * want.abs().max(0.5),
            "ln({x}) = {} vs {want}",
            ln(x)
        );
    }
}

#[test]
fn exp_is_within_two_ulp_of_f64_and_saturates() {
    for i in 0..=200_000 {
        let x = -103.0 + 191.7 * i as f32 / 200_000.0;
        let want = f64::from(x).exp();
        let got = f64::from(exp(x));
        let tolerance = if want < f64::from(f32::MIN_POSITIVE) {
            1.5e-45
        } else {
            2.0 * f64::from(f32::EPSILON) * want
        };
        assert!(
            (got - want).abs() <= tolerance,
            "exp({x}) = {got} vs {want}"
        );
    }
    assert_eq!(exp(89.0), f32::INFINITY);
    assert_eq!(exp(f32::INFINITY), f32::INFINITY);
    assert_eq!(exp(-200.0), 0.0);
    assert_eq!(exp(0.0), 1.0);
}

/// ln(1 + t) as `Power` evaluates it, in f64 from the f32 coefficients: the polynomial's
/// own error, apart from f32 rounding.
fn ln1p_polynomial(t: f64) -> f64 {
    let q = LN1P_Q
        .iter()
        .rev()
        .fold(0.0, |acc, &c| acc * t + f64::from(c));
    t + t * t * (t * q - 0.5)
}

#[test]
fn ln1p_polynomial_is_within_1e_8_of_f64_for_every_f32_mantissa() {
    // Every f32 m in [√½, √2), the mantissas `Power` reduces x to; t = m − 1 is exact.
    let first = std::f32::consts::FRAC_1_SQRT_2.to_bits();
    let end = std::f32::consts::SQRT_2.to_bits();
    let mut worst = 0.0f64;
    for bits in first..end {
        let t = f64::from(f32::from_bits(bits) - 1.0);
        worst = worst.max((ln1p_polynomial(t) - t.ln_1p()).abs());
    }
    // Only its absolute error matters: it reaches the power multiplied by a · log2(e).
    assert!(worst < 1e-8, "ln(1 + t) off by {worst:e}");
    assert!(worst > 1e-9, "the bound is meant to be tight: {worst:e}");
}

#[test]
fn exp2_polynomial_is_within_1e_8_of_f64_over_its_whole_range() {
    // f in [−½, ½], sampled every 2^-23 (8.4 million points) plus both ends and zero.
    let mut worst = 0.0f64;
    let steps = 1 << 23;
    for i in 0..=steps {
        let f = -0.5 + f64::from(i) / f64::from(steps);
        let r = EXP2_R
            .iter()
            .rev()
            .fold(0.0, |acc, &c| acc * f + f64::from(c));
        worst = worst.max(((1.0 + f * r) / f.exp2() - 1.0).abs());
    }
    assert!(worst < 1e-8, "2^f off by {worst:e} (relative)");
    assert!(worst > 1e-10, "the bound is meant to be tight: {worst:e}");
}

/// Bases spread over every binade from 2^-24 (below ε = 1e-7) to f32's largest, `per`
/// per binade at pseudo-random mantissas, plus each binade's ends.
fn bases(per: u32) -> Vec<f32> {
    let mut seed = 0x2545_f491_u32;
    let mut out = Vec::new();
    for exponent in -24..=127 {
        let low = (exponent + 127) as u32;
        out.push(f32::from_bits(low << 23));
        out.push(f32::from_bits((low << 23) | 0x7f_ffff));
        for _ in 0..per {
            seed = seed.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            out.push(f32::from_bits((low << 23) | (seed >> 9)));
        }
    }
    out
}

#[test]
fn power_matches_f64_over_every_binade_and_the_exponents_allowed() {
    // The rule raises |g| + ε to N − 1 and |L| + ε to N and N − 1, for N in (0, 10].
    let exponents = [
        -0.999f32, -0.95, -0.5, -0.2, -0.05, -0.01, 0.01, 0.05, 0.2, 0.5, 0.95, 1.0, 1.5, 2.0, 3.0,
        7.5, 9.0, 10.0,
    ];
    let bases = bases(3_000);
    for a in exponents {
        let power = Power::new(a);
        let mut worst = 0.0f64;
        for chunk in bases.chunks(8) {
            let mut lanes = [1.0f32; 8];
            lanes[..chunk.len()].copy_from_slice(chunk);
            let got = power.of(Lanes::from(lanes)).to_array();
            for (&x, &got) in chunk.iter().zip(&got) {
                let want = f64::from(x).powf(f64::from(a));
                let got = f64::from(got);
                // y = a · log2 x is rounded to f32, so the error grows with |y|.
                let y = f64::from(a) * f64::from(x).ln();
                if want > f64::from(f32::MAX) * (1.0 + 1e-6) {
                    assert_eq!(got, f64::INFINITY, "{x}^{a} overflows");
                } else if want < f64::from(f32::MIN_POSITIVE) {
                    // Subnormal results: the same, plus their spacing, 2^-149.
                    let tolerance = 1.5e-45 + 2e-7 * (1.0 + y.abs()) * want;
                    assert!((got - want).abs() <= tolerance, "{x}^{a} = {got} vs {want}");
                } else if want < f64::from(f32::MAX) * (1.0 - 1e-6) {
                    let relative = (got - want).abs() / want;
                    worst = worst.max(relative / (1.0 + y.abs()));
                    assert!(
                        relative <= 2e-7 * (1.0 + y.abs()),
                        "{x}^{a} = {got} vs {want}"
                    );
                }
            }
        }
        println!("x^{a}: largest relative error / (1 + |a ln x|) = {worst:.2e}");
    }
}

#[test]
fn pow_is_exact_for_the_exponents_zero_and_one() {
    for x in bases(50) {
        assert_eq!(pow(x, 1.0).to_bits(), x.to_bits(), "{x}^1");
        assert_eq!(pow(x, 0.0), 1.0, "{x}^0");
    }
}
