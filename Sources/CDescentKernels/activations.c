// ELU, forward and backward, in one pass each: composed of `select`, it took six passes forward
// and more backward. float in double through vector_math.h's exponential, which vectorizes,
// rounded once; double through the C library's expm1 and exp.
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
