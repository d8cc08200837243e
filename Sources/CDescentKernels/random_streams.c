// Counter-based random numbers (Philox4x32-10) for the CPU backend: uniform numbers and dropout
// masks. Each number is a function of (seed, position) alone — see Sources/DescentCore/Tensor/
// CounterRandom.swift, which defines the streams and computes them one number at a time — so any
// range of a stream can be filled on any thread, in any order, with the same result.
//
// Philox runs on eight consecutive blocks at once (a "group"), one lane per block: with AVX2 the
// round's 32×32 → 64-bit products are vector multiplies, and a group costs about what one block
// would. The streams lay a group's words out lane by lane (word k of the eight lanes, then word
// k + 1), so that each word of the group's eight lanes fills eight neighbouring outputs and the
// loops below vectorize without shuffles:
//   32-bit number p:  group ⌊p/32⌋, word ⌊(p mod 32)/8⌋ of lane p mod 8;
//   16-bit number q:  group ⌊q/64⌋, word ⌊(q mod 64)/16⌋ of lane q mod 8, the high half when
//                     ⌊(q mod 16)/8⌋ = 1.
// Compiled twice, plain and with AVX2, and picked by CPU at run time (as optimizer_steps.c).
#include "CDescentKernels.h"

// The words of one group: words[k][j] is word k of block 8·group + j.
typedef uint32_t descent_group[4][8];

#define DEFINE_RANDOM(SUFFIX, ATTRIBUTES)                                                            \
    ATTRIBUTES static void philox_group_##SUFFIX(uint64_t seed, uint64_t group, descent_group words) { \
        uint32_t c0[8], c1[8], c2[8], c3[8];                                                         \
        for (int j = 0; j < 8; j++) {                                                                \
            uint64_t block = group * 8 + (uint64_t)j;                                                \
            c0[j] = (uint32_t)block;                                                                 \
            c1[j] = (uint32_t)(block >> 32);                                                         \
            c2[j] = 0;                                                                               \
            c3[j] = 0;                                                                               \
        }                                                                                            \
        uint32_t k0 = (uint32_t)seed, k1 = (uint32_t)(seed >> 32);                                   \
        for (int round = 0; round < 10; round++) {                                                   \
            if (round > 0) {                                                                         \
                k0 += 0x9E3779B9u;                                                                   \
                k1 += 0xBB67AE85u;                                                                   \
            }                                                                                        \
            for (int j = 0; j < 8; j++) {                                                            \
                uint64_t p0 = (uint64_t)0xD2511F53u * c0[j], p1 = (uint64_t)0xCD9E8D57u * c2[j];     \
                uint32_t next0 = (uint32_t)(p1 >> 32) ^ c1[j] ^ k0;                                  \
                uint32_t next2 = (uint32_t)(p0 >> 32) ^ c3[j] ^ k1;                                  \
                c0[j] = next0;                                                                       \
                c1[j] = (uint32_t)p1;                                                                \
                c2[j] = next2;                                                                       \
                c3[j] = (uint32_t)p0;                                                                \
            }                                                                                        \
        }                                                                                            \
        for (int j = 0; j < 8; j++) {                                                                \
            words[0][j] = c0[j];                                                                     \
            words[1][j] = c1[j];                                                                     \
            words[2][j] = c2[j];                                                                     \
            words[3][j] = c3[j];                                                                     \
        }                                                                                            \
    }                                                                                                \
    DEFINE_FILL(uniform_f32_##SUFFIX, float, 32, ATTRIBUTES, SUFFIX,                                 \
                (float)(words[r / 8][r % 8] >> 8) * 0x1p-24f, float unused)                          \
    DEFINE_FILL(uniform_f64_##SUFFIX, double, 32, ATTRIBUTES, SUFFIX,                                \
                (double)words[r / 8][r % 8] * 0x1p-32, double unused)                                \
    DEFINE_FILL(bernoulli_f32_##SUFFIX, float, 64, ATTRIBUTES, SUFFIX,                               \
                ((words[r / 16][r % 8] >> (16 * ((r / 8) % 2))) & 0xFFFFu) < threshold ? value : 0.0f, \
                uint32_t threshold, float value)                                                     \
    DEFINE_FILL(bernoulli_f64_##SUFFIX, double, 64, ATTRIBUTES, SUFFIX,                              \
                ((words[r / 16][r % 8] >> (16 * ((r / 8) % 2))) & 0xFFFFu) < threshold ? value : 0.0, \
                uint32_t threshold, double value)

