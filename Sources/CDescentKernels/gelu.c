// GELU, y = x·Φ(x) with Φ the standard normal CDF, and its derivative Φ(x) + x·φ(x), each in
// one pass. Written with tensor operations they took about fifteen passes a training step, and
// the C library's erff and expf, called one element at a time, were a third of a GELU CNN's
// profile.
//
// float, exact form: formulas that vectorize (no call, no branch), in float with FMAs: within
// 5.6 ulps of x·Φ(x), and the derivative within 1.6 ulps of 1 or of itself where larger, over
// every float from −14.5 to 12 (see mills_ratio_f32). Writing Φ(x) for x < 0 as
// e^(−x²/2)·R(|x|) keeps its precision far into the tail, where ½(1 + erf(x/√2)) is 1 − 1 = 0
// from x ≈ −5.5.
// float, tanh approximation, and double: in double, rounded once —
//   - the tanh approximation as x·σ(2u) = x/(1 + e^(−2u)), u = √(2/π)(x + 0.044715x³): the same
//     value as ½x(1 + tanh u), without the cancellation of 1 + tanh u for negative x; for
//     float, through an exp that vectorizes, for double the C library's;
//   - double's exact form through the C library's erfc and exp.
// The FMAs are written out, and nothing else is contracted into one, so the plain, AVX2, AVX-512
// and ARM64 builds give the same bits (see vector_math.h).
#include "vector_math.h"

#define SQRT_HALF 0.70710678118654752440
#define INVERSE_SQRT_2PI 0.39894228040143267794
#define SQRT_2_OVER_PI 0.79788456080286535588
#define TANH_CUBIC 0.044715

// σ(2u) = 1/(1 + e^(−2u)), u = √(2/π)(x + 0.044715x³), and du/dx.
static inline double tanh_gate(double x, double *slope) {
    double u = SQRT_2_OVER_PI * (x + TANH_CUBIC * x * x * x);
    if (slope) *slope = SQRT_2_OVER_PI * (1.0 + 3.0 * TANH_CUBIC * x * x);
    return 1.0 / (1.0 + exp_any(-2.0 * u));
}

// Φ(−a) = ½erfc(a/√2) = e^(−a²/2)·R(a) for a ≥ 0, in float: returns R(a), and e^(−a²/2) in
// *gaussian. The caller multiplies them after x where Φ(x) alone would be below float's normal
// numbers (x < −13) but x·Φ(x) is not.
//
// R, the Mills ratio over √(2π), is smooth and falls from ½ to about 1/(a√(2π)). R(a) = t·S(t)
// with t = 1/(1 + a/4) and S the polynomial of degree 9 that Scripts/fit-gelu-ratio.py fits
// (weighted least squares, converging to the smallest largest relative error, over a in [0, 14.6],
// beyond which a·Φ(−a) is below float's smallest number): 2.8·10⁻⁸ relative, with its
// coefficients in float. The errors that remain are float's roundings: about 1.4 ulps in
// e^(−a²/2), 1.7 in evaluating S, half an ulp in t and in each product. a² is split exactly
// into a rounded square and its error (an FMA), so that e^(−a²/2) keeps its precision for
// large a.
static inline float mills_ratio_f32(float a, float *gaussian) {
    float square = a * a;
    float squareError = square < 256.0f ? fmaf(a, a, -square) : 0.0f;  // a² = square + squareError
    float half = square < 216.0f ? 0.5f * square : 108.0f;  // e^(−108) rounds to 0 in float
    // e^(−half) as 2ⁿ·eʳ, |r| ≤ ln2/2: n rounded by adding 1.5·2²³, r by two FMAs.
    float shifted = fmaf(-half, 1.44269504f, 12582912.0f);
    float n = shifted - 12582912.0f;
    float r = fmaf(n, -0.693145752f, -half);
    r = fmaf(n, -1.42860677e-6f, r);
    float p = 1.0f / 5040;  // eʳ to degree 7: r⁸/8! is below 6·10⁻⁹
    p = fmaf(p, r, 1.0f / 720);
    p = fmaf(p, r, 1.0f / 120);
    p = fmaf(p, r, 1.0f / 24);
    p = fmaf(p, r, 1.0f / 6);
    p = fmaf(p, r, 0.5f);
    p = fmaf(p, r, 1.0f);
    p = fmaf(p, r, 1.0f);
    // 2ⁿ for n down to −156 in two normal factors (the second product may round to a subnormal).
    int32_t bits;
    memcpy(&bits, &shifted, sizeof bits);
    int32_t exponent = bits - 0x4B400000, first = exponent / 2, second = exponent - first;
    int32_t firstBits = (first + 127) << 23, secondBits = (second + 127) << 23;
    float firstScale, secondScale;
    memcpy(&firstScale, &firstBits, sizeof firstScale);
    memcpy(&secondScale, &secondBits, sizeof secondScale);
    float e = (p * firstScale) * secondScale;
    // e^(−a²/2) = e^(−half)·e^(−squareError/2) ≈ e^(−half)·(1 − squareError/2).
    e = fmaf(-0.5f * squareError, e, e);
    *gaussian = e;
    // t = 1/(1 + a/4) to about half an ulp: a/4 is exact, the sum's rounding error is found
    // exactly (Knuth's two-sum) and the quotient's by an FMA, and both are folded back in.
    float quarter = 0.25f * a, sum = 1.0f + quarter;
    float sumPart = sum - 1.0f, onePart = sum - sumPart;
    float sumError = (1.0f - onePart) + (quarter - sumPart);
    float t = 1.0f / sum;
    float quotientError = fmaf(-sum, t, 1.0f);
    float correction = fmaf(-sumError, t, quotientError);
    t = fmaf(t, a < 1e30f ? correction : 0.0f, t);  // a = ∞: t = 0, where ∞ − ∞ made the errors NaN
    float s = 1.695155539e-02f;
    s = fmaf(s, t, -6.486630440e-02f);
    s = fmaf(s, t, 5.667435750e-02f);
    s = fmaf(s, t, 2.151931264e-02f);
    s = fmaf(s, t, 1.867234334e-02f);
    s = fmaf(s, t, 8.332979679e-02f);
    s = fmaf(s, t, 7.320019603e-02f);
    s = fmaf(s, t, 9.524596483e-02f);
    s = fmaf(s, t, 9.952674061e-02f);
    s = fmaf(s, t, 9.974604100e-02f);
    return t * s;
}

