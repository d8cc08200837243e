// What the elementwise kernels that vectorize share (gelu.c, exponentials.c): an exponential in
// double written so that clang vectorizes it, and the choice among a kernel's plain, AVX2 and
// AVX-512 builds.
//
// The kernels write their FMAs out (fma, fmaf) and contract nothing else, so every build gives
// the same bits: the plain x86 build calls the C library's fma, slowly but exactly.
#ifndef DESCENT_VECTOR_MATH_H
#define DESCENT_VECTOR_MATH_H

#include "CDescentKernels.h"

#include <math.h>
#include <stdint.h>
#include <string.h>

#pragma clang fp contract(off)

// Where exp underflows to 0 or overflows to ∞ in double.
#define EXP_LOWEST (-708.0)
#define EXP_HIGHEST 709.0

static inline double bits_to_double(uint64_t bits) {
    double value;
    memcpy(&value, &bits, sizeof value);
    return value;
}

static inline uint64_t double_to_bits(double value) {
    uint64_t bits;
    memcpy(&bits, &value, sizeof bits);
    return bits;
}

// eᵃ in double for a in [EXP_LOWEST, EXP_HIGHEST] (NaN gives NaN), to about 3·10⁻¹⁰ relative:
// far more than the float results that use it need.
static inline double exp_in_range(double a) {
    // a = n·ln2 + r: adding 1.5·2⁵² rounds a/ln2 to the integer n, which then sits in the low
    // bits of the sum's representation.
    const double shifter = 6755399441055744.0;
    double shifted = a * 1.44269504088896340736 + shifter;
    double n = shifted - shifter;
    // ln2 in two parts, the first with zeros enough in its low bits that n·part is exact.
    double r = (a - n * 0.693147180369123816490) - n * 1.90821492927058770002e-10;
    double p = 1.0 / 40320;  // eʳ to degree 8: |r| ≤ ln2/2 leaves r⁹/9! below 3·10⁻¹⁰
    p = p * r + 1.0 / 5040;
    p = p * r + 1.0 / 720;
    p = p * r + 1.0 / 120;
    p = p * r + 1.0 / 24;
    p = p * r + 1.0 / 6;
    p = p * r + 0.5;
    p = p * r + 1.0;
    p = p * r + 1.0;
    // 2ⁿ: n + 1023 in the exponent field (the shift drops the shifter's own bits).
    double scale = bits_to_double((double_to_bits(shifted) + 1023) << 52);
    return p * scale;
}

// eᵃ in double for any a: 0 below the range, ∞ above it, NaN for NaN.
static inline double exp_any(double a) {
    double clamped = a < EXP_LOWEST ? EXP_LOWEST : (a > EXP_HIGHEST ? EXP_HIGHEST : a);
    double e = exp_in_range(clamped);
    e = a < EXP_LOWEST ? 0.0 : e;
    return a > EXP_HIGHEST ? (double)INFINITY : e;
}

#if defined(__x86_64__)
#define AVX2_BUILD __attribute__((target("avx2,fma")))
// Asked for 512-bit vectors, which clang otherwise leaves for 256-bit ones: 1.5 times the AVX2
// build's speed on a Zen 4, whose units are 256 bits wide, and more where they are 512.
#if defined(__clang__)
#define AVX512_BUILD __attribute__((target("avx512f,avx512dq,avx512vl,fma"), min_vector_width(512)))
#else
#define AVX512_BUILD __attribute__((target("avx512f,avx512dq,avx512vl,fma")))
#endif

// The build of the matrix multiply's kernel (which DESCENT_KERNELS may choose): 2 for AVX-512,
// 1 for AVX2, 0 for the plain one.
static inline int vector_build(void) {
    static int state = -1;
    if (state < 0) {
        const char *name = descent_kernel_variant();
        state = strcmp(name, "avx512") == 0 ? 2 : strcmp(name, "avx2") == 0 ? 1 : 0;
    }
    return state;
}

// NAME##_avx512, _avx2 or _portable, as the build chooses.
#define DISPATCH(NAME, ...)                                                                         \
    switch (vector_build()) {                                                                      \
    case 2: NAME##_avx512(__VA_ARGS__); break;                                                     \
    case 1: NAME##_avx2(__VA_ARGS__); break;                                                       \
    default: NAME##_portable(__VA_ARGS__);                                                         \
    }
#else
#define DISPATCH(NAME, ...) NAME##_portable(__VA_ARGS__);
#endif

#endif
