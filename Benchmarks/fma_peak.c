// The FMA peak of one core, measured: twelve independent chains of float32 fused multiply-adds
// (enough to cover the FMA latency on two pipes), timed by the thread's CPU time so that a busy
// machine does not lower the figure. A virtual machine's /proc/cpuinfo often shows the base
// clock while the host runs faster; this shows what the core does.
//
// Measured with 8-wide (AVX2) instructions and, where the CPU has AVX-512, with 16-wide ones:
// an Intel core with two 512-bit FMA units does twice the work per cycle with them, while
// AMD's Zen 4 runs a 512-bit FMA as two 256-bit halves (the same peak either way).
//
//     cc -O2 Benchmarks/fma_peak.c -o /tmp/fma_peak && /tmp/fma_peak
//
// The last line is for scripts (Benchmarks/cpu_targets.py): `peak avx2 G avx512 G` in GFLOP/s,
// avx512 0 where the CPU lacks it.
#include <immintrin.h>
#include <stdio.h>
#include <time.h>

enum { chains = 12 };
static const long iterations = 100000000L;

static double threadSeconds(void) {
    struct timespec t;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

// The best of five rounds, in GFLOP/s; `sink` keeps the sums alive.
#define MEASURE(VECTOR, LANES, SET1, FMA, FIRST)                                                    \
    VECTOR acc[chains];                                                                             \
    const VECTOR factor = SET1(0.999999f), addend = SET1(1e-7f);                                    \
    for (int i = 0; i < chains; i++) acc[i] = SET1((float)i);                                       \
    double best = 0;                                                                                \
    for (int round = 0; round < 5; round++) {                                                       \
        double start = threadSeconds();                                                             \
        for (long k = 0; k < iterations; k++) {                                                     \
            _Pragma("GCC unroll 12") for (int i = 0; i < chains; i++) acc[i] = FMA(acc[i], factor, addend); \
        }                                                                                           \
        double gflops = iterations * chains * (double)(LANES) * 2 / (threadSeconds() - start) / 1e9; \
        if (gflops > best) best = gflops;                                                           \
    }                                                                                               \
    for (int i = 0; i < chains; i++) *sink += FIRST(acc[i]);                                        \
    return best;

__attribute__((target("avx2,fma"))) static double peak256(float *sink) {
    MEASURE(__m256, 8, _mm256_set1_ps, _mm256_fmadd_ps, _mm256_cvtss_f32)
}

__attribute__((target("avx512f"))) static double peak512(float *sink) {
    MEASURE(__m512, 16, _mm512_set1_ps, _mm512_fmadd_ps, _mm512_cvtss_f32)
}

int main(void) {
    float sink = 0;
    __builtin_cpu_init();
    double avx2 = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") ? peak256(&sink) : 0;
    double avx512 = __builtin_cpu_supports("avx512f") ? peak512(&sink) : 0;
    printf("FMA peak of one core, float32: AVX2 %.1f GFLOP/s (%.2f GHz at 32 FLOP per cycle)", avx2, avx2 / 32);
    if (avx512 > 0) printf(", AVX-512 %.1f GFLOP/s (%.1f FLOP per cycle at that clock)", avx512, avx512 / (avx2 / 32));
    printf(" [%g]\npeak avx2 %.1f avx512 %.1f\n", sink, avx2, avx512);
    return 0;
}
