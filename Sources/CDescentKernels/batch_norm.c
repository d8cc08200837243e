// Batch normalization in training mode, forward and backward, a channel at a time: the passes
// PyTorch's fused kernel makes, where the same layer written with tensor operations makes about
// twenty (each a pass over the whole activation, most of them broadcasting against a vector of
// channels).
//
// The input is laid out [outer, channels, inner]: channel c is a run of `inner` contiguous
// elements in each of the `outer` examples. Every sum over a channel is taken in double, in
// LANES partial sums added at the end, so that the loops vectorize without reordering any one
// sum, and the result depends on the shape alone, never on how channels are shared out among
// threads. Compiled plain and with AVX2: each lane adds the same numbers in the same order in both
// builds, so both give the same bits. Converting to double and adding is most of the work, and
// AVX2 does it in half the instructions of the plain build's SSE2.
#include "CDescentKernels.h"
#include "plain_or_avx2.h"

#include <math.h>
#include <string.h>

#pragma clang fp contract(off)

enum { LANES = 8 };

static inline double total(const double partial[LANES]) {
    double sum = 0;
    for (int q = 0; q < LANES; q++) sum += partial[q];
    return sum;
}

#define DEFINE_BATCH_NORM(SUFFIX, T, ATTRIBUTES)                                                   \
    /* Σ x over a channel, and Σ (x − μ)² with μ the mean rounded to T, the μ that the pass    */  \
    /* that normalizes subtracts.                                                                */ \
    ATTRIBUTES static double channel_sum_##SUFFIX(const T *x, ptrdiff_t outer, ptrdiff_t stride, ptrdiff_t inner) { \
        double partial[LANES] = {0};                                                               \
        for (ptrdiff_t o = 0; o < outer; o++) {                                                    \
            const T *run = x + o * stride;                                                         \
            ptrdiff_t i = 0;                                                                       \
            for (; i + LANES <= inner; i += LANES) {                                               \
                for (int q = 0; q < LANES; q++) partial[q] += (double)run[i + q];                  \
            }                                                                                      \
            for (; i < inner; i++) partial[0] += (double)run[i];                                   \
        }                                                                                          \
        return total(partial);                                                                     \
    }                                                                                              \
    ATTRIBUTES static double channel_squares_##SUFFIX(const T *x, T mean, ptrdiff_t outer, ptrdiff_t stride, \
                                           ptrdiff_t inner) {                                      \
        double partial[LANES] = {0};                                                               \
        for (ptrdiff_t o = 0; o < outer; o++) {                                                    \
            const T *run = x + o * stride;                                                         \
            ptrdiff_t i = 0;                                                                       \
            for (; i + LANES <= inner; i += LANES) {                                               \
                for (int q = 0; q < LANES; q++) {                                                  \
                    double d = (double)run[i + q] - (double)mean;                                  \
                    partial[q] += d * d;                                                           \
                }                                                                                  \
            }                                                                                      \
            for (; i < inner; i++) {                                                               \
                double d = (double)run[i] - (double)mean;                                          \
                partial[0] += d * d;                                                               \
            }                                                                                      \
        }                                                                                          \
        return total(partial);                                                                     \
    }                                                                                              \
                                                                                                   \
    ATTRIBUTES static void batch_norm_##SUFFIX(const T *x, T *y, const T *weight, const T *bias,   \
                                     ptrdiff_t outer, ptrdiff_t channels, ptrdiff_t inner,         \
                                     ptrdiff_t first, ptrdiff_t count, double epsilon, T *mean,    \
                                     T *variance) {                                                \
        const ptrdiff_t stride = channels * inner;                                                 \
        const double n = (double)outer * (double)inner;                                            \
        for (ptrdiff_t c = first; c < first + count; c++) {                                        \
            const T *xc = x + c * inner;                                                           \
            T *yc = y + c * inner;                                                                 \
            T mu = (T)(channel_sum_##SUFFIX(xc, outer, stride, inner) / n);                        \
            double sigma2 = channel_squares_##SUFFIX(xc, mu, outer, stride, inner) / n;            \
            double inverse = 1 / sqrt(sigma2 + epsilon);                                           \
            /* y = (x − μ)·γ/√(σ² + ε) + β */                                                      \
            T scale = (T)(weight ? (double)weight[c] * inverse : inverse);                         \
            T shift = bias ? bias[c] : (T)0;                                                       \
            for (ptrdiff_t o = 0; o < outer; o++) {                                                \
                const T *run = xc + o * stride;                                                    \
                T *out = yc + o * stride;                                                          \
                for (ptrdiff_t i = 0; i < inner; i++) out[i] = (run[i] - mu) * scale + shift;      \
            }                                                                                      \
            mean[c] = mu;                                                                          \
            variance[c] = (T)sigma2;                                                               \
        }                                                                                          \
    }                                                                                              \
                                                                                                   \
    ATTRIBUTES static void batch_norm_backward_##SUFFIX(const T *g, const T *x, const T *mean,     \
                                              const T *variance, const T *weight,                  \
                                              ptrdiff_t outer, ptrdiff_t channels, ptrdiff_t inner, \
                                              ptrdiff_t first, ptrdiff_t count, double epsilon,    \
                                              T *inputGradient, T *weightGradient, T *biasGradient) { \
        const ptrdiff_t stride = channels * inner;                                                 \
        const double n = (double)outer * (double)inner;                                            \
        for (ptrdiff_t c = first; c < first + count; c++) {                                        \
            const T *gc = g + c * inner, *xc = x + c * inner;                                      \
            T *dx = inputGradient + c * inner;                                                     \
            const T mu = mean[c];                                                                  \
            const double inverse = 1 / sqrt((double)variance[c] + epsilon);                        \
            /* Σ ḡ and Σ ḡ·x̂, x̂ = (x − μ)/√(σ² + ε), in one pass. */                             \
            double sums[LANES] = {0}, products[LANES] = {0};                                       \
            for (ptrdiff_t o = 0; o < outer; o++) {                                                \
                const T *gr = gc + o * stride, *xr = xc + o * stride;                              \
                ptrdiff_t i = 0;                                                                   \
                for (; i + LANES <= inner; i += LANES) {                                           \
                    for (int q = 0; q < LANES; q++) {                                              \
                        sums[q] += (double)gr[i + q];                                              \
                        products[q] += (double)gr[i + q] * (((double)xr[i + q] - (double)mu) * inverse); \
                    }                                                                              \
                }                                                                                  \
                for (; i < inner; i++) {                                                           \
                    sums[0] += (double)gr[i];                                                      \
                    products[0] += (double)gr[i] * (((double)xr[i] - (double)mu) * inverse);       \
                }                                                                                  \
            }                                                                                      \
            const double sum = total(sums), product = total(products);                             \
            const double gamma = weight ? (double)weight[c] : 1;                                   \
            /* x̄ = γ/√(σ² + ε)·(ḡ − mean(ḡ) − x̂·mean(ḡ·x̂)) as a·ḡ + b·(x − μ) + d. */           \
            const T a = (T)(gamma * inverse);                                                      \
            const T b = (T)(-gamma * inverse * inverse * product / n);                             \
            const T d = (T)(-gamma * inverse * sum / n);                                           \
            for (ptrdiff_t o = 0; o < outer; o++) {                                                \
                const T *gr = gc + o * stride, *xr = xc + o * stride;                              \
                T *out = dx + o * stride;                                                          \
                for (ptrdiff_t i = 0; i < inner; i++) out[i] = a * gr[i] + (b * (xr[i] - mu) + d); \
            }                                                                                      \
            /* γ̄ = Σ ḡ·x̂, β̄ = Σ ḡ. */                                                           \
            weightGradient[c] = (T)product;                                                        \
            biasGradient[c] = (T)sum;                                                              \
        }                                                                                          \
    }