#define DEFINE_GELU_F32(SUFFIX, ATTRIBUTES)                                                        \
    ATTRIBUTES static void gelu_f32_##SUFFIX(const float *x, float *y, ptrdiff_t count) {          \
        for (ptrdiff_t i = 0; i < count; i++) {                                                    \
            float v = x[i], gaussian;                                                              \
            float ratio = mills_ratio_f32(fabsf(v), &gaussian);                                    \
            y[i] = v < 0 ? (v * ratio) * gaussian : v * (1.0f - ratio * gaussian);                 \
        }                                                                                          \
    }                                                                                              \
    ATTRIBUTES static void gelu_tanh_f32_##SUFFIX(const float *x, float *y, ptrdiff_t count) {     \
        for (ptrdiff_t i = 0; i < count; i++) {                                                    \
            double v = x[i];                                                                       \
            y[i] = (float)(v * tanh_gate(v, 0));                                                   \
        }                                                                                          \
    }                                                                                              \
    /* GELU′(x) = Φ(x) + x·φ(x), φ(x) = e^(−x²/2)/√(2π). */                                        \
    ATTRIBUTES static void gelu_backward_f32_##SUFFIX(const float *g, const float *x, float *y,    \
                                                      ptrdiff_t count) {                           \
        for (ptrdiff_t i = 0; i < count; i++) {                                                    \
            float v = x[i], gaussian;                                                              \
            float tail = mills_ratio_f32(fabsf(v), &gaussian) * gaussian;                          \
            float cdf = v < 0 ? tail : 1.0f - tail;                                                \
            y[i] = g[i] * fmaf(v, gaussian * 0.398942280f, cdf);                                   \
        }                                                                                          \
    }                                                                                              \
    /* (x·s)′ = s + x·s(1 − s)·2u′ for s = σ(2u). */                                               \
    ATTRIBUTES static void gelu_tanh_backward_f32_##SUFFIX(const float *g, const float *x, float *y, \
                                                           ptrdiff_t count) {                      \
        for (ptrdiff_t i = 0; i < count; i++) {                                                    \
            double v = x[i], slope;                                                                \
            double s = tanh_gate(v, &slope);                                                       \
            y[i] = (float)((double)g[i] * (s + v * (s * (1.0 - s) * (2.0 * slope))));              \
        }                                                                                          \
    }

DEFINE_GELU_F32(portable, )
#if defined(__x86_64__)
DEFINE_GELU_F32(avx2, AVX2_BUILD)
DEFINE_GELU_F32(avx512, AVX512_BUILD)
#endif

void descent_gelu_f32(const float *x, float *y, ptrdiff_t count, int tanhApproximation) {
    if (tanhApproximation) {
        DISPATCH(gelu_tanh_f32, x, y, count)
    } else {
        DISPATCH(gelu_f32, x, y, count)
    }
}

void descent_gelu_backward_f32(const float *g, const float *x, float *y, ptrdiff_t count, int tanhApproximation) {
    if (tanhApproximation) {
        DISPATCH(gelu_tanh_backward_f32, g, x, y, count)
    } else {
        DISPATCH(gelu_backward_f32, g, x, y, count)
    }
}

// double: the C library, for double's precision.

static inline double gelu_tanh_gate_f64(double x, double *slope) {
    double u = SQRT_2_OVER_PI * (x + TANH_CUBIC * x * x * x);
    if (slope) *slope = SQRT_2_OVER_PI * (1.0 + 3.0 * TANH_CUBIC * x * x);
    return 1.0 / (1.0 + exp(-2.0 * u));
}

void descent_gelu_f64(const double *x, double *y, ptrdiff_t count, int tanhApproximation) {
    for (ptrdiff_t i = 0; i < count; i++) {
        double v = x[i];
        y[i] = tanhApproximation ? v * gelu_tanh_gate_f64(v, 0) : v * (0.5 * erfc(-v * SQRT_HALF));
    }
}

void descent_gelu_backward_f64(const double *g, const double *x, double *y, ptrdiff_t count, int tanhApproximation) {
    for (ptrdiff_t i = 0; i < count; i++) {
        double v = x[i], derivative;
        if (tanhApproximation) {
            double slope, s = gelu_tanh_gate_f64(v, &slope);
            derivative = s + v * (s * (1.0 - s) * (2.0 * slope));
        } else {
            derivative = 0.5 * erfc(-v * SQRT_HALF) + v * (exp(-0.5 * v * v) * INVERSE_SQRT_2PI);
        }
        y[i] = g[i] * derivative;
    }
}
