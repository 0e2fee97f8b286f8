//! The polynomial ln / exp / pow used by the AYLA gradient rule, against f64.
#![cfg(not(target_arch = "wasm32"))]

use ayla::fastmath::{exp, ln, pow};

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

#[test]
fn pow_matches_f64_over_the_exponents_allowed() {
    for exponent in [-0.05f32, -0.5, 0.5, 0.95, 2.0, 3.0, 9.0] {
        for base in spread(1e-7, 1e4, 20_000) {
            let want = f64::from(base).powf(f64::from(exponent));
            if want > f64::from(f32::MAX) || want < f64::from(f32::MIN_POSITIVE) {
                continue;
            }
            let got = f64::from(pow(base, exponent));
            // ln's error is multiplied by the exponent and by ln(base) in the result.
            let tolerance = 3e-7 * (1.0 + f64::from(exponent).abs() * f64::from(base).ln().abs());
            assert!(
                (got - want).abs() <= tolerance * want,
                "{base}^{exponent} = {got} vs {want}"
            );
        }
    }
}
