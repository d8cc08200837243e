// ARM64 NEON micro-kernels. NEON (Advanced SIMD) is part of every AArch64 CPU, so these are
// chosen at compile time. The tile is the driver's 6×16 floats (6×8 doubles): 24 of the 32
// 128-bit registers hold the accumulators, 4 a row of B and 2 a column of A, whose elements
// each FMA takes by lane (no broadcast instruction).
//
// Their correctness is checked here by Benchmarks/arm64_kernels.sh (cross-compiled, run under
// qemu-user); their speed is not measured on this project's machines.
#include "gemm_kernels.h"
#include "CDescentKernels.h"

#if defined(__aarch64__)
#include <arm_neon.h>

// Merges one accumulator row (four vectors, nr valid lanes in all) into a row of C, then the
// epilogue (gemm_kernels.h): + the bias (nr values), then ReLU as x > 0 ? x : 0 — a compare
// and a select, since vmaxq would keep a NaN.
static inline float32x4_t relu_s(float32x4_t v) {
    return vbslq_f32(vcgtq_f32(v, vdupq_n_f32(0)), v, vdupq_n_f32(0));
}

static inline void merge_row_s(float *c, float32x4_t v0, float32x4_t v1, float32x4_t v2,
                               float32x4_t v3, float beta, int nr, const float *bias, int relu) {
    if (nr == 16) {
        if (beta != 0) {
            float32x4_t vb = vdupq_n_f32(beta);
            v0 = vfmaq_f32(v0, vb, vld1q_f32(c));
            v1 = vfmaq_f32(v1, vb, vld1q_f32(c + 4));
            v2 = vfmaq_f32(v2, vb, vld1q_f32(c + 8));
            v3 = vfmaq_f32(v3, vb, vld1q_f32(c + 12));
        }
        if (bias) {
            v0 = vaddq_f32(v0, vld1q_f32(bias));
            v1 = vaddq_f32(v1, vld1q_f32(bias + 4));
            v2 = vaddq_f32(v2, vld1q_f32(bias + 8));
            v3 = vaddq_f32(v3, vld1q_f32(bias + 12));
        }
        if (relu) {
            v0 = relu_s(v0);
            v1 = relu_s(v1);
            v2 = relu_s(v2);
            v3 = relu_s(v3);
        }
        vst1q_f32(c, v0);
        vst1q_f32(c + 4, v1);
        vst1q_f32(c + 8, v2);
        vst1q_f32(c + 12, v3);
        return;
    }
    float tile[16];
    vst1q_f32(tile, v0);
    vst1q_f32(tile + 4, v1);
    vst1q_f32(tile + 8, v2);
    vst1q_f32(tile + 12, v3);
    for (int j = 0; j < nr; j++) {
        float value = beta == 0 ? tile[j] : tile[j] + beta * c[j];
        if (bias) value += bias[j];
        if (relu) value = value > 0 ? value : 0;
        c[j] = value;
    }
}

// Row R of one step: element R of the step's column of A (lane L of register A) times the
// step's row of B.
#define SGEMM_ROW(R, A, L)                                                                          \
    c##R##0 = vfmaq_laneq_f32(c##R##0, b0, A, L);                                                   \
    c##R##1 = vfmaq_laneq_f32(c##R##1, b1, A, L);                                                   \
    c##R##2 = vfmaq_laneq_f32(c##R##2, b2, A, L);                                                   \
    c##R##3 = vfmaq_laneq_f32(c##R##3, b3, A, L);

void descent_sgemm_kernel_neon_epilogue(ptrdiff_t kc, const float *restrict a, const float *restrict b,
                                        float *restrict c, ptrdiff_t ldc, float beta, int mr, int nr,
                                        const float *restrict bias, int activation) {
    int relu = activation == DESCENT_ACTIVATION_RELU;
    float32x4_t c00 = vdupq_n_f32(0), c01 = c00, c02 = c00, c03 = c00;
    float32x4_t c10 = c00, c11 = c00, c12 = c00, c13 = c00;
    float32x4_t c20 = c00, c21 = c00, c22 = c00, c23 = c00;
    float32x4_t c30 = c00, c31 = c00, c32 = c00, c33 = c00;
    float32x4_t c40 = c00, c41 = c00, c42 = c00, c43 = c00;
    float32x4_t c50 = c00, c51 = c00, c52 = c00, c53 = c00;
    for (ptrdiff_t p = 0; p < kc; p++) {
        float32x4_t b0 = vld1q_f32(b), b1 = vld1q_f32(b + 4), b2 = vld1q_f32(b + 8), b3 = vld1q_f32(b + 12);
        // A's six values: lanes 0–3 of the first register, 0–1 of the second (its last two lanes
        // belong to the next step and are not used).
        float32x4_t a0 = vld1q_f32(a);
        float32x2_t a1 = vld1_f32(a + 4);
        float32x4_t a1q = vcombine_f32(a1, a1);
        SGEMM_ROW(0, a0, 0) SGEMM_ROW(1, a0, 1) SGEMM_ROW(2, a0, 2) SGEMM_ROW(3, a0, 3)
        SGEMM_ROW(4, a1q, 0) SGEMM_ROW(5, a1q, 1)
        a += 6;
        b += 16;
    }
    // Rows past mr were computed from the packed zero padding and are dropped here.
    merge_row_s(c, c00, c01, c02, c03, beta, nr, bias, relu);
    if (mr > 1) merge_row_s(c + ldc, c10, c11, c12, c13, beta, nr, bias, relu);
    if (mr > 2) merge_row_s(c + 2 * ldc, c20, c21, c22, c23, beta, nr, bias, relu);
    if (mr > 3) merge_row_s(c + 3 * ldc, c30, c31, c32, c33, beta, nr, bias, relu);
    if (mr > 4) merge_row_s(c + 4 * ldc, c40, c41, c42, c43, beta, nr, bias, relu);
    if (mr > 5) merge_row_s(c + 5 * ldc, c50, c51, c52, c53, beta, nr, bias, relu);
}

