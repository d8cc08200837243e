#include "CDescentKernels.h"

// Max pooling with a 2×2 window, stride 2 and no padding, the window of most convolutional
// networks. After ReLU, a window's comparisons are ties or coin flips, which branches
// mispredict; here every choice is a select, which the compiler turns into blends over eight
// windows at a time where the CPU has AVX2 and into conditional moves elsewhere.
//
// The rule is the general kernel's: a value replaces the best so far when it is greater or
// NaN, so the first maximum wins a tie (as PyTorch's does).

#define DEFINE_MAX_POOL_2X2(name, attributes)                                                     \
    attributes void name(const float *input, float *output, int32_t *indices, ptrdiff_t planes,   \
                         ptrdiff_t height, ptrdiff_t width, ptrdiff_t outHeight,                  \
                         ptrdiff_t outWidth) {                                                    \
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

void descent_max_pool_2x2(const float *input, float *output, int32_t *indices, ptrdiff_t planes,
                          ptrdiff_t height, ptrdiff_t width, ptrdiff_t outHeight,
                          ptrdiff_t outWidth) {
#if defined(__x86_64__)
    if (descent_cpu_has_avx2_fma()) {
        descent_max_pool_2x2_avx2(input, output, indices, planes, height, width, outHeight, outWidth);
        return;
    }
#endif
    descent_max_pool_2x2_portable(input, output, indices, planes, height, width, outHeight, outWidth);
}
