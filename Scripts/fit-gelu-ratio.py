#!/usr/bin/env python3
"""The coefficients of S in Sources/CDescentKernels/gelu.c (mills_ratio_f32).

For a >= 0, Phi(-a) = e^(-a^2/2) * R(a), and R(a) = t * S(t) with t = 1/(1 + a/4). This fits S, a
polynomial of degree 9, to R(a)/t over a in [0, 14.6] by least squares on Chebyshev nodes in t,
weighted by 1/R (relative error) and reweighted each round toward the nodes where the error is
largest (Lawson's iteration, which tends to the minimax fit). The coefficients are then rounded
to float one at a time from the highest, refitting the others after each, so that the rounding
costs little. Prints the largest relative error on a fine grid and the coefficients, highest
first, as gelu.c's Horner steps use them. Needs numpy; not part of the build.
"""
import math

import numpy as np

DEGREE, LARGEST, SLOPE, NODES = 9, 14.6, 0.25, 3000


def ratio(a):
    """R(a) = Phi(-a) * e^(a^2/2), from the C library's erfc in double."""
    return 0.5 * math.erfc(a / math.sqrt(2)) * math.exp(a * a / 2)


def main():
    smallest_t = 1 / (1 + SLOPE * LARGEST)
    t = (np.cos(np.pi * (np.arange(NODES) + 0.5) / NODES) + 1) / 2 * (1 - smallest_t) + smallest_t
    target = np.array([ratio(a) for a in (1 / t - 1) / SLOPE]) / t
    powers = np.vander(t, DEGREE + 1, increasing=True)
    fixed = {}

    def fit():
        free = [i for i in range(DEGREE + 1) if i not in fixed]
        rest = target - sum((powers[:, i] * c for i, c in fixed.items()), np.zeros(NODES))
        weights = np.ones(NODES)
        for _ in range(80):
            scale = weights / target
            solution, *_ = np.linalg.lstsq(powers[:, free] * scale[:, None], rest * scale, rcond=None)
            error = np.abs(powers[:, free] @ solution - rest) / target
            weights = weights * np.sqrt(error / error.max()) + 1e-14
            weights /= weights.max()
        coefficients = np.zeros(DEGREE + 1)
        for i, c in fixed.items():
            coefficients[i] = c
        coefficients[free] = solution
        return coefficients

    for k in range(DEGREE, -1, -1):
        fixed[k] = float(np.float32(fit()[k]))
    coefficients = np.array([fixed[i] for i in range(DEGREE + 1)])
    a = np.linspace(0, LARGEST, 200001)
    grid_t = 1 / (1 + SLOPE * a)
    exact = np.array([ratio(v) for v in a])
    approximation = np.polynomial.polynomial.polyval(grid_t, coefficients) * grid_t
    print(f"largest relative error: {np.max(np.abs(approximation - exact) / exact):.3g}")
    for c in reversed(coefficients):
        print(f"{c:.9e}f")


if __name__ == "__main__":
    main()
