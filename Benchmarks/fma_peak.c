// The FMA peak of one core, measured: twelve independent chains of 8-wide float32 fused
// multiply-adds (enough to cover the FMA latency on two pipes), timed by the thread's CPU
// time so that a busy machine does not lower the figure. A virtual machine's /proc/cpuinfo
// often shows the base clock while the host runs faster; this shows what the core does.
//
//     gcc -O2 -mavx2 -mfma Benchmarks/fma_peak.c -o /tmp/fma_peak && /tmp/fma_peak
#include <immintrin.h>
#include <stdio.h>
#include <time.h>

static double threadSeconds(void) {
    struct timespec t;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

int main(void) {
    enum { chains = 12 };
    __m256 acc[chains];
    const __m256 factor = _mm256_set1_ps(0.999999f), addend = _mm256_set1_ps(1e-7f);
    for (int i = 0; i < chains; i++) acc[i] = _mm256_set1_ps((float)i);
    const long iterations = 100000000L;
    double best = 0;
    for (int round = 0; round < 5; round++) {
        double start = threadSeconds();
        for (long k = 0; k < iterations; k++) {
#pragma GCC unroll 12
            for (int i = 0; i < chains; i++) acc[i] = _mm256_fmadd_ps(acc[i], factor, addend);
        }
        double gflops = iterations * chains * 8.0 * 2 / (threadSeconds() - start) / 1e9;
        if (gflops > best) best = gflops;
    }
    float sink = 0, lanes[8];
    for (int i = 0; i < chains; i++) {
        _mm256_storeu_ps(lanes, acc[i]);
        sink += lanes[0];
    }
    printf("FMA peak of one core: %.1f GFLOP/s float32 (%.2f GHz at 32 FLOP per cycle) [%g]\n", best,
           best / 32, sink);
    return 0;
}
