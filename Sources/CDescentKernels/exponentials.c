// eˣ, tanh x and σ(x) of float tensors, each element through vector_math.h's exponential in
// double and rounded once: within an ulp of the correctly rounded result, where the C library's
// expf, tanhf and the exp-based sigmoid ran one element at a time (tanhf, through expm1f, was half
// of a tanh CNN's training). Double tensors keep the C library's functions.
#include "vector_math.h"

// Below this |x|, tanh x rounds to x in float (x³/3 is under half an ulp of x); above it, the
// formula's cancellation in 1 − 2/(e^(2|x|) + 1) costs double less than float's precision.
#define TANH_LINEAR_BELOW 0x1p-12

#define DEFINE_EXPONENTIALS(SUFFIX, ATTRIBUTES)                                                    \
    ATTRIBUTES static void exp_f32_##SUFFIX(const float *x, float *y, ptrdiff_t count) {           \
        for (ptrdiff_t i = 0; i < count; i++) y[i] = (float)exp_any((double)x[i]);                 \
    }                                                                                              \
    /* tanh x = sign(x)·(1 − 2/(e^(2|x|) + 1)): e^(2|x|) = ∞ gives ±1. */                          \
    ATTRIBUTES static void tanh_f32_##SUFFIX(const float *x, float *y, ptrdiff_t count) {          \
        for (ptrdiff_t i = 0; i < count; i++) {                                                    \
            double v = x[i], magnitude = fabs(v);                                                  \
            double t = 1.0 - 2.0 / (exp_any(2.0 * magnitude) + 1.0);                               \
            t = v < 0 ? -t : t;                                                                    \
            y[i] = magnitude < TANH_LINEAR_BELOW ? x[i] : (float)t;                                \
        }                                                                                          \
    }                                                                                              \
    /* σ(x) = 1/(1 + e⁻ˣ): e⁻ˣ = ∞ gives 0, with no cancellation anywhere. */                      \
    ATTRIBUTES static void sigmoid_f32_##SUFFIX(const float *x, float *y, ptrdiff_t count) {       \
        for (ptrdiff_t i = 0; i < count; i++) y[i] = (float)(1.0 / (1.0 + exp_any(-(double)x[i]))); \
    }

DEFINE_EXPONENTIALS(portable, )
#if defined(__x86_64__)
DEFINE_EXPONENTIALS(avx2, AVX2_BUILD)
DEFINE_EXPONENTIALS(avx512, AVX512_BUILD)
#endif

void descent_exp_f32(const float *x, float *y, ptrdiff_t count) { DISPATCH(exp_f32, x, y, count) }

void descent_tanh_f32(const float *x, float *y, ptrdiff_t count) { DISPATCH(tanh_f32, x, y, count) }

void descent_sigmoid_f32(const float *x, float *y, ptrdiff_t count) { DISPATCH(sigmoid_f32, x, y, count) }
