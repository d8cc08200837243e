// Portable micro-kernels: plain C that compilers vectorise for whatever the target has (SSE2,
// NEON). Used on CPUs without AVX2 + FMA and on other architectures.
#include "gemm_kernels.h"
#include "CDescentKernels.h"

// The merge with its epilogue (gemm_kernels.h): tile + beta·C, + bias, then the activation.
// `tile[j] + beta * row[j]` with beta 1 rounds as tile + C, which is how the unfused path
// added a bias written into C beforehand.
#define DEFINE_PORTABLE_KERNEL(NAME, T, MR, NR)                                                  \
    void NAME##_epilogue(ptrdiff_t kc, const T *restrict a, const T *restrict b, T *restrict c, \
                         ptrdiff_t ldc, T beta, int mr, int nr, const T *restrict bias,         \
                         int activation) {                                                      \
        T tile[MR][NR] = {{0}};                                                                 \
        for (ptrdiff_t p = 0; p < kc; p++) {                                                    \
            for (int r = 0; r < MR; r++) {                                                      \
                T ar = a[p * MR + r];                                                           \
                for (int j = 0; j < NR; j++) tile[r][j] += ar * b[p * NR + j];                  \
            }                                                                                   \
        }                                                                                       \
        for (int r = 0; r < mr; r++) {                                                          \
            T *row = c + r * ldc;                                                               \
            for (int j = 0; j < nr; j++) {                                                      \
                T value = beta == 0 ? tile[r][j] : tile[r][j] + beta * row[j];                  \
                if (bias) value += bias[j];                                                     \
                if (activation == DESCENT_ACTIVATION_RELU) value = value > 0 ? value : 0;       \
                row[j] = value;                                                                 \
            }                                                                                   \
        }                                                                                       \
    }                                                                                           \
    void NAME(ptrdiff_t kc, const T *restrict a, const T *restrict b, T *restrict c,            \
              ptrdiff_t ldc, T beta, int mr, int nr) {                                          \
        NAME##_epilogue(kc, a, b, c, ldc, beta, mr, nr, NULL, DESCENT_ACTIVATION_IDENTITY);     \
    }

DEFINE_PORTABLE_KERNEL(descent_sgemm_kernel_portable, float, DESCENT_SGEMM_MR, DESCENT_SGEMM_NR)
DEFINE_PORTABLE_KERNEL(descent_dgemm_kernel_portable, double, DESCENT_DGEMM_MR, DESCENT_DGEMM_NR)
