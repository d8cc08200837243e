#include "CDescentKernels.h"

#include <string.h>

// Max pooling with a 2×2 window, stride 2 and no padding, the window of most convolutional
// networks. After ReLU, a window's comparisons are ties or coin flips, which branches
// mispredict; here every choice is a select, which the compiler turns into blends over eight
// windows at a time where the CPU has AVX2 and into conditional moves elsewhere.
//
// The rule is the general kernel's: a value replaces the best so far when it is greater or
// NaN, so the first maximum wins a tie (as PyTorch's does). With `relu`, each input is read as
// relu(x) = x > 0 ? x : 0 (NaN and −0 become +0), as if a ReLU had run before: a ReLU then
// max pooling, without writing the ReLU's output.

#define DEFINE_MAX_POOL_2X2(name, attributes)                                                     \
    attributes void name(const float *input, float *output, int32_t *indices, ptrdiff_t planes,   \
                         ptrdiff_t height, ptrdiff_t width, ptrdiff_t outHeight,                  \
                         ptrdiff_t outWidth, int relu) {                                          \
        for (ptrdiff_t plane = 0; plane < planes; plane++) {                                       \
            const float *source = input + plane * height * width;                                  \
            float *target = output + plane * outHeight * outWidth;                                 \
            int32_t *targetIndex = indices + plane * outHeight * outWidth;                         \
            for (ptrdiff_t oh = 0; oh < outHeight; oh++) {                                         \
                const float *top = source + 2 * oh * width, *bottom = top + width;                 \
                int32_t rowStart = (int32_t)(2 * oh * width);                                      \
                for (ptrdiff_t ow = 0; ow < outWidth; ow++) {                                      \
                    float a = top[2 * ow], b = top[2 * ow + 1];                                     \
                    float c = bottom[2 * ow], d = bottom[2 * ow + 1];                               \
                    if (relu) {                                                                    \
                        a = a > 0 ? a : 0;                                                         \
                        b = b > 0 ? b : 0;                                                         \
                        c = c > 0 ? c : 0;                                                         \
                        d = d > 0 ? d : 0;                                                         \
                    }                                                                              \
                    int32_t first = rowStart + (int32_t)(2 * ow);                                  \
                    float best = a;                                                                \
                    int32_t bestIndex = first;                                                     \
                    int replaces = (b > best) | (b != b);                                          \
                    best = replaces ? b : best;                                                    \
                    bestIndex = replaces ? first + 1 : bestIndex;                                  \
                    replaces = (c > best) | (c != c);                                              \
                    best = replaces ? c : best;                                                    \
                    bestIndex = replaces ? first + (int32_t)width : bestIndex;                     \
                    replaces = (d > best) | (d != d);                                              \
                    best = replaces ? d : best;                                                    \
                    bestIndex = replaces ? first + (int32_t)width + 1 : bestIndex;                 \
                    target[oh * outWidth + ow] = best;                                             \
                    targetIndex[oh * outWidth + ow] = bestIndex;                                   \
                }                                                                                  \
            }                                                                                      \
        }                                                                                          \
    }

DEFINE_MAX_POOL_2X2(descent_max_pool_2x2_portable, static)
#if defined(__x86_64__)
DEFINE_MAX_POOL_2X2(descent_max_pool_2x2_avx2, static __attribute__((target("avx2,fma"))))
#endif

#if defined(__x86_64__)
#include <immintrin.h>

// The same rule with AVX-512, sixteen windows of a row at a time and no scalar tail (a row of
// W3's 24×24 planes is twelve windows, which the AVX2 loop does eight and four): masked loads
// bring 32 columns of the window's two rows, two-source permutes split them into the windows'
// left and right columns, and masks carry the selects.
#define AVX512_POOL __attribute__((target("avx512f")))

AVX512_POOL static inline __m512 left_columns(__m512 low, __m512 high) {
    return _mm512_permutex2var_ps(low, _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30), high);
}

AVX512_POOL static inline __m512 right_columns(__m512 low, __m512 high) {
    return _mm512_permutex2var_ps(low, _mm512_setr_epi32(1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31), high);
}

