// ELU and softplus, forward and backward, in one pass each: composed of `select`, `exp` and
// `log1p`, they took six or seven passes forward and more backward. float in double through
// vector_math.h's exponential (and, for softplus, the logarithm below), which vectorize, rounded
// once; double through the C library's functions.
#include "vector_math.h"

// Below this |x|, eˣ − 1 in double would lose more than float's precision to cancellation, and
// x itself is eˣ − 1 to within x²/2, under float's half ulp.
#define EXPM1_LINEAR_BELOW 0x1p-26

#define DEFINE_ELU_F32(SUFFIX, ATTRIBUTES)                                                         \
    ATTRIBUTES static void elu_f32_##SUFFIX(const float *x, float *y, ptrdiff_t count, double alpha) { \
        for (ptrdiff_t i = 0; i < count; i++) {                                                    \
            double v = x[i];                                                                       \
            /* e^min(x, 0): the positive side never overflows into its unused branch. */           \
            double e = exp_any(v > 0 ? 0.0 : v) - 1.0;                                             \
            e = fabs(v) < EXPM1_LINEAR_BELOW ? v : e;                                              \
            y[i] = v > 0 ? x[i] : (float)(alpha * e);                                              \
        }                                                                                          \
    }                                                                                              \
    /* ELU′(x) = 1 for x > 0, α·eˣ otherwise. */                                                   \
    ATTRIBUTES static void elu_backward_f32_##SUFFIX(const float *g, const float *x, float *y,     \
                                                     ptrdiff_t count, double alpha) {              \
        for (ptrdiff_t i = 0; i < count; i++) {                                                    \
            double v = x[i];                                                                       \
            double slope = alpha * exp_any(v > 0 ? 0.0 : v);                                       \
            y[i] = v > 0 ? g[i] : (float)((double)g[i] * slope);                                   \
        }                                                                                          \
    }

DEFINE_ELU_F32(portable, )
#if defined(__x86_64__)
DEFINE_ELU_F32(avx2, AVX2_BUILD)
DEFINE_ELU_F32(avx512, AVX512_BUILD)
#endif

void descent_elu_f32(const float *x, float *y, ptrdiff_t count, double alpha) { DISPATCH(elu_f32, x, y, count, alpha) }

void descent_elu_backward_f32(const float *g, const float *x, float *y, ptrdiff_t count, double alpha) {
    DISPATCH(elu_backward_f32, g, x, y, count, alpha)
}

void descent_elu_f64(const double *x, double *y, ptrdiff_t count, double alpha) {
    for (ptrdiff_t i = 0; i < count; i++) y[i] = x[i] > 0 ? x[i] : alpha * expm1(x[i]);
}

void descent_elu_backward_f64(const double *g, const double *x, double *y, ptrdiff_t count, double alpha) {
    for (ptrdiff_t i = 0; i < count; i++) y[i] = x[i] > 0 ? g[i] : g[i] * (alpha * exp(x[i]));
}

// ln(1 + u) in double for u in [0, 1], to about 10⁻¹¹ relative, in a form that vectorizes:
// 2·atanh(s) with s = u/(2 + u) ≤ 1/3, whose series 2s·Σ s²ᵏ/(2k + 1) has shrunk below that by
// its tenth term.
static inline double log1p_unit(double u) {
    double s = u / (2.0 + u), s2 = s * s;
    double p = 1.0 / 19;
    p = p * s2 + 1.0 / 17;
    p = p * s2 + 1.0 / 15;
    p = p * s2 + 1.0 / 13;
    p = p * s2 + 1.0 / 11;
    p = p * s2 + 1.0 / 9;
    p = p * s2 + 1.0 / 7;
    p = p * s2 + 1.0 / 5;
    p = p * s2 + 1.0 / 3;
    p = p * s2 + 1.0;
    return 2.0 * s * p;
}

// Softplus with z = βx: x where z > threshold (PyTorch's rule), otherwise
// (max(z, 0) + ln(1 + e^−|z|))/β, which never overflows and keeps e^z's precision far below 0.
// Its derivative is σ(z), 1 above the threshold: e^−|z| again, over 1 + e^−|z| or its reciprocal.
#define DEFINE_SOFTPLUS_F32(SUFFIX, ATTRIBUTES)                                                    \
    ATTRIBUTES static void softplus_f32_##SUFFIX(const float *x, float *y, ptrdiff_t count, double beta, \
                                                 double threshold) {                              \
        for (ptrdiff_t i = 0; i < count; i++) {                                                    \
            double z = beta * x[i];                                                                \
            double value = ((z > 0 ? z : 0.0) + log1p_unit(exp_any(-fabs(z)))) / beta;              \
            y[i] = z > threshold ? x[i] : (float)value;                                            \
        }                                                                                          \
    }                                                                                              \
    ATTRIBUTES static void softplus_backward_f32_##SUFFIX(const float *g, const float *x, float *y, \
                                                          ptrdiff_t count, double beta, double threshold) { \
        for (ptrdiff_t i = 0; i < count; i++) {                                                    \
            double z = beta * x[i], e = exp_any(-fabs(z));                                         \
            double sigmoid = (z >= 0 ? 1.0 : e) / (1.0 + e);                                       \
            y[i] = z > threshold ? g[i] : (float)((double)g[i] * sigmoid);                         \
        }                                                                                          \
    }

DEFINE_SOFTPLUS_F32(portable, )
#if defined(__x86_64__)
DEFINE_SOFTPLUS_F32(avx2, AVX2_BUILD)
DEFINE_SOFTPLUS_F32(avx512, AVX512_BUILD)
#endif

void descent_softplus_f32(const float *x, float *y, ptrdiff_t count, double beta, double threshold) {
    DISPATCH(softplus_f32, x, y, count, beta, threshold)
}

void descent_softplus_backward_f32(const float *g, const float *x, float *y, ptrdiff_t count, double beta,
                                   double threshold) {
    DISPATCH(softplus_backward_f32, g, x, y, count, beta, threshold)
}

void descent_softplus_f64(const double *x, double *y, ptrdiff_t count, double beta, double threshold) {
    for (ptrdiff_t i = 0; i < count; i++) {
        double z = beta * x[i];
        y[i] = z > threshold ? x[i] : (fmax(z, 0) + log1p(exp(-fabs(z)))) / beta;
    }
}

void descent_softplus_backward_f64(const double *g, const double *x, double *y, ptrdiff_t count, double beta,
                                   double threshold) {
    for (ptrdiff_t i = 0; i < count; i++) {
        double z = beta * x[i], e = exp(-fabs(z));
        y[i] = z > threshold ? g[i] : g[i] * ((z >= 0 ? 1.0 : e) / (1.0 + e));
    }
}
