//! The AYLA rule of SPEC §1, branch by branch.
#![cfg(not(target_arch = "wasm32"))]

use ayla::ayla::{power_gradient, power_gradients, power_loss, Branch, EPSILON};
use ayla::fastmath::pow;

fn close(a: f32, b: f64) -> bool {
    (f64::from(a) - b).abs() <= 1e-6 * b.abs().max(1.0)
}

#[test]
fn loss_above_one_uses_n1() {
    let p = power_loss(2.5, 0.9, 1.7);
    assert_eq!(p.branch, Branch::Above);
    assert_eq!(p.exponent, 0.9);
    let base = 2.5f64 + 1e-7;
    assert!(close(p.lmod, base.powf(0.9)), "{p:?}");
    assert!(close(p.dlmod_dl, 0.9 * base.powf(-0.1)), "{p:?}");
}

#[test]
fn loss_below_one_uses_n2() {
    let p = power_loss(0.25, 0.9, 1.7);
    assert_eq!(p.branch, Branch::Below);
    assert_eq!(p.exponent, 1.7);
    let base = 0.25f64 + 1e-7;
    assert!(close(p.lmod, base.powf(1.7)), "{p:?}");
    assert!(close(p.dlmod_dl, 1.7 * base.powf(0.7)), "{p:?}");
}

#[test]
fn loss_of_exactly_one_is_not_modified() {
    let p = power_loss(1.0, 0.5, 3.0);
    assert_eq!(p.branch, Branch::Unit);
    assert_eq!((p.exponent, p.lmod, p.dlmod_dl), (1.0, 1.0, 1.0));
}

#[test]
fn epsilon_is_added_before_the_power() {
    // With N = 1 the only change to L is + ε; the reference shows L' = L + 1e-7 below 1.
    let p = power_loss(0.5, 0.95, 1.0);
    assert_eq!(p.lmod, 0.5 + EPSILON);
    assert_eq!(p.dlmod_dl, 1.0);
    // At L = 0 the power stays finite thanks to ε: (0 + ε)^(N−1) with N < 1.
    let zero = power_loss(0.0, 0.95, 0.5);
    assert!(zero.dlmod_dl.is_finite() && zero.dlmod_dl > 0.0, "{zero:?}");
}

#[test]
fn negative_loss_keeps_its_sign() {
    let p = power_loss(-4.0, 0.5, 2.0);
    assert_eq!(p.branch, Branch::Above);
    assert!(close(p.lmod, -(4.0f64 + 1e-7).sqrt()), "{p:?}");
}

#[test]
fn gradient_power_keeps_the_sign() {
    let g = -0.04f32;
    let n = 0.95f32;
    let expected = -(0.95 * 0.04f64 * (0.04f64 + 1e-7).powf(-0.05));
    assert!(
        close(power_gradient(g, n), expected),
        "{}",
        power_gradient(g, n)
    );
    assert!(power_gradient(0.04, n) > 0.0);
    assert_eq!(power_gradient(0.0, n), 0.0);
}

#[test]
fn gradient_power_of_one_is_the_identity_bit_for_bit() {
    for g in [
        1e-30f32,
        -3.5e-8,
        0.123_456_79,
        -7.0,
        f32::MIN_POSITIVE,
        1e30,
    ] {
        assert_eq!(power_gradient(g, 1.0).to_bits(), g.to_bits(), "{g}");
    }
}

#[test]
fn non_finite_gradient_elements_become_zero() {
    let mut grads = [f32::NAN, f32::INFINITY, f32::NEG_INFINITY, 2.0];
    power_gradients(&mut grads, 0.95);
    assert_eq!(&grads[..3], &[0.0, 0.0, 0.0]);
    assert!(close(grads[3], 0.95 * 2.0 * (2.0f64 + 1e-7).powf(-0.05)));
    // A finite element whose power overflows is zeroed too.
    assert_eq!(power_gradient(1e30, 4.0), 0.0);
}

#[test]
fn the_loss_factor_uses_the_same_pow_as_the_gradient_elements() {
    // One implementation of x^N for L', dL'/dL and the elements, so the factor that scales
    // every gradient has the same bits on every target (libm's powf differs between them).
    let mut checked = 0;
    for exponent in [0.5f32, 0.8, 0.95, 1.05, 1.2, 2.0, 3.0] {
        for i in 1..=2_000 {
            let loss = i as f32 * 0.003;
            let p = power_loss(loss, exponent, exponent);
            if p.branch == Branch::Unit {
                continue;
            }
            let base = loss + EPSILON;
            assert_eq!(
                p.lmod.to_bits(),
                pow(base, exponent).to_bits(),
                "L' at {loss}^{exponent}"
            );
            let factor = exponent * pow(base, exponent - 1.0);
            assert_eq!(
                p.dlmod_dl.to_bits(),
                factor.to_bits(),
                "dL'/dL at {loss}^{exponent}"
            );
            let element = exponent * loss * pow(base, exponent - 1.0);
            assert_eq!(power_gradient(loss, exponent).to_bits(), element.to_bits());
            checked += 1;
        }
    }
    assert!(checked > 13_000);
}

#[test]
fn pow_of_one_and_zero_exponents_is_exact() {
    for base in [EPSILON, 0.3, 1.0, 2.5, 1e6] {
        assert_eq!(pow(base, 1.0), base);
        assert_eq!(pow(base, 0.0), 1.0);
    }
}
