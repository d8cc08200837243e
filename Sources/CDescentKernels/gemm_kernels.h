// Micro-kernels of the packed matrix multiply (private to this target).
//
// A micro-kernel computes one MR×NR tile of C from a packed micro-panel of A (kc steps of MR
// values: column p of the panel is a[p*MR ..< p*MR+MR]) and one of B (kc steps of NR values),
// then merges it into C: C ← tile + beta·C for the top-left mr×nr corner (mr ≤ MR, nr ≤ NR;
// the packed panels are zero-padded to full size). With beta == 0, C is only written.
#ifndef DESCENT_GEMM_KERNELS_H
#define DESCENT_GEMM_KERNELS_H

#include <stddef.h>

// 6×16 floats (6×8 doubles) use 12 of the 16 ymm registers for accumulators, 2 for a row of B
// and 1 for a broadcast element of A: 12 independent FMA chains cover the FMA latency on Zen 2
// and Haswell-class cores (2 FMA units × 5 cycles).
#define DESCENT_SGEMM_MR 6
#define DESCENT_SGEMM_NR 16
#define DESCENT_DGEMM_MR 6
#define DESCENT_DGEMM_NR 8

typedef void (*descent_sgemm_kernel)(ptrdiff_t kc, const float *a, const float *b,
                                     float *c, ptrdiff_t ldc, float beta, int mr, int nr);
typedef void (*descent_dgemm_kernel)(ptrdiff_t kc, const double *a, const double *b,
                                     double *c, ptrdiff_t ldc, double beta, int mr, int nr);

void descent_sgemm_kernel_portable(ptrdiff_t kc, const float *a, const float *b,
                                   float *c, ptrdiff_t ldc, float beta, int mr, int nr);
void descent_dgemm_kernel_portable(ptrdiff_t kc, const double *a, const double *b,
                                   double *c, ptrdiff_t ldc, double beta, int mr, int nr);

#if defined(__x86_64__)
void descent_sgemm_kernel_avx2(ptrdiff_t kc, const float *a, const float *b,
                               float *c, ptrdiff_t ldc, float beta, int mr, int nr);
void descent_dgemm_kernel_avx2(ptrdiff_t kc, const double *a, const double *b,
                               double *c, ptrdiff_t ldc, double beta, int mr, int nr);
#endif

#endif
