// ReLU's backward pass and the sums a bias needs, in one pass: for a layer whose ReLU was fused
// into it (conv2d(…, activation: .relu)), the upstream gradient kept where the output is
// positive, and each row's sum of it, which the caller adds up per channel into the bias's
// gradient. Separately, the two were a pass that wrote the kept gradient and a reduction that
// read it all back.
//
// Each row is summed in 16 lanes (element i into lane i mod 16), the lanes then added in order,
// then the leftover elements: the plain, AVX2 and ARM builds add the same numbers in the same
// order, so they give the same bits.
#include "CDescentKernels.h"
#include "plain_or_avx2.h"

enum { LANES = 16 };

// 16 lanes of float or double, and the integers as wide as them (a comparison's result: all
// ones where true), read and written in place unaligned.
typedef float f32_lanes __attribute__((vector_size(64), aligned(4), may_alias));
typedef int f32_mask __attribute__((vector_size(64), aligned(4), may_alias));
typedef double f64_lanes __attribute__((vector_size(128), aligned(8), may_alias));
typedef long long f64_mask __attribute__((vector_size(128), aligned(8), may_alias));

// Kept where the output is positive: the upstream's bits and-ed with the comparison's (+0
// elsewhere, and where the output is NaN).
#define DEFINE_RELU_GRADIENT(SUFFIX, T, VT, VI, ATTRIBUTES)                                         \
    ATTRIBUTES static void relu_gradient_rows_##SUFFIX(const T *upstream, const T *output, T *kept,  \
                                                       ptrdiff_t rows, ptrdiff_t length, T *rowSums) { \
        for (ptrdiff_t r = 0; r < rows; r++) {                                                      \
            const T *u = upstream + r * length, *y = output + r * length;                          \
            T *g = kept + r * length;                                                               \
            VT lanes = {0};                                                                         \
            ptrdiff_t i = 0;                                                                        \
            for (; i + LANES <= length; i += LANES) {                                               \
                VT value = (VT)(*(const VI *)(u + i) & (VI)(*(const VT *)(y + i) > 0));             \
                *(VT *)(g + i) = value;                                                             \
                lanes += value;                                                                     \
            }                                                                                       \
            T sum = 0;                                                                              \
            for (int l = 0; l < LANES; l++) sum += lanes[l];                                        \
            for (; i < length; i++) {                                                               \
                T value = y[i] > 0 ? u[i] : 0;                                                      \
                g[i] = value;                                                                       \
                sum += value;                                                                       \
            }                                                                                       \
            rowSums[r] = sum;                                                                       \
        }                                                                                           \
    }

DEFINE_RELU_GRADIENT(f32_portable, float, f32_lanes, f32_mask, )
DEFINE_RELU_GRADIENT(f64_portable, double, f64_lanes, f64_mask, )
#if defined(__x86_64__)
DEFINE_RELU_GRADIENT(f32_avx2, float, f32_lanes, f32_mask, __attribute__((target("avx2"))))
DEFINE_RELU_GRADIENT(f64_avx2, double, f64_lanes, f64_mask, __attribute__((target("avx2"))))
#endif

void descent_relu_gradient_rows_f32(const float *upstream, const float *output, float *kept, ptrdiff_t rows,
                                    ptrdiff_t length, float *rowSums) {
    PLAIN_OR_AVX2(relu_gradient_rows, f32, upstream, output, kept, rows, length, rowSums)
}

void descent_relu_gradient_rows_f64(const double *upstream, const double *output, double *kept, ptrdiff_t rows,
                                    ptrdiff_t length, double *rowSums) {
    PLAIN_OR_AVX2(relu_gradient_rows, f64, upstream, output, kept, rows, length, rowSums)
}
