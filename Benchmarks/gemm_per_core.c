// The matrix multiply's speed on one core, on W3's convolution shapes and a square, timed by the
// thread's CPU time (so that other work on a shared machine does not lower it). Compare with
// Benchmarks/fma_peak.c, the core's FMA peak.
//
//     k=Sources/CDescentKernels
//     cc -O2 -I$k/include -I$k Benchmarks/gemm_per_core.c $k/*.c -o /tmp/gemm_per_core -lm -lpthread
//     /tmp/gemm_per_core
#include "CDescentKernels.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double threadSeconds(void) {
    struct timespec t;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

static void measure(const char *name, int transposeA, int transposeB, long m, long n, long k) {
    float *a = malloc(sizeof(float) * m * k), *b = malloc(sizeof(float) * k * n), *c = malloc(sizeof(float) * m * n);
    for (long i = 0; i < m * k; i++) a[i] = (float)(i % 7) * 0.1f;
    for (long i = 0; i < k * n; i++) b[i] = (float)(i % 5) * 0.1f;
    double best = 1e9;
    for (int round = 0; round < 7; round++) {
        double start = threadSeconds();
        for (int repeat = 0; repeat < 20; repeat++) {
            descent_sgemm(transposeA, transposeB, m, n, k, a, transposeA ? m : k, b, transposeB ? k : n, c, n, 0);
        }
        double seconds = (threadSeconds() - start) / 20;
        if (seconds < best) best = seconds;
    }
    printf("%-32s %5ld×%5ld×%5ld  %6.1f GFLOP/s\n", name, m, n, k, 2.0 * m * n * k / best / 1e9);
    free(a);
    free(b);
    free(c);
}

int main(void) {
    measure("W3 conv2 forward", 0, 0, 64, 576, 288);
    measure("W3 conv2 input gradient", 1, 0, 288, 576, 64);
    measure("W3 conv2 weight gradient", 0, 1, 64, 288, 576);
    measure("W3 dense 9216→128, batch 64", 0, 1, 64, 128, 9216);
    measure("square 512", 0, 0, 512, 512, 512);
    return 0;
}
