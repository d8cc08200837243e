// Vector–matrix products, for the multiplies where one side is a single row or column (batch-1
// inference, a 1-wide output): packing would copy a whole matrix that is then read only once,
// so these stream the matrix straight from memory instead. The same C code is compiled plain,
// with AVX2 + FMA and (float) with AVX-512, and the driver picks by CPU. Both x86 vector builds
// use FMA and the same explicit lanes, so they give the same bits; AVX-512 halves the
// instructions per element, which matters where the matrix is in L1 or L2 on a core with two
// 512-bit FMA units (Intel's), and changes nothing measurable on Zen 4 (BENCHMARKS.md).
#include "gemm_kernels.h"

// c[j·incc] ← x·M[:, j] + beta·c[j·incc] for j < n, where M is k×n with M[p][j] =
// m[p*ldm + j] (transposeM == 0) or m[j*ldm + p]; x[p·incx] for p < k.
#define DEFINE_GEMV(NAME, T, ATTRIBUTES)                                                            \
    ATTRIBUTES void NAME(int transposeM, ptrdiff_t n, ptrdiff_t k, const T *x, ptrdiff_t incx,      \
                         const T *m, ptrdiff_t ldm, T *c, ptrdiff_t incc, T beta) {                 \
        enum { WIDTH = 512, LANES = 16 };                                                           \
        if (!transposeM) {                                                                          \
            /* Rows of M are contiguous: stream them, four at a time, into WIDTH sums (in L1). */   \
            for (ptrdiff_t j0 = 0; j0 < n; j0 += WIDTH) {                                           \
                ptrdiff_t width = n - j0 < WIDTH ? n - j0 : WIDTH;                                  \
                T sums[WIDTH];                                                                      \
                for (ptrdiff_t j = 0; j < width; j++) sums[j] = 0;                                  \
                ptrdiff_t p = 0;                                                                    \
                for (; p + 4 <= k; p += 4) {                                                        \
                    T x0 = x[p * incx], x1 = x[(p + 1) * incx];                                     \
                    T x2 = x[(p + 2) * incx], x3 = x[(p + 3) * incx];                               \
                    const T *r0 = m + p * ldm + j0, *r1 = r0 + ldm, *r2 = r1 + ldm, *r3 = r2 + ldm; \
                    for (ptrdiff_t j = 0; j < width; j++) {                                         \
                        sums[j] = sums[j] + x0 * r0[j] + x1 * r1[j] + x2 * r2[j] + x3 * r3[j];      \
                    }                                                                               \
                }                                                                                   \
                for (; p < k; p++) {                                                                \
                    T xp = x[p * incx];                                                             \
                    const T *row = m + p * ldm + j0;                                                \
                    for (ptrdiff_t j = 0; j < width; j++) sums[j] += xp * row[j];                   \
                }                                                                                   \
                for (ptrdiff_t j = 0; j < width; j++) {                                             \
                    T *out = c + (j0 + j) * incc;                                                   \
                    *out = beta == 0 ? sums[j] : sums[j] + beta * *out;                             \
                }                                                                                   \
            }                                                                                       \
        } else {                                                                                    \
            /* Columns of M are contiguous: dot products, four columns at a time so that the  */ \
            /* CPU has 4·LANES independent sums in flight (one dot alone waits on its own FMA */ \
            /* latency) and each element of x is loaded once per four columns.                */ \
            ptrdiff_t j = 0;                                                                        \
            for (; j + 4 <= n; j += 4) {                                                            \
                const T *c0 = m + j * ldm, *c1 = c0 + ldm, *c2 = c1 + ldm, *c3 = c2 + ldm;          \
                T l0[LANES] = {0}, l1[LANES] = {0}, l2[LANES] = {0}, l3[LANES] = {0};               \
                ptrdiff_t p = 0;                                                                    \
                if (incx == 1) {                                                                    \
                    for (; p + LANES <= k; p += LANES) {                                            \
                        for (int q = 0; q < LANES; q++) {                                           \
                            T xq = x[p + q];                                                        \
                            l0[q] += xq * c0[p + q];                                                \
                            l1[q] += xq * c1[p + q];                                                \
                            l2[q] += xq * c2[p + q];                                                \
                            l3[q] += xq * c3[p + q];                                                \
                        }                                                                           \
                    }                                                                               \
                }                                                                                   \
                T s0 = 0, s1 = 0, s2 = 0, s3 = 0;                                                   \
                for (; p < k; p++) {                                                                \
                    T xp = x[p * incx];                                                             \
                    s0 += xp * c0[p]; s1 += xp * c1[p]; s2 += xp * c2[p]; s3 += xp * c3[p];         \
                }                                                                                   \
                for (int q = 0; q < LANES; q++) { s0 += l0[q]; s1 += l1[q]; s2 += l2[q]; s3 += l3[q]; } \
                T sums[4] = {s0, s1, s2, s3};                                                       \
                for (int r = 0; r < 4; r++) {                                                       \
                    T *out = c + (j + r) * incc;                                                    \
                    *out = beta == 0 ? sums[r] : sums[r] + beta * *out;                             \
                }                                                                                   \
            }                                                                                       \
            for (; j < n; j++) {                                                                    \
                const T *column = m + j * ldm;                                                      \
                T lanes[LANES] = {0};                                                               \
                ptrdiff_t p = 0;                                                                    \
                if (incx == 1) {                                                                    \
                    for (; p + LANES <= k; p += LANES) {                                            \
                        for (int q = 0; q < LANES; q++) lanes[q] += x[p + q] * column[p + q];       \
                    }                                                                               \
                }                                                                                   \
                T sum = 0;                                                                          \
                for (; p < k; p++) sum += x[p * incx] * column[p];                                  \
                for (int q = 0; q < LANES; q++) sum += lanes[q];                                    \
                T *out = c + j * incc;                                                              \
                *out = beta == 0 ? sum : sum + beta * *out;                                         \
            }                                                                                       \
        }                                                                                           \
    }

DEFINE_GEMV(descent_sgemv_portable, float, )
DEFINE_GEMV(descent_dgemv_portable, double, )
#if defined(__x86_64__)
DEFINE_GEMV(descent_sgemv_avx2, float, __attribute__((target("avx2,fma"))))
DEFINE_GEMV(descent_dgemv_avx2, double, __attribute__((target("avx2,fma"))))
DEFINE_GEMV(descent_sgemv_avx512, float, __attribute__((target("avx512f,avx512vl,avx2,fma"))))
#endif
