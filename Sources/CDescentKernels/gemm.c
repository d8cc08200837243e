// Instantiates the packed matrix multiply (gemm_driver.h) for float and double, and picks the
// kernels the CPU can run.
#include "CDescentKernels.h"
#include "gemm_kernels.h"

#include <stdatomic.h>
#include <stdlib.h>

// Packed panels start on a cache line, so the kernels' aligned loads are legal and no load
// straddles two lines.
static void *descent_aligned_alloc(size_t bytes) {
    void *pointer = NULL;
    return posix_memalign(&pointer, 64, bytes < 64 ? 64 : bytes) == 0 ? pointer : NULL;
}

static void descent_aligned_free(void *pointer) { free(pointer); }

// The CPU check, done once: 1 = AVX2 + FMA, 0 = portable. Racing first calls store the same value.
static int descent_use_avx2(void) {
    static _Atomic int cached = -1;
    int value = atomic_load_explicit(&cached, memory_order_relaxed);
    if (value < 0) {
        value = descent_cpu_has_avx2_fma();
        atomic_store_explicit(&cached, value, memory_order_relaxed);
    }
    return value;
}

// Block sizes for Zen 2 (32 KB L1d, 512 KB L2 per core), also sound for other recent cores:
// a kc×NR micro-panel of B (24 KB for floats) stays in L1, an mc×kc block of A (about 150 KB)
// in L2, and a kc×nc block of B in L3. Measured on Zen 2: MC 72–144 × KC 256–512 are within
// 2% of each other; 96×384 was best over the square and the MLP shapes together.
#define GEMM_T float
#define GEMM_PREFIX(name) descent_sgemm_##name
#define GEMM_MR DESCENT_SGEMM_MR
#define GEMM_NR DESCENT_SGEMM_NR
#define GEMM_MC 96
#define GEMM_KC 384
#define GEMM_NC 4080
#define GEMM_KERNELS descent_sgemm_kernels
#include "gemm_driver.h"
#undef GEMM_T
#undef GEMM_PREFIX
#undef GEMM_MR
#undef GEMM_NR
#undef GEMM_MC
#undef GEMM_KC
#undef GEMM_NC
#undef GEMM_KERNELS

#define GEMM_T double
#define GEMM_PREFIX(name) descent_dgemm_##name
#define GEMM_MR DESCENT_DGEMM_MR
#define GEMM_NR DESCENT_DGEMM_NR
#define GEMM_MC 96
#define GEMM_KC 256
#define GEMM_NC 2040
#define GEMM_KERNELS descent_dgemm_kernels
#include "gemm_driver.h"

static const descent_sgemm_kernels sgemm_portable = {
    descent_sgemm_kernel_portable, descent_sgemm_pack_a_panel, descent_sgemm_pack_b_panel};
static const descent_dgemm_kernels dgemm_portable = {
    descent_dgemm_kernel_portable, descent_dgemm_pack_a_panel, descent_dgemm_pack_b_panel};
#if defined(__x86_64__)
static const descent_sgemm_kernels sgemm_avx2 = {
    descent_sgemm_kernel_avx2, descent_sgemm_pack_a_avx2, descent_sgemm_pack_b_avx2};
static const descent_dgemm_kernels dgemm_avx2 = {
    descent_dgemm_kernel_avx2, descent_dgemm_pack_a_panel, descent_dgemm_pack_b_panel};
#endif

void descent_sgemm(int transposeA, int transposeB, ptrdiff_t m, ptrdiff_t n, ptrdiff_t k,
                   const float *a, ptrdiff_t lda, const float *b, ptrdiff_t ldb,
                   float *c, ptrdiff_t ldc, float beta) {
    const descent_sgemm_kernels *kernels = &sgemm_portable;
#if defined(__x86_64__)
    if (descent_use_avx2()) kernels = &sgemm_avx2;
#endif
    descent_sgemm_run(kernels, transposeA, transposeB, m, n, k, a, lda, b, ldb, c, ldc, beta);
}

void descent_dgemm(int transposeA, int transposeB, ptrdiff_t m, ptrdiff_t n, ptrdiff_t k,
                   const double *a, ptrdiff_t lda, const double *b, ptrdiff_t ldb,
                   double *c, ptrdiff_t ldc, double beta) {
    const descent_dgemm_kernels *kernels = &dgemm_portable;
#if defined(__x86_64__)
    if (descent_use_avx2()) kernels = &dgemm_avx2;
#endif
    descent_dgemm_run(kernels, transposeA, transposeB, m, n, k, a, lda, b, ldb, c, ldc, beta);
}

void descent_sgemm_portable(int transposeA, int transposeB, ptrdiff_t m, ptrdiff_t n, ptrdiff_t k,
                            const float *a, ptrdiff_t lda, const float *b, ptrdiff_t ldb,
                            float *c, ptrdiff_t ldc, float beta) {
    descent_sgemm_run(&sgemm_portable, transposeA, transposeB, m, n, k, a, lda, b, ldb, c, ldc, beta);
}

void descent_dgemm_portable(int transposeA, int transposeB, ptrdiff_t m, ptrdiff_t n, ptrdiff_t k,
                            const double *a, ptrdiff_t lda, const double *b, ptrdiff_t ldb,
                            double *c, ptrdiff_t ldc, double beta) {
    descent_dgemm_run(&dgemm_portable, transposeA, transposeB, m, n, k, a, lda, b, ldb, c, ldc, beta);
}
