#!/usr/bin/env python3
"""The coefficients of src/fastmath.rs's `Power` (LN1P_Q and EXP2_R), recomputed.

Each polynomial interpolates its function at the Chebyshev nodes of its interval (close to
the minimax polynomial of that degree), in float64; the coefficients are then rounded to
float32 and printed in the shortest form that reads back as the same float32. Plain
Python, no packages. tests/fastmath.rs checks the result against float64.

    python3 scripts/fit-power.py
"""

import math
import struct


def f32(x):
    """x rounded to float32."""
    return struct.unpack("f", struct.pack("f", x))[0]


def shortest(x):
    """The shortest decimal that reads back as the float32 x."""
    for digits in range(1, 12):
        text = "%.*e" % (digits, x)
        if f32(float(text)) == x:
            return text
    raise ValueError(x)


def chebyshev_fit(f, lo, hi, degree):
    """Monomial coefficients (lowest degree first) of the polynomial that interpolates f
    at the degree + 1 Chebyshev nodes of [lo, hi]."""
    n = degree + 1
    nodes = [(lo + hi) / 2 + (hi - lo) / 2 * math.cos(math.pi * (k + 0.5) / n) for k in range(n)]
    # Gauss-Jordan elimination on the Vandermonde system, with partial pivoting.
    rows = [[x**j for j in range(n)] + [f(x)] for x in nodes]
    for i in range(n):
        pivot = max(range(i, n), key=lambda r: abs(rows[r][i]))
        rows[i], rows[pivot] = rows[pivot], rows[i]
        for r in range(n):
            if r != i:
                factor = rows[r][i] / rows[i][i]
                rows[r] = [a - factor * b for a, b in zip(rows[r], rows[i])]
    return [rows[i][n] / rows[i][i] for i in range(n)]


def ln1p_q(t):
    """q(t) in ln(1 + t) = t + t^2 (t q(t) - 1/2), with its series near 0."""
    if abs(t) < 1e-4:
        return 1 / 3 - t / 4 + t * t / 5 - t**3 / 6
    return (math.log1p(t) - t + t * t / 2) / t**3


def exp2_r(f):
    """r(f) in 2^f = 1 + f r(f)."""
    if abs(f) < 1e-9:
        return math.log(2)
    return math.expm1(f * math.log(2)) / f


def main():
    fits = [
        ("LN1P_Q", ln1p_q, math.sqrt(0.5) - 1, math.sqrt(2) - 1, 7),
        ("EXP2_R", exp2_r, -0.5, 0.5, 5),
    ]
    for name, f, lo, hi, degree in fits:
        coefficients = [shortest(f32(c)) for c in chebyshev_fit(f, lo, hi, degree)]
        print(f"{name} (degree {degree} on [{lo:.4f}, {hi:.4f}]): {', '.join(coefficients)}")


if __name__ == "__main__":
    main()
