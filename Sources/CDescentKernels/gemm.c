// Instantiates the packed matrix multiply (gemm_driver.h) for float and double, and picks the
// micro-kernel the CPU can run.
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

static descent_sgemm_kernel descent_choose_sgemm_kernel(void) {
#if defined(__x86_64__)
    if (descent_use_avx2()) return descent_sgemm_kernel_avx2;
#endif
    return descent_sgemm_kernel_portable;
}

static descent_dgemm_kernel descent_choose_dgemm_kernel(void) {
#if defined(__x86_64__)
    if (descent_use_avx2()) return descent_dgemm_kernel_avx2;
#endif
    return descent_dgemm_kernel_portable;
}

// Block sizes for Zen 2 (32 KB L1d, 512 KB L2 per core), also sound for other recent cores:
// a kc×NR micro-panel of B (16 KB for floats) stays in L1, an mc×kc block of A (about 150 KB)
// in L2, and a kc×nc block of B in L3.
#define GEMM_T float
#define GEMM_FN descent_sgemm
#define GEMM_PORTABLE_FN descent_sgemm_portable
#define GEMM_PORTABLE_KERNEL descent_sgemm_kernel_portable
#define GEMM_PREFIX(name) descent_sgemm_##name
#define GEMM_MR DESCENT_SGEMM_MR
#define GEMM_NR DESCENT_SGEMM_NR
#define GEMM_MC 144
#define GEMM_KC 256
#define GEMM_NC 4080
#define GEMM_KERNEL_TYPE descent_sgemm_kernel
#define GEMM_CHOOSE_KERNEL descent_choose_sgemm_kernel
#include "gemm_driver.h"
#undef GEMM_T
#undef GEMM_FN
#undef GEMM_PORTABLE_FN
#undef GEMM_PORTABLE_KERNEL
#undef GEMM_PREFIX
#undef GEMM_MR
#undef GEMM_NR
#undef GEMM_MC
#undef GEMM_KC
#undef GEMM_NC
#undef GEMM_KERNEL_TYPE
#undef GEMM_CHOOSE_KERNEL

#define GEMM_T double
#define GEMM_FN descent_dgemm
#define GEMM_PORTABLE_FN descent_dgemm_portable
#define GEMM_PORTABLE_KERNEL descent_dgemm_kernel_portable
#define GEMM_PREFIX(name) descent_dgemm_##name
#define GEMM_MR DESCENT_DGEMM_MR
#define GEMM_NR DESCENT_DGEMM_NR
#define GEMM_MC 96
#define GEMM_KC 256
#define GEMM_NC 2040
#define GEMM_KERNEL_TYPE descent_dgemm_kernel
#define GEMM_CHOOSE_KERNEL descent_choose_dgemm_kernel
#include "gemm_driver.h"
