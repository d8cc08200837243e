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
//
// A ReLU after batch normalization is applied as the output is written. Backward, its
// derivative needs to know where that output was positive: rather than read the output back
// (a pass over the whole activation), each pass recomputes it from x, which it reads anyway,
// with the forward pass's own arithmetic (`scale_*`), so the same bits decide.
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
    /* γ/√(σ² + ε) rounded to T, from the variance as stored (rounded to T): the forward pass    */ \
    /* and the backward pass compute it alike, so that the backward pass recomputes the forward */ \
    /* pass's y bit for bit where it needs ReLU's derivative.                                    */ \
    ATTRIBUTES static inline T scale_##SUFFIX(T variance, const T *weight, ptrdiff_t c, double epsilon) { \
        const double inverse = 1 / sqrt((double)variance + epsilon);                               \
        return (T)(weight ? (double)weight[c] * inverse : inverse);                                \
    }                                                                                              \
                                                                                                   \
    ATTRIBUTES static void batch_norm_##SUFFIX(const T *x, T *y, const T *weight, const T *bias,   \
                                     ptrdiff_t outer, ptrdiff_t channels, ptrdiff_t inner,         \
                                     ptrdiff_t first, ptrdiff_t count, double epsilon, int relu,   \
                                     T *mean, T *variance) {                                       \
        const ptrdiff_t stride = channels * inner;                                                 \
        const double n = (double)outer * (double)inner;                                            \
        for (ptrdiff_t c = first; c < first + count; c++) {                                        \
            const T *xc = x + c * inner;                                                           \
            T *yc = y + c * inner;                                                                 \
            T mu = (T)(channel_sum_##SUFFIX(xc, outer, stride, inner) / n);                        \
            const T sigma2 = (T)(channel_squares_##SUFFIX(xc, mu, outer, stride, inner) / n);      \
            const T scale = scale_##SUFFIX(sigma2, weight, c, epsilon);                            \
            const T shift = bias ? bias[c] : (T)0;                                                 \
            /* y = (x − μ)·γ/√(σ² + ε) + β, then ReLU where asked: z > 0 ? z : 0, as relu's. */    \
            for (ptrdiff_t o = 0; o < outer; o++) {                                                \
                const T *run = xc + o * stride;                                                    \
                T *out = yc + o * stride;                                                          \
                if (relu) {                                                                        \
                    for (ptrdiff_t i = 0; i < inner; i++) {                                        \
                        T z = (run[i] - mu) * scale + shift;                                       \
                        out[i] = z > 0 ? z : (T)0;                                                 \
                    }                                                                              \
                } else {                                                                           \
                    for (ptrdiff_t i = 0; i < inner; i++) out[i] = (run[i] - mu) * scale + shift;  \
                }                                                                                  \
            }                                                                                      \
            mean[c] = mu;                                                                          \
            variance[c] = sigma2;                                                                  \
        }                                                                                          \
    }                                                                                              \
                                                                                                   \
    /* ḡ where ReLU passed y = (x − μ)·scale + shift, recomputed as the forward pass computed   */ \
    /* it; all of ḡ without ReLU (`relu` is a constant where this is inlined).                   */ \
    ATTRIBUTES static inline __attribute__((always_inline)) T kept_##SUFFIX(T g, T x, T mu, T scale, T shift, \
                                                                          const int relu) {        \
        if (!relu) return g;                                                                       \
        T z = (x - mu) * scale + shift;                                                            \
        return z > 0 ? g : (T)0;                                                                   \
    }                                                                                              \
                                                                                                   \
    ATTRIBUTES static inline __attribute__((always_inline)) void                                   \
    batch_norm_backward_channel_##SUFFIX(const T *gc, const T *xc, T mu, T variance, const T *weight, \
                                         const T *bias, ptrdiff_t c, ptrdiff_t outer, ptrdiff_t stride, \
                                         ptrdiff_t inner, double epsilon, const int relu, T *dx,   \
                                         T *weightGradient, T *biasGradient) {                     \
        const double n = (double)outer * (double)inner;                                            \
        const double inverse = 1 / sqrt((double)variance + epsilon);                               \
        const T scale = scale_##SUFFIX(variance, weight, c, epsilon);                              \
        const T shift = bias ? bias[c] : (T)0;                                                     \
        /* Σ ḡ and Σ ḡ·x̂, x̂ = (x − μ)/√(σ² + ε), in one pass (ḡ kept where y > 0 with ReLU). */  \
        double sums[LANES] = {0}, products[LANES] = {0};                                           \
        for (ptrdiff_t o = 0; o < outer; o++) {                                                    \
            const T *gr = gc + o * stride, *xr = xc + o * stride;                                  \
            ptrdiff_t i = 0;                                                                       \
            for (; i + LANES <= inner; i += LANES) {                                               \
                for (int q = 0; q < LANES; q++) {                                                  \
                    T g = kept_##SUFFIX(gr[i + q], xr[i + q], mu, scale, shift, relu);             \
                    sums[q] += (double)g;                                                          \
                    products[q] += (double)g * (((double)xr[i + q] - (double)mu) * inverse);       \
                }                                                                                  \
            }                                                                                      \
            for (; i < inner; i++) {                                                               \
                T g = kept_##SUFFIX(gr[i], xr[i], mu, scale, shift, relu);                         \
                sums[0] += (double)g;                                                              \
                products[0] += (double)g * (((double)xr[i] - (double)mu) * inverse);               \
            }                                                                                      \
        }                                                                                          \
        const double sum = total(sums), product = total(products);                                 \
        const double gamma = weight ? (double)weight[c] : 1;                                       \
        /* x̄ = γ/√(σ² + ε)·(ḡ − mean(ḡ) − x̂·mean(ḡ·x̂)) as a·ḡ + b·(x − μ) + d. */               \
        const T a = (T)(gamma * inverse);                                                          \
        const T b = (T)(-gamma * inverse * inverse * product / n);                                 \
        const T d = (T)(-gamma * inverse * sum / n);                                               \
        for (ptrdiff_t o = 0; o < outer; o++) {                                                    \
            const T *gr = gc + o * stride, *xr = xc + o * stride;                                  \
            T *out = dx + o * stride;                                                              \
            for (ptrdiff_t i = 0; i < inner; i++) {                                                \
                T g = kept_##SUFFIX(gr[i], xr[i], mu, scale, shift, relu);                         \
                out[i] = a * g + (b * (xr[i] - mu) + d);                                           \
            }                                                                                      \
        }                                                                                          \
        /* γ̄ = Σ ḡ·x̂, β̄ = Σ ḡ. */                                                               \
        weightGradient[c] = (T)product;                                                            \
        biasGradient[c] = (T)sum;                                                                  \
    }                                                                                              \
                                                                                                   \
    ATTRIBUTES static void batch_norm_backward_##SUFFIX(const T *g, const T *x, const T *mean,     \
                                              const T *variance, const T *weight, const T *bias,   \
                                              ptrdiff_t outer, ptrdiff_t channels, ptrdiff_t inner, \
                                              ptrdiff_t first, ptrdiff_t count, double epsilon,    \
                                              int relu, T *inputGradient, T *weightGradient,       \
                                              T *biasGradient) {                                   \
        const ptrdiff_t stride = channels * inner;                                                 \
        for (ptrdiff_t c = first; c < first + count; c++) {                                        \
            const T *gc = g + c * inner, *xc = x + c * inner;                                      \
            T *dx = inputGradient + c * inner;                                                     \
            if (relu) {                                                                            \
                batch_norm_backward_channel_##SUFFIX(gc, xc, mean[c], variance[c], weight, bias, c, outer, \
                                                     stride, inner, epsilon, 1, dx, weightGradient, \
                                                     biasGradient);                                \
            } else {                                                                               \
                batch_norm_backward_channel_##SUFFIX(gc, xc, mean[c], variance[c], weight, bias, c, outer, \
                                                     stride, inner, epsilon, 0, dx, weightGradient, \
                                                     biasGradient);                                \
            }                                                                                      \
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
                            double epsilon, int relu, float *mean, float *variance) {
    PLAIN_OR_AVX2(batch_norm, f32, x, y, weight, bias, outer, channels, inner, first, count, epsilon, relu, mean,
                  variance)
}

