// AVX2 packing of full float micro-panels (see gemm_driver.h for the layout). Packing is
// memory-bound work but, done one element at a time, it costs 5–20% of a whole multiply at the
// shapes of a small MLP; 8×8 transposes in registers make it a few percent.
#include "gemm_kernels.h"
#include "gemm_transpose.h"

#if defined(__x86_64__)
#include <immintrin.h>

#define AVX2 __attribute__((target("avx2,fma")))

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
