// A matrix product cut into two halves by columns, as GEMM.swift cuts it for two threads, timed
// on one thread and on two (the second a plain pthread spinning on a counter, no pool): how fast
// the split product can be on this CPU, to compare with what Descent's own threads get
// (`descent-bench --workloads w2-parts`). Wall time, the best of 30 runs of 50 products.
//
//     k=Sources/CDescentKernels
//     clang -O2 -I$k/include -I$k Benchmarks/gemm_halves.c $k/*.c -o /tmp/gemm_halves -lm -lpthread
//     /tmp/gemm_halves M N K TRANSPOSE_A TRANSPOSE_B [FIRST_HALF_COLUMNS]
//
// W2's two large products: `32 128 784 0 1` (the first layer's forward pass, x·Wᵀ) and
// `128 784 32 1 0` (its weight gradient, ḡᵀ·x); W1's first weight gradient `512 784 128 1 0`.
// The halves are cut as GEMM.swift cuts them (at the 32-column tile boundary nearest to n/2),
// or after FIRST_HALF_COLUMNS columns: `128 784 32 1 0 416` is the cut before session 16.
#include "CDescentKernels.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static long m, n, k, half;
static int transposeA, transposeB;
static float *a, *b, *c;
static atomic_long posted, finished;

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

// Columns [0, half) or [half, n) of C.
static void multiplyHalf(int second) {
    long start = second ? half : 0, count = second ? n - half : half;
    const float *columns = transposeB ? b + start * k : b + start;
    descent_sgemm(transposeA, transposeB, m, count, k, a, transposeA ? m : k, columns, transposeB ? k : n,
                  c + start, n, 0);
}

static void *helper(void *unused) {
    (void)unused;
    long seen = 0;
    for (;;) {
        while (atomic_load(&posted) == seen) {}
        seen = atomic_load(&posted);
        multiplyHalf(1);
        atomic_fetch_add(&finished, 1);
    }
    return NULL;
}

// Seconds per product: the best of 30 runs of 50.
static double best(int threads) {
    double fastest = 1e9;
    for (int run = 0; run < 30; run++) {
        double start = now();
        for (int repeat = 0; repeat < 50; repeat++) {
            if (threads == 2) {
                long done = atomic_load(&finished);
                atomic_fetch_add(&posted, 1);
                multiplyHalf(0);
                while (atomic_load(&finished) == done) {}
            } else {
                multiplyHalf(0);
                multiplyHalf(1);
            }
        }
        double seconds = (now() - start) / 50;
        if (seconds < fastest) fastest = seconds;
    }
    return fastest;
}

int main(int argc, char **argv) {
    if (argc != 6 && argc != 7) {
        fprintf(stderr, "usage: %s M N K TRANSPOSE_A TRANSPOSE_B [FIRST_HALF_COLUMNS] (e.g. 32 128 784 0 1)\n",
                argv[0]);
        return 2;
    }
    long sizes[6] = {0};
    for (int i = 0; i < argc - 1; i++) {
        char *end;
        sizes[i] = strtol(argv[i + 1], &end, 10);
        if (*argv[i + 1] == '\0' || *end != '\0') {
            fprintf(stderr, "argument %d: expected a whole number, found \"%s\"\n", i + 1, argv[i + 1]);
            return 2;
        }
    }
    m = sizes[0], n = sizes[1], k = sizes[2], transposeA = sizes[3] != 0, transposeB = sizes[4] != 0;
    // Each matrix at most 2^28 floats (1 GiB), so that no size computation overflows.
    const long limit = 1L << 14;
    if (m < 1 || n < 2 || k < 1 || m > limit || n > limit || k > limit) {
        fprintf(stderr, "M and K must be 1 to %ld and N 2 to %ld, found %ld %ld %ld\n", limit, limit, m, n, k);
        return 2;
    }
    half = (n + 32) / 64 * 32;  // the 32-column tile boundary nearest to n/2, as GEMM.swift cuts
    if (half == 0 || half >= n) half = n / 2;
    if (argc == 7) {
        if (sizes[5] < 1 || sizes[5] >= n) {
            fprintf(stderr, "FIRST_HALF_COLUMNS must be 1 to %ld, found %ld\n", n - 1, sizes[5]);
            return 2;
        }
        half = sizes[5];
    }
    a = malloc(sizeof(float) * m * k), b = malloc(sizeof(float) * k * n), c = malloc(sizeof(float) * m * n);
    if (!a || !b || !c) {
        fprintf(stderr, "not enough memory for %ldx%ldx%ld\n", m, n, k);
        return 1;
    }
    for (long i = 0; i < m * k; i++) a[i] = (float)(i % 7) * 0.1f;
    for (long i = 0; i < k * n; i++) b[i] = (float)(i % 5) * 0.1f;
    pthread_t thread;
    pthread_create(&thread, NULL, helper, NULL);
    double one = best(1), two = best(2);
    printf("%ldx%ldx%ld (transposeA %d, transposeB %d), halves of %ld and %ld columns: "
           "one thread %.1f us, two threads %.1f us (%.2fx), %.1f GFLOP/s\n",
           m, n, k, transposeA, transposeB, half, n - half, one * 1e6, two * 1e6, one / two, 2.0 * m * n * k / two / 1e9);
    return 0;
}
