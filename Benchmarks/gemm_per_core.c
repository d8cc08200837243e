// The matrix multiply's speed on one core, on W3's convolution shapes and a square, W1's and W2's
// products, and the dense layers of 10 outputs with their bias (the last panel of 16 columns or
// fewer: the micro-kernel's narrow tile), timed by the thread's CPU time (so that other work on
// a shared machine does not lower it). Compare with Benchmarks/fma_peak.c, the core's FMA peak.
// First, each float micro-kernel the CPU runs on its own, with its packed panels in L1 (no
// packing, no driver, no cache misses): the measured counterpart of Benchmarks/kernel_mca.py's
// static estimate of the same loop.
//
//     k=Sources/CDescentKernels
//     clang -O2 -I$k/include -I$k Benchmarks/gemm_per_core.c $k/*.c -o /tmp/gemm_per_core -lm -lpthread
//
// Build it with clang, as SwiftPM builds the package's C: gcc compiles some of these loops
// differently (its AVX2 kernel ran 8 % below clang's, its vector–matrix product did not
// vectorize the streaming loop at all), so a gcc build measures another program.
//     /tmp/gemm_per_core [all | kernels | w3 | mlp | narrow | mlp-c-in-l3]
#include "CDescentKernels.h"
#include "gemm_kernels.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double threadSeconds(void) {
    struct timespec t;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

// With `withBias`, the product a dense layer computes: the bias added by the micro-kernel
// (descent_sgemm_fused), as Descent runs it. With `cInL3`, each product writes the next of
// several copies of C, about 6 MB in all: C then comes from L3, as in a training step, where
// the buffer a product writes was last touched by other work, not by the same product.
static void measure(const char *name, int transposeA, int transposeB, long m, long n, long k, int withBias,
                    int cInL3) {
    long copies = cInL3 ? 6000000 / (long)(sizeof(float) * m * n) : 1;
    if (copies < 2 && cInL3) copies = 2;
    float *a = malloc(sizeof(float) * m * k), *b = malloc(sizeof(float) * k * n);
    float *cs = calloc((size_t)(copies * m * n), sizeof(float));
    float *bias = malloc(sizeof(float) * n);
    for (long i = 0; i < m * k; i++) a[i] = (float)(i % 7) * 0.1f;
    for (long i = 0; i < k * n; i++) b[i] = (float)(i % 5) * 0.1f;
    for (long j = 0; j < n; j++) bias[j] = (float)(j % 3) * 0.1f;
    double best = 1e9;
    for (int round = 0; round < 7; round++) {
        double start = threadSeconds();
        for (int repeat = 0; repeat < 20; repeat++) {
            float *c = cs + (repeat % copies) * m * n;
            if (withBias) {
                descent_sgemm_fused(DESCENT_KERNELS_BEST, transposeA, transposeB, m, n, k, a, transposeA ? m : k, b,
                                    transposeB ? k : n, c, n, 0, bias, DESCENT_ACTIVATION_IDENTITY);
            } else {
                descent_sgemm(transposeA, transposeB, m, n, k, a, transposeA ? m : k, b, transposeB ? k : n, c, n, 0);
            }
        }
        double seconds = (threadSeconds() - start) / 20;
        if (seconds < best) best = seconds;
    }
    printf("%-32s %5ld×%5ld×%5ld  %6.1f GFLOP/s%s\n", name, m, n, k, 2.0 * m * n * k / best / 1e9,
           cInL3 ? ", C in L3" : "");
    free(a);
    free(b);
    free(cs);
    free(bias);
}

typedef void (*MicroKernel)(ptrdiff_t kc, const float *a, const float *b, float *c, ptrdiff_t ldc,
                            float beta, int mr, int nr);

// One full mr×nr tile over kc steps, called again and again on the same panels (kc 128: the
// panels of both tiles fit a 32 KB L1), accumulating onto C as the driver's later blocks do.
static void measureMicroKernel(const char *name, MicroKernel kernel, int mr, int nr) {
    const ptrdiff_t kc = 128;
    const long calls = 200000;
    float *a = aligned_alloc(64, sizeof(float) * mr * kc), *b = aligned_alloc(64, sizeof(float) * nr * kc);
    float *c = aligned_alloc(64, sizeof(float) * mr * nr);
    for (long i = 0; i < mr * kc; i++) a[i] = (float)(i % 7) * 1e-3f;
    for (long i = 0; i < nr * kc; i++) b[i] = (float)(i % 5) * 1e-3f;
    for (long i = 0; i < mr * nr; i++) c[i] = 0;
    double best = 1e9;
    for (int round = 0; round < 7; round++) {
        double start = threadSeconds();
        for (long call = 0; call < calls; call++) kernel(kc, a, b, c, nr, 1, mr, nr);
        double seconds = threadSeconds() - start;
        if (seconds < best) best = seconds;
    }
    printf("micro-kernel %-19s %2d×%2d, kc %ld, in L1  %6.1f GFLOP/s\n", name, mr, nr, (long)kc,
           2.0 * mr * nr * kc * calls / best / 1e9);
    free(a);
    free(b);
    free(c);
}

