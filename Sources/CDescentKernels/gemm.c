// Instantiates the packed matrix multiply (gemm_driver.h) for float and double, and picks the
// kernels the CPU can run.
#include "CDescentKernels.h"
#include "gemm_kernels.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

// Each thread keeps one growing scratch buffer for the packed panels, freed when the thread
// exits: a multiply in a training loop then costs no allocation and no page faults.
typedef struct {
    void *memory;
    size_t bytes;
} descent_scratch;

static pthread_key_t descent_scratch_key;
static int descent_scratch_key_made;

static void descent_scratch_free(void *scratch) {
    free(((descent_scratch *)scratch)->memory);
    free(scratch);
}

static void descent_scratch_make_key(void) {
    descent_scratch_key_made = pthread_key_create(&descent_scratch_key, descent_scratch_free) == 0;
}

// Returns `bytes` of this thread's scratch memory, starting on a cache line (64 bytes), or NULL
// when out of memory. Valid until the thread's next call.
static void *descent_workspace(size_t bytes) {
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, descent_scratch_make_key);
    if (!descent_scratch_key_made) return NULL;
    descent_scratch *scratch = pthread_getspecific(descent_scratch_key);
    if (!scratch) {
        scratch = calloc(1, sizeof(descent_scratch));
        if (!scratch) return NULL;
        if (pthread_setspecific(descent_scratch_key, scratch) != 0) {
            free(scratch);
            return NULL;
        }
    }
    if (scratch->bytes < bytes) {
        void *memory = NULL;
        if (posix_memalign(&memory, 64, bytes) != 0) return NULL;
        free(scratch->memory);
        scratch->memory = memory;
        scratch->bytes = bytes;
    }
    return scratch->memory;
}

// The kernel variants, best last. The best one the CPU (and its OS) supports is chosen once, at
// the first multiply; the environment variable DESCENT_KERNELS (portable, avx2) can ask for a
// lesser one, to compare or to test them on one machine.
enum {
    VARIANT_PORTABLE = DESCENT_KERNELS_PORTABLE,
    VARIANT_AVX2 = DESCENT_KERNELS_AVX2,
    VARIANT_AVX512 = DESCENT_KERNELS_AVX512
};

static int descent_best_variant(void) {
    int best = VARIANT_PORTABLE;
#if defined(__x86_64__)
    if (descent_cpu_has_avx2_fma()) best = VARIANT_AVX2;
    if (best == VARIANT_AVX2 && descent_cpu_has_avx512()) best = VARIANT_AVX512;
#endif
    const char *asked = getenv("DESCENT_KERNELS");
    if (asked && strcmp(asked, "portable") == 0) return VARIANT_PORTABLE;
    if (asked && strcmp(asked, "avx2") == 0 && best > VARIANT_AVX2) return VARIANT_AVX2;
    return best;
}

// The variant in use, decided once. Racing first calls store the same value.
static int descent_variant(void) {
    static _Atomic int cached = -1;
    int value = atomic_load_explicit(&cached, memory_order_relaxed);
    if (value < 0) {
        value = descent_best_variant();
        atomic_store_explicit(&cached, value, memory_order_relaxed);
    }
    return value;
}

// Block sizes for Zen 2 (32 KB L1d, 512 KB L2 per core), also sound for other recent cores:
// a kc×NR micro-panel of B (24 KB for floats) stays in L1, an mc×kc block of A (about 150 KB)
// in L2, and a kc×nc block of B in L3. Measured on Zen 2: MC 72–144 × KC 256–512 are within
// 2% of each other; 96×384 was best over the square and the MLP shapes together.
#ifndef DESCENT_SGEMM_MC
#define DESCENT_SGEMM_MC 96
#endif
#ifndef DESCENT_SGEMM_KC
#define DESCENT_SGEMM_KC 384
#endif
#ifndef DESCENT_SGEMM_NC
#define DESCENT_SGEMM_NC 4080
#endif
#define GEMM_T float
#define GEMM_PREFIX(name) descent_sgemm_##name
#define GEMM_MR DESCENT_SGEMM_MR
#define GEMM_NR DESCENT_SGEMM_NR
#define GEMM_MC DESCENT_SGEMM_MC
#define GEMM_KC DESCENT_SGEMM_KC
#define GEMM_NC DESCENT_SGEMM_NC
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
#undef GEMM_T
#undef GEMM_PREFIX
#undef GEMM_MR
#undef GEMM_NR
#undef GEMM_MC
#undef GEMM_KC
#undef GEMM_NC
#undef GEMM_KERNELS