// best ← value where value > best or value is NaN, and its index with it.
AVX512_POOL static inline void take_larger(__m512 value, __m512i index, __m512 *best, __m512i *bestIndex) {
    __mmask16 replaces = _mm512_cmp_ps_mask(value, *best, _CMP_GT_OQ) | _mm512_cmp_ps_mask(value, value, _CMP_UNORD_Q);
    *best = _mm512_mask_blend_ps(replaces, *best, value);
    *bestIndex = _mm512_mask_blend_epi32(replaces, *bestIndex, index);
}

// relu(x) for each lane: max(x, +0) returns its second operand when x is NaN or either zero.
AVX512_POOL static inline __m512 relu_lanes(__m512 x, int relu) {
    return relu ? _mm512_max_ps(x, _mm512_setzero_ps()) : x;
}

AVX512_POOL static void descent_max_pool_2x2_avx512(const float *input, float *output, int32_t *indices,
                                                    ptrdiff_t planes, ptrdiff_t height, ptrdiff_t width,
                                                    ptrdiff_t outHeight, ptrdiff_t outWidth, int relu) {
    const __m512i lanes = _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
    for (ptrdiff_t plane = 0; plane < planes; plane++) {
        const float *source = input + plane * height * width;
        float *target = output + plane * outHeight * outWidth;
        int32_t *targetIndex = indices + plane * outHeight * outWidth;
        for (ptrdiff_t oh = 0; oh < outHeight; oh++) {
            const float *top = source + 2 * oh * width, *bottom = top + width;
            for (ptrdiff_t ow = 0; ow < outWidth; ow += 16) {
                ptrdiff_t windows = outWidth - ow < 16 ? outWidth - ow : 16, columns = 2 * windows;
                __mmask16 lowMask = (__mmask16)(columns >= 16 ? 0xFFFF : (1u << columns) - 1);
                __mmask16 highMask = (__mmask16)(columns >= 32 ? 0xFFFF : columns > 16 ? (1u << (columns - 16)) - 1 : 0);
                __mmask16 windowMask = (__mmask16)(windows >= 16 ? 0xFFFF : (1u << windows) - 1);
                __m512 topLow = relu_lanes(_mm512_maskz_loadu_ps(lowMask, top + 2 * ow), relu);
                __m512 topHigh = relu_lanes(_mm512_maskz_loadu_ps(highMask, top + 2 * ow + 16), relu);
                __m512 bottomLow = relu_lanes(_mm512_maskz_loadu_ps(lowMask, bottom + 2 * ow), relu);
                __m512 bottomHigh = relu_lanes(_mm512_maskz_loadu_ps(highMask, bottom + 2 * ow + 16), relu);
                __m512i first = _mm512_add_epi32(_mm512_set1_epi32((int32_t)(2 * oh * width + 2 * ow)), lanes);
                __m512i one = _mm512_set1_epi32(1), down = _mm512_set1_epi32((int32_t)width);
                __m512 best = left_columns(topLow, topHigh);
                __m512i bestIndex = first;
                take_larger(right_columns(topLow, topHigh), _mm512_add_epi32(first, one), &best, &bestIndex);
                take_larger(left_columns(bottomLow, bottomHigh), _mm512_add_epi32(first, down), &best, &bestIndex);
                take_larger(right_columns(bottomLow, bottomHigh), _mm512_add_epi32(_mm512_add_epi32(first, down), one),
                            &best, &bestIndex);
                _mm512_mask_storeu_ps(target + oh * outWidth + ow, windowMask, best);
                _mm512_mask_storeu_epi32(targetIndex + oh * outWidth + ow, windowMask, bestIndex);
            }
        }
    }
}
#endif

void descent_max_pool_2x2(const float *input, float *output, int32_t *indices, ptrdiff_t planes,
                          ptrdiff_t height, ptrdiff_t width, ptrdiff_t outHeight,
                          ptrdiff_t outWidth, int relu) {
#if defined(__x86_64__)
    if (descent_cpu_has_avx512() && strcmp(descent_kernel_variant(), "avx512") == 0) {
        descent_max_pool_2x2_avx512(input, output, indices, planes, height, width, outHeight, outWidth, relu);
        return;
    }
    if (descent_cpu_has_avx2_fma()) {
        descent_max_pool_2x2_avx2(input, output, indices, planes, height, width, outHeight, outWidth, relu);
        return;
    }
#endif
    descent_max_pool_2x2_portable(input, output, indices, planes, height, width, outHeight, outWidth, relu);
}
