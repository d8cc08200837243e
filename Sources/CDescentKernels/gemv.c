// Vector–matrix products, for the multiplies where one side is a single row or column (batch-1
// inference, a 1-wide output): packing would copy a whole matrix that is then read only once,
// so these stream the matrix straight from memory instead. The same C code is compiled twice,
// plain and with AVX2 + FMA enabled, and the driver picks by CPU.
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
            /* Columns of M are contiguous: one dot product each, in LANES partial sums. */        \
            for (ptrdiff_t j = 0; j < n; j++) {                                                     \
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
#endif