// The AVX-512 tile's own instance: MC a multiple of its 12 rows, NC of its 32 columns. Like the
// AVX2 instance's, its sizes can be set when compiling (-DDESCENT_SGEMM512_KC=256 …) so that
// Benchmarks/gemm_blocks.py can try others on a new CPU without touching this file.
#ifndef DESCENT_SGEMM512_MC
#define DESCENT_SGEMM512_MC 96
#endif
#ifndef DESCENT_SGEMM512_KC
#define DESCENT_SGEMM512_KC 384
#endif
#ifndef DESCENT_SGEMM512_NC
#define DESCENT_SGEMM512_NC 4096
#endif
#define GEMM_T float
#define GEMM_PREFIX(name) descent_sgemm512_##name
#define GEMM_MR DESCENT_SGEMM512_MR
#define GEMM_NR DESCENT_SGEMM512_NR
#define GEMM_MC DESCENT_SGEMM512_MC
#define GEMM_KC DESCENT_SGEMM512_KC
#define GEMM_NC DESCENT_SGEMM512_NC
#define GEMM_KERNELS descent_sgemm_kernels
#include "gemm_driver.h"

// The default kernel set: plain C, except on ARM64, where NEON is always there and its
// micro-kernels are chosen at compile time.
#if defined(__aarch64__)
#define SGEMM_DEFAULT_KERNEL descent_sgemm_kernel_neon
#define SGEMM_DEFAULT_EPILOGUE descent_sgemm_kernel_neon_epilogue
#define DGEMM_DEFAULT_KERNEL descent_dgemm_kernel_neon
#define DGEMM_DEFAULT_EPILOGUE descent_dgemm_kernel_neon_epilogue
#else
#define SGEMM_DEFAULT_KERNEL descent_sgemm_kernel_portable
#define SGEMM_DEFAULT_EPILOGUE descent_sgemm_kernel_portable_epilogue
#define DGEMM_DEFAULT_KERNEL descent_dgemm_kernel_portable
#define DGEMM_DEFAULT_EPILOGUE descent_dgemm_kernel_portable_epilogue
#endif
static const descent_sgemm_kernels sgemm_portable = {
    SGEMM_DEFAULT_KERNEL, SGEMM_DEFAULT_EPILOGUE, descent_sgemm_pack_a_panel, descent_sgemm_pack_b_panel,
    descent_sgemv_portable, NULL, NULL};
static const descent_dgemm_kernels dgemm_portable = {
    DGEMM_DEFAULT_KERNEL, DGEMM_DEFAULT_EPILOGUE, descent_dgemm_pack_a_panel, descent_dgemm_pack_b_panel,
    descent_dgemv_portable, NULL, NULL};
#if defined(__x86_64__)
static const descent_sgemm_kernels sgemm_avx2 = {
    descent_sgemm_kernel_avx2, descent_sgemm_kernel_avx2_epilogue, descent_sgemm_pack_a_avx2,
    descent_sgemm_pack_b_avx2, descent_sgemv_avx2, NULL, NULL};
static const descent_dgemm_kernels dgemm_avx2 = {
    descent_dgemm_kernel_avx2, descent_dgemm_kernel_avx2_epilogue, descent_dgemm_pack_a_panel,
    descent_dgemm_pack_b_panel, descent_dgemv_avx2, NULL, NULL};
static const descent_sgemm_kernels sgemm_avx512 = {
    descent_sgemm_kernel_avx512, descent_sgemm_kernel_avx512_epilogue, descent_sgemm_pack_a_avx512,
    descent_sgemm_pack_b_avx512, descent_sgemv_avx512, descent_sgemm_pack_a_ragged_avx512,
    descent_sgemm_pack_b_ragged_avx512};
// The same, reading an untransposed B in place when A has few rows (gemm_driver.h).
static const descent_sgemm_kernels sgemm_avx512_b_in_place = {
    descent_sgemm_kernel_avx512, descent_sgemm_kernel_avx512_epilogue, descent_sgemm_pack_a_avx512,
    descent_sgemm_pack_b_avx512, descent_sgemv_avx512, descent_sgemm_pack_a_ragged_avx512,
    descent_sgemm_pack_b_ragged_avx512, descent_sgemm_kernel_avx512_in_place};