// The products timed, by set: op(A) is m×k, op(B) k×n. A dense layer's forward pass is x·Wᵀ
// (W is [out, in]), its input gradient dY·W, its weight gradient dYᵀ·x.
typedef struct {
    const char *set, *name;
    int transposeA, transposeB;
    long m, n, k;
    int withBias;
} Shape;

static const Shape shapes[] = {
    {"w3", "W3 conv2 forward", 0, 0, 64, 576, 288},
    {"w3", "W3 conv2 input gradient", 1, 0, 288, 576, 64},
    {"w3", "W3 conv2 weight gradient", 0, 1, 64, 288, 576},
    {"w3", "W3 dense 9216→128, batch 64", 0, 1, 64, 128, 9216},
    {"w3", "square 512", 0, 0, 512, 512, 512},
    {"mlp", "W1 layer 1 forward", 0, 1, 128, 512, 784},
    {"mlp", "W1 layer 2 forward", 0, 1, 128, 512, 512},
    {"mlp", "W1 layer 2 input gradient", 0, 0, 128, 512, 512},
    {"mlp", "W1 layer 1 weight gradient", 1, 0, 512, 784, 128},
    {"mlp", "W2 layer 1 forward", 0, 1, 32, 128, 784},
    {"mlp", "W2 layer 1 weight gradient", 1, 0, 128, 784, 32},
    {"narrow", "W2 layer 2 forward, bias", 0, 1, 32, 10, 128, 1},
    {"narrow", "W1 layer 3 forward, bias", 0, 1, 128, 10, 512, 1},
    {"narrow", "W4 batch-1000 layer 3, bias", 0, 1, 1000, 10, 512, 1},
};

// Which shapes to time: the first argument, `all` (the default), `kernels` (the micro-kernels
// alone), `w3` (W3's convolution and dense shapes, a square), `mlp` (W1's and W2's products,
// forward and both gradients; Benchmarks/gemm_blocks.py times these for each block size),
// `narrow` (the dense layers of 10 outputs, bias included) or `mlp-c-in-l3` (the `mlp` shapes
// writing a C that comes from L3; not part of `all`).
int main(int argc, char **argv) {
    const char *set = argc > 1 ? argv[1] : "all";
    int all = strcmp(set, "all") == 0, cInL3 = strcmp(set, "mlp-c-in-l3") == 0;
    if (!all && !cInL3 && strcmp(set, "kernels") != 0 && strcmp(set, "w3") != 0 && strcmp(set, "mlp") != 0 &&
        strcmp(set, "narrow") != 0) {
        fprintf(stderr, "gemm_per_core: expected all, kernels, w3, mlp, narrow or mlp-c-in-l3, found '%s'\n", set);
        return 2;
    }
    if (cInL3) set = "mlp";
    if (all || strcmp(set, "kernels") == 0) {
#if defined(__x86_64__)
        if (descent_cpu_has_avx2_fma()) {
            measureMicroKernel("AVX2 + FMA", descent_sgemm_kernel_avx2, DESCENT_SGEMM_MR, DESCENT_SGEMM_NR);
        }
        if (descent_cpu_has_avx512()) {
            measureMicroKernel("AVX-512", descent_sgemm_kernel_avx512, DESCENT_SGEMM512_MR, DESCENT_SGEMM512_NR);
        }
#elif defined(__aarch64__)
        measureMicroKernel("NEON", descent_sgemm_kernel_neon, DESCENT_SGEMM_MR, DESCENT_SGEMM_NR);
#endif
    }
    for (size_t i = 0; i < sizeof shapes / sizeof shapes[0]; i++) {
        const Shape *shape = &shapes[i];
        if (all || strcmp(set, shape->set) == 0) {
            measure(shape->name, shape->transposeA, shape->transposeB, shape->m, shape->n, shape->k, shape->withBias,
                    cInL3);
        }
    }
    return 0;
}
