#ifndef CDESCENT_KERNELS_H
#define CDESCENT_KERNELS_H

#include <stddef.h>

#include "descent_vector_math.h"

/// Returns 1 when this CPU can run the AVX2 + FMA kernels, else 0.
int descent_cpu_has_avx2_fma(void);

/// Makes the calling thread treat denormal numbers (below 1.2e-38 in float32) as zero, inputs
/// and results, and returns the previous floating-point control state for
/// `descent_flush_denormals_end`. Arithmetic on denormals takes a slow path in the CPU, up to
/// a hundred times slower; a network near convergence has many of them. Does nothing on CPUs
/// other than x86-64 and arm64.
unsigned long descent_flush_denormals_begin(void);

/// Restores the floating-point control state that `descent_flush_denormals_begin` returned.
void descent_flush_denormals_end(unsigned long previous);

/// Single-precision matrix multiply on row-major matrices, on the calling thread:
/// C ← op(A)·op(B) + beta·C, where op(A) is m×k, op(B) is k×n and C is m×n; op(X) is Xᵀ when
/// the matching `transpose` flag is nonzero. `lda`, `ldb`, `ldc` are the distances between rows
/// of the matrices as stored. With beta == 0, C is only written (it may hold NaN or garbage).
/// Packed and cache-blocked, with an AVX2 + FMA micro-kernel where the CPU has one.
void descent_sgemm(int transposeA, int transposeB, ptrdiff_t m, ptrdiff_t n, ptrdiff_t k,
                   const float *a, ptrdiff_t lda, const float *b, ptrdiff_t ldb,
                   float *c, ptrdiff_t ldc, float beta);

/// Double-precision matrix multiply; the same contract as `descent_sgemm`.
void descent_dgemm(int transposeA, int transposeB, ptrdiff_t m, ptrdiff_t n, ptrdiff_t k,
                   const double *a, ptrdiff_t lda, const double *b, ptrdiff_t ldb,
                   double *c, ptrdiff_t ldc, double beta);

/// `descent_sgemm` and `descent_dgemm` with the portable micro-kernel whatever the CPU: what
/// CPUs without AVX2 + FMA run, callable everywhere so that tests can check it.
void descent_sgemm_portable(int transposeA, int transposeB, ptrdiff_t m, ptrdiff_t n, ptrdiff_t k,
                            const float *a, ptrdiff_t lda, const float *b, ptrdiff_t ldb,
                            float *c, ptrdiff_t ldc, float beta);
void descent_dgemm_portable(int transposeA, int transposeB, ptrdiff_t m, ptrdiff_t n, ptrdiff_t k,
                            const double *a, ptrdiff_t lda, const double *b, ptrdiff_t ldb,
                            double *c, ptrdiff_t ldc, double beta);

#endif