// Whether the AVX-512 products read B in place. Measured to pay on Zen 4 (AMD family 25), whose
// 512-bit FMAs take two cycles each: a tile there needs half the bytes of B per cycle that it
// would on a core with two 512-bit FMA units (Intel's Xeons, Zen 5), where it has not been
// measured, and where the AVX2 kernel's like case (as many bytes per cycle on Zen 4) was slower.
// DESCENT_GEMM_B_IN_PLACE=1 or 0 asks for it or not on any CPU, to measure it there. Decided once.
static int descent_reads_b_in_place(void) {
    static _Atomic int cached = -1;
    int value = atomic_load_explicit(&cached, memory_order_relaxed);
    if (value < 0) {
        const char *asked = getenv("DESCENT_GEMM_B_IN_PLACE");
        value = asked && (strcmp(asked, "0") == 0 || strcmp(asked, "1") == 0) ? asked[0] == '1'
                                                                               : descent_cpu_is_amd_family_25();
        atomic_store_explicit(&cached, value, memory_order_relaxed);
    }
    return value;
}
#endif

// The variant that a request for `asked` (a DESCENT_KERNELS_ value) gets: the variant chosen
// once for DESCENT_KERNELS_BEST; otherwise the one asked for, or the best one below it that the
// CPU has, whatever DESCENT_KERNELS says (so that tests can check every variant). On ARM64
// there is nothing to choose.
#if defined(__x86_64__)
static int descent_granted_variant(int asked) {
    if (asked == DESCENT_KERNELS_BEST) return descent_variant();
    if (asked >= VARIANT_AVX512 && descent_cpu_has_avx2_fma() && descent_cpu_has_avx512()) return VARIANT_AVX512;
    if (asked >= VARIANT_AVX2 && descent_cpu_has_avx2_fma()) return VARIANT_AVX2;
    return VARIANT_PORTABLE;
}
#endif

void descent_sgemm_fused(int variant, int transposeA, int transposeB, ptrdiff_t m, ptrdiff_t n,
                         ptrdiff_t k, const float *a, ptrdiff_t lda, const float *b, ptrdiff_t ldb,
                         float *c, ptrdiff_t ldc, float beta, const float *bias, int activation) {
#if defined(__x86_64__)
    switch (descent_granted_variant(variant)) {
    case VARIANT_AVX512:
        descent_sgemm512_run(descent_reads_b_in_place() ? &sgemm_avx512_b_in_place : &sgemm_avx512, transposeA,
                             transposeB, m, n, k, a, lda, b, ldb, c, ldc, beta, bias, activation);
        return;
    case VARIANT_AVX2:
        descent_sgemm_run(&sgemm_avx2, transposeA, transposeB, m, n, k, a, lda, b, ldb, c, ldc, beta,
                          bias, activation);
        return;
    }
#else
    (void)variant;
#endif
    descent_sgemm_run(&sgemm_portable, transposeA, transposeB, m, n, k, a, lda, b, ldb, c, ldc, beta,
                      bias, activation);
}

void descent_dgemm_fused(int variant, int transposeA, int transposeB, ptrdiff_t m, ptrdiff_t n,
                         ptrdiff_t k, const double *a, ptrdiff_t lda, const double *b, ptrdiff_t ldb,
                         double *c, ptrdiff_t ldc, double beta, const double *bias, int activation) {
    const descent_dgemm_kernels *kernels = &dgemm_portable;
#if defined(__x86_64__)
    // No AVX-512 double kernel yet: the AVX2 one serves both.
    if (descent_granted_variant(variant) >= VARIANT_AVX2) kernels = &dgemm_avx2;
#else
    (void)variant;
#endif
    descent_dgemm_run(kernels, transposeA, transposeB, m, n, k, a, lda, b, ldb, c, ldc, beta, bias, activation);
}

void descent_sgemm(int transposeA, int transposeB, ptrdiff_t m, ptrdiff_t n, ptrdiff_t k,
                   const float *a, ptrdiff_t lda, const float *b, ptrdiff_t ldb,
                   float *c, ptrdiff_t ldc, float beta) {
    descent_sgemm_fused(DESCENT_KERNELS_BEST, transposeA, transposeB, m, n, k, a, lda, b, ldb, c, ldc, beta,
                        NULL, DESCENT_ACTIVATION_IDENTITY);
}