// A kernel that fills out[0..<count] with the numbers at positions offset … offset + count − 1,
// PER_GROUP numbers per group, element r of a group being EXPRESSION (of `words` and `r`).
// Whole groups are written in place; a group cut by either end goes through a small buffer.
#define DEFINE_FILL(NAME, T, PER_GROUP, ATTRIBUTES, SUFFIX, EXPRESSION, ...)                         \
    ATTRIBUTES static void NAME(uint64_t seed, uint64_t offset, ptrdiff_t count, T *out, __VA_ARGS__) { \
        descent_group words;                                                                         \
        uint64_t group = offset / PER_GROUP;                                                         \
        ptrdiff_t start = -(ptrdiff_t)(offset % PER_GROUP); /* where the group's first number goes */ \
        /* Positions count modulo 2⁶⁴, as the Swift definition's do: so do groups. */             \
        for (; start < count; start += PER_GROUP, group = (group + 1) & (UINT64_MAX / PER_GROUP)) { \
            philox_group_##SUFFIX(seed, group, words);                                               \
            if (start >= 0 && start + PER_GROUP <= count) {                                          \
                T *target = out + start;                                                             \
                for (int r = 0; r < PER_GROUP; r++) target[r] = EXPRESSION;                          \
            } else {                                                                                 \
                T buffer[PER_GROUP];                                                                 \
                for (int r = 0; r < PER_GROUP; r++) buffer[r] = EXPRESSION;                          \
                for (int r = 0; r < PER_GROUP; r++) {                                                \
                    ptrdiff_t i = start + r;                                                         \
                    if (i >= 0 && i < count) out[i] = buffer[r];                                     \
                }                                                                                    \
            }                                                                                        \
        }                                                                                            \
    }

DEFINE_RANDOM(portable, )
#if defined(__x86_64__)
DEFINE_RANDOM(avx2, __attribute__((target("avx2"))))
#define HAS_AVX2 descent_cpu_has_avx2_fma()
#else
#define uniform_f32_avx2 uniform_f32_portable
#define uniform_f64_avx2 uniform_f64_portable
#define bernoulli_f32_avx2 bernoulli_f32_portable
#define bernoulli_f64_avx2 bernoulli_f64_portable
#define HAS_AVX2 0
#endif

// 1 when the AVX2 builds run here, else 0; decided once.
static int use_avx2(void) {
    static int state = -1;
    if (state < 0) state = HAS_AVX2;
    return state;
}

void descent_random_uniform_f32(uint64_t seed, uint64_t offset, ptrdiff_t count, float *out) {
    (use_avx2() ? uniform_f32_avx2 : uniform_f32_portable)(seed, offset, count, out, 0);
}

void descent_random_uniform_f64(uint64_t seed, uint64_t offset, ptrdiff_t count, double *out) {
    (use_avx2() ? uniform_f64_avx2 : uniform_f64_portable)(seed, offset, count, out, 0);
}

void descent_bernoulli_f32(uint64_t seed, uint64_t offset, ptrdiff_t count, uint32_t threshold, float value,
                           float *out) {
    (use_avx2() ? bernoulli_f32_avx2 : bernoulli_f32_portable)(seed, offset, count, out, threshold, value);
}

void descent_bernoulli_f64(uint64_t seed, uint64_t offset, ptrdiff_t count, uint32_t threshold, double value,
                           double *out) {
    (use_avx2() ? bernoulli_f64_avx2 : bernoulli_f64_portable)(seed, offset, count, out, threshold, value);
}
