// Portable micro-kernels: plain C that compilers vectorise for whatever the target has (SSE2,
// NEON). Used on CPUs without AVX2 + FMA and on other architectures.
#include "gemm_kernels.h"

#define DEFINE_PORTABLE_KERNEL(NAME, T, MR, NR)                                                  \
    void NAME(ptrdiff_t kc, const T *restrict a, const T *restrict b, T *restrict c,            \
              ptrdiff_t ldc, T beta, int mr, int nr) {                                          \
        T tile[MR][NR] = {{0}};                                                                 \
        for (ptrdiff_t p = 0; p < kc; p++) {                                                    \
            for (int r = 0; r < MR; r++) {                                                      \
                T ar = a[p * MR + r];                                                           \
                for (int j = 0; j < NR; j++) tile[r][j] += ar * b[p * NR + j];                  \
            }                                                                                   \
        }                                                                                       \
        for (int r = 0; r < mr; r++) {                                                          \
            T *row = c + r * ldc;                                                               \
            if (beta == 0) {                                                                    \
                for (int j = 0; j < nr; j++) row[j] = tile[r][j];                               \
            } else {                                                                            \
                for (int j = 0; j < nr; j++) row[j] = tile[r][j] + beta * row[j];               \
            }                                                                                   \
        }                                                                                       \
    }

DEFINE_PORTABLE_KERNEL(descent_sgemm_kernel_portable, float, DESCENT_SGEMM_MR, DESCENT_SGEMM_NR)
DEFINE_PORTABLE_KERNEL(descent_dgemm_kernel_portable, double, DESCENT_DGEMM_MR, DESCENT_DGEMM_NR)
