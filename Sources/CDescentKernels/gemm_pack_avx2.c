// AVX2 packing of full float micro-panels (see gemm_driver.h for the layout). Packing is
// memory-bound work but, done one element at a time, it costs 5–20% of a whole multiply at the
// shapes of a small MLP; 8×8 transposes in registers make it a few percent.
#include "gemm_kernels.h"

#if defined(__x86_64__)
#include <immintrin.h>

#define AVX2 __attribute__((target("avx2,fma")))

// Transposes the 8×8 block held in r[0..7] (r[i] becomes column i).
AVX2 static inline void transpose8x8(__m256 r[8]) {
    __m256 t0 = _mm256_unpacklo_ps(r[0], r[1]), t1 = _mm256_unpackhi_ps(r[0], r[1]);
    __m256 t2 = _mm256_unpacklo_ps(r[2], r[3]), t3 = _mm256_unpackhi_ps(r[2], r[3]);
    __m256 t4 = _mm256_unpacklo_ps(r[4], r[5]), t5 = _mm256_unpackhi_ps(r[4], r[5]);
    __m256 t6 = _mm256_unpacklo_ps(r[6], r[7]), t7 = _mm256_unpackhi_ps(r[6], r[7]);
    __m256 s0 = _mm256_shuffle_ps(t0, t2, _MM_SHUFFLE(1, 0, 1, 0));
    __m256 s1 = _mm256_shuffle_ps(t0, t2, _MM_SHUFFLE(3, 2, 3, 2));
    __m256 s2 = _mm256_shuffle_ps(t1, t3, _MM_SHUFFLE(1, 0, 1, 0));
    __m256 s3 = _mm256_shuffle_ps(t1, t3, _MM_SHUFFLE(3, 2, 3, 2));
    __m256 s4 = _mm256_shuffle_ps(t4, t6, _MM_SHUFFLE(1, 0, 1, 0));
    __m256 s5 = _mm256_shuffle_ps(t4, t6, _MM_SHUFFLE(3, 2, 3, 2));
    __m256 s6 = _mm256_shuffle_ps(t5, t7, _MM_SHUFFLE(1, 0, 1, 0));
    __m256 s7 = _mm256_shuffle_ps(t5, t7, _MM_SHUFFLE(3, 2, 3, 2));
    r[0] = _mm256_permute2f128_ps(s0, s4, 0x20);
    r[1] = _mm256_permute2f128_ps(s1, s5, 0x20);
    r[2] = _mm256_permute2f128_ps(s2, s6, 0x20);
    r[3] = _mm256_permute2f128_ps(s3, s7, 0x20);
    r[4] = _mm256_permute2f128_ps(s0, s4, 0x31);
    r[5] = _mm256_permute2f128_ps(s1, s5, 0x31);
    r[6] = _mm256_permute2f128_ps(s2, s6, 0x31);
    r[7] = _mm256_permute2f128_ps(s3, s7, 0x31);
}

AVX2 void descent_sgemm_pack_a_avx2(int transpose, ptrdiff_t kc, const float *a, ptrdiff_t lda,
                                    float *restrict dest) {
    enum { MR = DESCENT_SGEMM_MR };
    ptrdiff_t p = 0;
    if (!transpose) {
        // Six rows, each contiguous: transpose 8 steps at a time (two zero rows fill the block).
        for (; p + 8 <= kc; p += 8) {
            __m256 r[8];
            for (int i = 0; i < MR; i++) r[i] = _mm256_loadu_ps(a + i * lda + p);
            r[6] = r[7] = _mm256_setzero_ps();
            transpose8x8(r);
            for (int q = 0; q < 8; q++) {
                float *d = dest + (p + q) * MR;
                _mm_storeu_ps(d, _mm256_castps256_ps128(r[q]));
                _mm_storel_pi((__m64 *)(d + 4), _mm256_extractf128_ps(r[q], 1));
            }
        }
        for (; p < kc; p++) {
            for (int i = 0; i < MR; i++) dest[p * MR + i] = a[i * lda + p];
        }
    } else {
        // Each step's six values are contiguous: copy them as four plus two.
        for (; p < kc; p++) {
            const float *src = a + p * lda;
            float *d = dest + p * MR;
            _mm_storeu_ps(d, _mm_loadu_ps(src));
            _mm_storel_pi((__m64 *)(d + 4), _mm_loadl_pi(_mm_setzero_ps(), (const __m64 *)(src + 4)));
        }
    }
}

AVX2 void descent_sgemm_pack_b_avx2(int transpose, ptrdiff_t kc, const float *b, ptrdiff_t ldb,
                                    float *restrict dest) {
    enum { NR = DESCENT_SGEMM_NR };
    ptrdiff_t p = 0;
    if (!transpose) {
        // Each step's sixteen values are contiguous.
        for (; p < kc; p++) {
            _mm256_store_ps(dest + p * NR, _mm256_loadu_ps(b + p * ldb));
            _mm256_store_ps(dest + p * NR + 8, _mm256_loadu_ps(b + p * ldb + 8));
        }
    } else {
        // Sixteen columns of op(B), each contiguous: two 8×8 transposes per 8 steps.
        for (; p + 8 <= kc; p += 8) {
            for (int half = 0; half < 2; half++) {
                __m256 r[8];
                for (int j = 0; j < 8; j++) r[j] = _mm256_loadu_ps(b + (half * 8 + j) * ldb + p);
                transpose8x8(r);
                for (int q = 0; q < 8; q++) _mm256_store_ps(dest + (p + q) * NR + half * 8, r[q]);
            }
        }
        for (; p < kc; p++) {
            for (int j = 0; j < NR; j++) dest[p * NR + j] = b[j * ldb + p];
        }
    }
}

#endif