void descent_dgemm(int transposeA, int transposeB, ptrdiff_t m, ptrdiff_t n, ptrdiff_t k,
                   const double *a, ptrdiff_t lda, const double *b, ptrdiff_t ldb,
                   double *c, ptrdiff_t ldc, double beta) {
    descent_dgemm_fused(DESCENT_KERNELS_BEST, transposeA, transposeB, m, n, k, a, lda, b, ldb, c, ldc, beta,
                        NULL, DESCENT_ACTIVATION_IDENTITY);
}

void descent_sgemm_portable(int transposeA, int transposeB, ptrdiff_t m, ptrdiff_t n, ptrdiff_t k,
                            const float *a, ptrdiff_t lda, const float *b, ptrdiff_t ldb,
                            float *c, ptrdiff_t ldc, float beta) {
    descent_sgemm_fused(DESCENT_KERNELS_PORTABLE, transposeA, transposeB, m, n, k, a, lda, b, ldb, c, ldc,
                        beta, NULL, DESCENT_ACTIVATION_IDENTITY);
}

void descent_dgemm_portable(int transposeA, int transposeB, ptrdiff_t m, ptrdiff_t n, ptrdiff_t k,
                            const double *a, ptrdiff_t lda, const double *b, ptrdiff_t ldb,
                            double *c, ptrdiff_t ldc, double beta) {
    descent_dgemm_fused(DESCENT_KERNELS_PORTABLE, transposeA, transposeB, m, n, k, a, lda, b, ldb, c, ldc,
                        beta, NULL, DESCENT_ACTIVATION_IDENTITY);
}

void descent_sgemm_avx2(int transposeA, int transposeB, ptrdiff_t m, ptrdiff_t n, ptrdiff_t k,
                        const float *a, ptrdiff_t lda, const float *b, ptrdiff_t ldb,
                        float *c, ptrdiff_t ldc, float beta) {
    descent_sgemm_fused(DESCENT_KERNELS_AVX2, transposeA, transposeB, m, n, k, a, lda, b, ldb, c, ldc, beta,
                        NULL, DESCENT_ACTIVATION_IDENTITY);
}

// Many products by one matrix (Winograd's 36 per chunk of examples, by the same transformed
// filters): A packed once by the variant's own packer, B written by the caller straight in
// panel order, so each product is only micro-kernel calls.
static const descent_sgemm_kernels *sgemm_panel_kernels(int *rows, int *columns) {
#if defined(__x86_64__)
    switch (descent_variant()) {
    case VARIANT_AVX512:
        *rows = DESCENT_SGEMM512_MR, *columns = DESCENT_SGEMM512_NR;
        return &sgemm_avx512;
    case VARIANT_AVX2:
        *rows = DESCENT_SGEMM_MR, *columns = DESCENT_SGEMM_NR;
        return &sgemm_avx2;
    }
#endif
    *rows = DESCENT_SGEMM_MR, *columns = DESCENT_SGEMM_NR;
    return &sgemm_portable;
}

void descent_sgemm_panel_shape(int *rows, int *columns) { sgemm_panel_kernels(rows, columns); }

void descent_sgemm_pack_a_panels(ptrdiff_t m, ptrdiff_t k, const float *a, ptrdiff_t lda, float *packed) {
    int rows, columns;
    const descent_sgemm_kernels *kernels = sgemm_panel_kernels(&rows, &columns);
#if defined(__x86_64__)
    if (kernels == &sgemm_avx512) {
        descent_sgemm512_pack_a(kernels, 0, m, k, a, lda, packed);
        return;
    }
#endif
    descent_sgemm_pack_a(kernels, 0, m, k, a, lda, packed);
}

void descent_sgemm_panel_multiply(ptrdiff_t m, ptrdiff_t k, const float *packedA, const float *b, int used, float *c,
                                  ptrdiff_t ldc) {
    int rows, columns;
    const descent_sgemm_kernels *kernels = sgemm_panel_kernels(&rows, &columns);
    for (ptrdiff_t i = 0; i < m; i += rows) {
        int height = (int)(m - i < rows ? m - i : rows);
        kernels->multiply(k, packedA + i * k, b, c + i * ldc, ldc, 0, height, used);
    }
}

const char *descent_kernel_variant(void) {
#if defined(__aarch64__)
    return "neon";
#else
    switch (descent_variant()) {
    case VARIANT_AVX512: return "avx512";
    case VARIANT_AVX2: return "avx2";
    default: return "portable";
    }
#endif
}