DEFINE_BATCH_NORM(f32_portable, float, )
DEFINE_BATCH_NORM(f64_portable, double, )
#if defined(__x86_64__)
DEFINE_BATCH_NORM(f32_avx2, float, __attribute__((target("avx2"))))
DEFINE_BATCH_NORM(f64_avx2, double, __attribute__((target("avx2"))))
#endif


void descent_batch_norm_f32(const float *x, float *y, const float *weight, const float *bias, ptrdiff_t outer,
                            ptrdiff_t channels, ptrdiff_t inner, ptrdiff_t first, ptrdiff_t count,
                            double epsilon, float *mean, float *variance) {
    PLAIN_OR_AVX2(batch_norm, f32, x, y, weight, bias, outer, channels, inner, first, count, epsilon, mean,
                  variance)
}

void descent_batch_norm_f64(const double *x, double *y, const double *weight, const double *bias,
                            ptrdiff_t outer, ptrdiff_t channels, ptrdiff_t inner, ptrdiff_t first,
                            ptrdiff_t count, double epsilon, double *mean, double *variance) {
    PLAIN_OR_AVX2(batch_norm, f64, x, y, weight, bias, outer, channels, inner, first, count, epsilon, mean,
                  variance)
}

void descent_batch_norm_backward_f32(const float *g, const float *x, const float *mean, const float *variance,
                                     const float *weight, ptrdiff_t outer, ptrdiff_t channels, ptrdiff_t inner,
                                     ptrdiff_t first, ptrdiff_t count, double epsilon, float *inputGradient,
                                     float *weightGradient, float *biasGradient) {
    PLAIN_OR_AVX2(batch_norm_backward, f32, g, x, mean, variance, weight, outer, channels, inner, first, count,
                  epsilon, inputGradient, weightGradient, biasGradient)
}

void descent_batch_norm_backward_f64(const double *g, const double *x, const double *mean,
                                     const double *variance, const double *weight, ptrdiff_t outer,
                                     ptrdiff_t channels, ptrdiff_t inner, ptrdiff_t first, ptrdiff_t count,
                                     double epsilon, double *inputGradient, double *weightGradient,
                                     double *biasGradient) {
    PLAIN_OR_AVX2(batch_norm_backward, f64, g, x, mean, variance, weight, outer, channels, inner, first, count,
                  epsilon, inputGradient, weightGradient, biasGradient)
}