void descent_batch_norm_f64(const double *x, double *y, const double *weight, const double *bias,
                            ptrdiff_t outer, ptrdiff_t channels, ptrdiff_t inner, ptrdiff_t first,
                            ptrdiff_t count, double epsilon, int relu, double *mean, double *variance) {
    PLAIN_OR_AVX2(batch_norm, f64, x, y, weight, bias, outer, channels, inner, first, count, epsilon, relu, mean,
                  variance)
}

void descent_batch_norm_backward_f32(const float *g, const float *x, const float *mean, const float *variance,
                                     const float *weight, const float *bias, ptrdiff_t outer, ptrdiff_t channels,
                                     ptrdiff_t inner, ptrdiff_t first, ptrdiff_t count, double epsilon, int relu,
                                     float *inputGradient, float *weightGradient, float *biasGradient) {
    PLAIN_OR_AVX2(batch_norm_backward, f32, g, x, mean, variance, weight, bias, outer, channels, inner, first, count,
                  epsilon, relu, inputGradient, weightGradient, biasGradient)
}

void descent_batch_norm_backward_f64(const double *g, const double *x, const double *mean,
                                     const double *variance, const double *weight, const double *bias,
                                     ptrdiff_t outer, ptrdiff_t channels, ptrdiff_t inner, ptrdiff_t first,
                                     ptrdiff_t count, double epsilon, int relu, double *inputGradient,
                                     double *weightGradient, double *biasGradient) {
    PLAIN_OR_AVX2(batch_norm_backward, f64, g, x, mean, variance, weight, bias, outer, channels, inner, first, count,
                  epsilon, relu, inputGradient, weightGradient, biasGradient)
}