void descent_sgemm_kernel_neon(ptrdiff_t kc, const float *restrict a, const float *restrict b,
                               float *restrict c, ptrdiff_t ldc, float beta, int mr, int nr) {
    descent_sgemm_kernel_neon_epilogue(kc, a, b, c, ldc, beta, mr, nr, NULL, DESCENT_ACTIVATION_IDENTITY);
}

static inline float64x2_t relu_d(float64x2_t v) {
    return vbslq_f64(vcgtq_f64(v, vdupq_n_f64(0)), v, vdupq_n_f64(0));
}

static inline void merge_row_d(double *c, float64x2_t v0, float64x2_t v1, float64x2_t v2,
                               float64x2_t v3, double beta, int nr, const double *bias, int relu) {
    if (nr == 8) {
        if (beta != 0) {
            float64x2_t vb = vdupq_n_f64(beta);
            v0 = vfmaq_f64(v0, vb, vld1q_f64(c));
            v1 = vfmaq_f64(v1, vb, vld1q_f64(c + 2));
            v2 = vfmaq_f64(v2, vb, vld1q_f64(c + 4));
            v3 = vfmaq_f64(v3, vb, vld1q_f64(c + 6));
        }
        if (bias) {
            v0 = vaddq_f64(v0, vld1q_f64(bias));
            v1 = vaddq_f64(v1, vld1q_f64(bias + 2));
            v2 = vaddq_f64(v2, vld1q_f64(bias + 4));
            v3 = vaddq_f64(v3, vld1q_f64(bias + 6));
        }
        if (relu) {
            v0 = relu_d(v0);
            v1 = relu_d(v1);
            v2 = relu_d(v2);
            v3 = relu_d(v3);
        }
        vst1q_f64(c, v0);
        vst1q_f64(c + 2, v1);
        vst1q_f64(c + 4, v2);
        vst1q_f64(c + 6, v3);
        return;
    }
    double tile[8];
    vst1q_f64(tile, v0);
    vst1q_f64(tile + 2, v1);
    vst1q_f64(tile + 4, v2);
    vst1q_f64(tile + 6, v3);
    for (int j = 0; j < nr; j++) {
        double value = beta == 0 ? tile[j] : tile[j] + beta * c[j];
        if (bias) value += bias[j];
        if (relu) value = value > 0 ? value : 0;
        c[j] = value;
    }
}

#define DGEMM_ROW(R, A, L)                                                                          \
    c##R##0 = vfmaq_laneq_f64(c##R##0, b0, A, L);                                                   \
    c##R##1 = vfmaq_laneq_f64(c##R##1, b1, A, L);                                                   \
    c##R##2 = vfmaq_laneq_f64(c##R##2, b2, A, L);                                                   \
    c##R##3 = vfmaq_laneq_f64(c##R##3, b3, A, L);

void descent_dgemm_kernel_neon_epilogue(ptrdiff_t kc, const double *restrict a, const double *restrict b,
                                        double *restrict c, ptrdiff_t ldc, double beta, int mr, int nr,
                                        const double *restrict bias, int activation) {
    int relu = activation == DESCENT_ACTIVATION_RELU;
    float64x2_t c00 = vdupq_n_f64(0), c01 = c00, c02 = c00, c03 = c00;
    float64x2_t c10 = c00, c11 = c00, c12 = c00, c13 = c00;
    float64x2_t c20 = c00, c21 = c00, c22 = c00, c23 = c00;
    float64x2_t c30 = c00, c31 = c00, c32 = c00, c33 = c00;
    float64x2_t c40 = c00, c41 = c00, c42 = c00, c43 = c00;
    float64x2_t c50 = c00, c51 = c00, c52 = c00, c53 = c00;
    for (ptrdiff_t p = 0; p < kc; p++) {
        float64x2_t b0 = vld1q_f64(b), b1 = vld1q_f64(b + 2), b2 = vld1q_f64(b + 4), b3 = vld1q_f64(b + 6);
        float64x2_t a0 = vld1q_f64(a), a1 = vld1q_f64(a + 2), a2 = vld1q_f64(a + 4);
        DGEMM_ROW(0, a0, 0) DGEMM_ROW(1, a0, 1) DGEMM_ROW(2, a1, 0)
        DGEMM_ROW(3, a1, 1) DGEMM_ROW(4, a2, 0) DGEMM_ROW(5, a2, 1)
        a += 6;
        b += 8;
    }
    merge_row_d(c, c00, c01, c02, c03, beta, nr, bias, relu);
    if (mr > 1) merge_row_d(c + ldc, c10, c11, c12, c13, beta, nr, bias, relu);
    if (mr > 2) merge_row_d(c + 2 * ldc, c20, c21, c22, c23, beta, nr, bias, relu);
    if (mr > 3) merge_row_d(c + 3 * ldc, c30, c31, c32, c33, beta, nr, bias, relu);
    if (mr > 4) merge_row_d(c + 4 * ldc, c40, c41, c42, c43, beta, nr, bias, relu);
    if (mr > 5) merge_row_d(c + 5 * ldc, c50, c51, c52, c53, beta, nr, bias, relu);
}

void descent_dgemm_kernel_neon(ptrdiff_t kc, const double *restrict a, const double *restrict b,
                               double *restrict c, ptrdiff_t ldc, double beta, int mr, int nr) {
    descent_dgemm_kernel_neon_epilogue(kc, a, b, c, ldc, beta, mr, nr, NULL, DESCENT_ACTIVATION_IDENTITY);
}

#endif
