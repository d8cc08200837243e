#include "CDescentKernels.h"

#include <stdlib.h>

// Winograd's minimal filtering F(2×2, 3×3) (Lavin and Gray, "Fast Algorithms for Convolutional
// Neural Networks", 2015): a 2×2 block of a 3×3 convolution's output is
//
//     Y = Aᵀ [(G g Gᵀ) ⊙ (Bᵀ d B)] A
//
// with g the 3×3 filter, d the 4×4 input patch under the block, and
//
//     Bᵀ = | 1  0 -1  0 |     G = | 1    0    0   |     Aᵀ = | 1  1  1  0 |
//          | 0  1  1  0 |         | 1/2  1/2  1/2 |          | 0  1 -1 -1 |
//          | 0 -1  1  0 |         | 1/2 -1/2  1/2 |
//          | 0  1  0 -1 |         | 0    0    1   |
//
// 16 multiplications per block instead of 36. Summed over input channels, each of the 16
// positions ξ of the 4×4 products is a matrix product M[ξ] = U[ξ]·V[ξ] (U[ξ]: out × in channels,
// V[ξ]: in channels × blocks), which the caller does with GEMM; these functions are the
// transforms around it. Arrays of transformed values are laid out position-major:
// element (ξ, row, column) of a [16][rows][ld] array is at (ξ·rows + row)·ld + column.
//
// The gradients follow from the same formula, which is linear in U and in V: the output's
// gradient becomes ∂M = A ∂Y Aᵀ per block, the filter's gradient is Gᵀ ∂U G with
// ∂U[ξ] = ∂M[ξ]·V[ξ]ᵀ, and the input's gradient is a forward F(2×2, 3×3) of the output's gradient
// with the filters flipped and their channels swapped.

void descent_winograd_f23_filters(const float *weights, ptrdiff_t outChannels, ptrdiff_t inChannels,
                                  int flipped, float *transformed) {
    for (ptrdiff_t o = 0; o < outChannels; o++) {
        for (ptrdiff_t i = 0; i < inChannels; i++) {
            const float *w = weights + (o * inChannels + i) * 9;
            float g[3][3];
            for (int p = 0; p < 3; p++) {
                for (int q = 0; q < 3; q++) g[p][q] = flipped ? w[(2 - p) * 3 + (2 - q)] : w[p * 3 + q];
            }
            float gg[4][3];  // G·g
            for (int q = 0; q < 3; q++) {
                gg[0][q] = g[0][q];
                gg[1][q] = 0.5f * (g[0][q] + g[1][q] + g[2][q]);
                gg[2][q] = 0.5f * (g[0][q] - g[1][q] + g[2][q]);
                gg[3][q] = g[2][q];
            }
            // The flipped filters convolve the output's gradient back onto the input: their
            // rows are the input channels.
            ptrdiff_t rows = flipped ? inChannels : outChannels, columns = flipped ? outChannels : inChannels;
            ptrdiff_t row = flipped ? i : o, column = flipped ? o : i;
            for (int r = 0; r < 4; r++) {
                float u[4] = {gg[r][0], 0.5f * (gg[r][0] + gg[r][1] + gg[r][2]),
                              0.5f * (gg[r][0] - gg[r][1] + gg[r][2]), gg[r][2]};
                for (int c = 0; c < 4; c++) transformed[((r * 4 + c) * rows + row) * columns + column] = u[c];
            }
        }
    }
}

// The three per-block transforms work on whole planes, with the pixels first split into four
// planes by the parity of their row and column: block (i, j) then reads element (i, j) and its
// neighbours (i, j + 1), (i + 1, j), (i + 1, j + 1) of each parity plane, so that one loop over
// all the blocks of a plane, with unit strides and no tests, computes every block's 16 values —
// a loop the compiler vectorizes. (Block by block, with 16 scattered stores per block and a
// bounds test per pixel, the transforms took twice as long as the 16 products.)

#define WINOGRAD_INLINE static inline __attribute__((always_inline))

/// Splits the `rows`×`columns` plane, read from row `-top` and column `-left` of `plane`
/// (`height`×`width`, zero outside it), into its four parity planes, each `rows/2`×`columns/2`
/// followed by one more zero (which the loop over blocks may read past its last, dropped block):
/// `parity[(r·2 + c)·(rows/2·columns/2 + 1) + i·(columns/2) + j]` = pixel (2i + r, 2j + c).
WINOGRAD_INLINE void split_parities(const float *restrict plane, ptrdiff_t height, ptrdiff_t width, ptrdiff_t top,
                                    ptrdiff_t left, ptrdiff_t rows, ptrdiff_t columns, float *restrict parity) {
    ptrdiff_t halfColumns = columns / 2, size = (rows / 2) * halfColumns + 1;
    for (ptrdiff_t i = 0; i < 4 * size; i++) parity[i] = 0.0f;
    ptrdiff_t firstRow = top, endRow = top + height < rows ? top + height : rows;
    ptrdiff_t firstColumn = left, endColumn = left + width < columns ? left + width : columns;
    for (ptrdiff_t y = firstRow; y < endRow; y++) {
        const float *restrict source = plane + (y - top) * width;  // source[x − left]: padded column x
        float *restrict even = parity + ((y & 1) * 2) * size + (y >> 1) * halfColumns, *restrict odd = even + size;
        // Two loops with unit-stride stores and stride-2 loads, which vectorize.
        for (ptrdiff_t j = (firstColumn + 1) >> 1; 2 * j < endColumn; j++) even[j] = source[2 * j - left];
        for (ptrdiff_t j = firstColumn >> 1; 2 * j + 1 < endColumn; j++) odd[j] = source[2 * j + 1 - left];
    }
}

/// Copies `count` floats from `source` to `target` (which do not overlap): eight at a time, the
/// last eight overlapping the ones before (a row of blocks is a dozen or two; memcpy's call costs
/// more than the copy).
WINOGRAD_INLINE void copy_run(float *restrict target, const float *restrict source, ptrdiff_t count) {
    if (count < 8) {
        for (ptrdiff_t x = 0; x < count; x++) target[x] = source[x];
        return;
    }
    for (ptrdiff_t x = 0; x + 8 <= count; x += 8) __builtin_memcpy(target + x, source + x, 8 * sizeof(float));
    __builtin_memcpy(target + count - 8, source + count - 8, 8 * sizeof(float));
}

WINOGRAD_INLINE void winograd_inputs(const float *input, ptrdiff_t channels, ptrdiff_t height, ptrdiff_t width,
                                     ptrdiff_t padTop, ptrdiff_t padLeft, ptrdiff_t blocksHigh, ptrdiff_t blocksWide,
                                     float *restrict transformed, ptrdiff_t ld, float *restrict scratch) {
    // Blocks read 2·blocks + 2 rows and columns from (−padTop, −padLeft): parity planes of
    // (blocksHigh + 1)×(blocksWide + 1). The loop runs over their (blocksHigh)×(blocksWide + 1)
    // first elements, one column too many per row of blocks, dropped when the values are copied out.
    ptrdiff_t half = blocksWide + 1, size = (blocksHigh + 1) * half + 1, count = blocksHigh * half;
    float *restrict parity = scratch, *restrict values = scratch + 4 * size;  // values: [16][count]
    for (ptrdiff_t c = 0; c < channels; c++) {
        split_parities(input + c * height * width, height, width, padTop, padLeft, 2 * (blocksHigh + 1), 2 * half, parity);
        const float *restrict ee = parity, *restrict eo = parity + size;
        const float *restrict oe = parity + 2 * size, *restrict oo = parity + 3 * size;
#pragma clang loop vectorize(enable)
        for (ptrdiff_t f = 0; f < count; f++) {
            // d[r][s]: row 2i + r, column 2j + s of the block at f = i·half + j.
            float d[4][4] = {
                {ee[f], eo[f], ee[f + 1], eo[f + 1]},
                {oe[f], oo[f], oe[f + 1], oo[f + 1]},
                {ee[f + half], eo[f + half], ee[f + half + 1], eo[f + half + 1]},
                {oe[f + half], oo[f + half], oe[f + half + 1], oo[f + half + 1]},
            };
            float bd[4][4];  // Bᵀ·d
            for (int s = 0; s < 4; s++) {
                bd[0][s] = d[0][s] - d[2][s];
                bd[1][s] = d[1][s] + d[2][s];
                bd[2][s] = d[2][s] - d[1][s];
                bd[3][s] = d[1][s] - d[3][s];
            }
            for (int r = 0; r < 4; r++) {  // ·B
                values[(r * 4 + 0) * count + f] = bd[r][0] - bd[r][2];
                values[(r * 4 + 1) * count + f] = bd[r][1] + bd[r][2];
                values[(r * 4 + 2) * count + f] = bd[r][2] - bd[r][1];
                values[(r * 4 + 3) * count + f] = bd[r][1] - bd[r][3];
            }
        }
        for (int position = 0; position < 16; position++) {
            float *target = transformed + (position * channels + c) * ld;
            const float *source = values + position * count;
            for (ptrdiff_t i = 0; i < blocksHigh; i++) copy_run(target + i * blocksWide, source + i * half, blocksWide);
        }
    }
}

WINOGRAD_INLINE void winograd_outputs(const float *products, ptrdiff_t channels, ptrdiff_t ld, ptrdiff_t blocksHigh,
                                      ptrdiff_t blocksWide, const float *bias, float *restrict output,
                                      ptrdiff_t outHeight, ptrdiff_t outWidth, float *restrict scratch) {
    ptrdiff_t count = blocksHigh * blocksWide;
    float *restrict parity = scratch;  // the output's four parity planes, blocksHigh×blocksWide each
    ptrdiff_t position = channels * ld;  // from one position ξ to the next
    for (ptrdiff_t c = 0; c < channels; c++) {
        float b = bias ? bias[c] : 0.0f;
        const float *restrict m = products + c * ld;
#pragma clang loop vectorize(enable)
        for (ptrdiff_t f = 0; f < count; f++) {
            float am[2][4];  // Aᵀ·M
            for (int s = 0; s < 4; s++) {
                float m0 = m[s * position + f], m1 = m[(4 + s) * position + f];
                float m2 = m[(8 + s) * position + f], m3 = m[(12 + s) * position + f];
                am[0][s] = m0 + m1 + m2;
                am[1][s] = m1 - m2 - m3;
            }
            for (int r = 0; r < 2; r++) {  // ·A
                parity[(r * 2 + 0) * count + f] = am[r][0] + am[r][1] + am[r][2] + b;
                parity[(r * 2 + 1) * count + f] = am[r][1] - am[r][2] - am[r][3] + b;
            }
        }
        float *plane = output + c * outHeight * outWidth;
        for (ptrdiff_t y = 0; y < outHeight; y++) {
            const float *even = parity + ((y & 1) * 2) * count + (y >> 1) * blocksWide, *odd = even + count;
            float *target = plane + y * outWidth;
            for (ptrdiff_t x = 0; x < outWidth; x++) target[x] = (x & 1) ? odd[x >> 1] : even[x >> 1];
        }
    }
}

WINOGRAD_INLINE void winograd_output_gradients(const float *gradient, ptrdiff_t channels, ptrdiff_t outHeight,
                                               ptrdiff_t outWidth, ptrdiff_t blocksHigh, ptrdiff_t blocksWide,
                                               float *restrict transformed, ptrdiff_t ld, float *restrict scratch) {
    ptrdiff_t count = blocksHigh * blocksWide;
    float *restrict parity = scratch;  // positions past the output's edge had no output: 0
    for (ptrdiff_t c = 0; c < channels; c++) {
        split_parities(gradient + c * outHeight * outWidth, outHeight, outWidth, 0, 0, 2 * blocksHigh, 2 * blocksWide, parity);
        const float *restrict ee = parity, *restrict eo = ee + count + 1;
        const float *restrict oe = eo + count + 1, *restrict oo = oe + count + 1;
        float *restrict m = transformed + c * ld;
        ptrdiff_t position = channels * ld;
#pragma clang loop vectorize(enable)
        for (ptrdiff_t f = 0; f < count; f++) {
            float y[2][2] = {{ee[f], eo[f]}, {oe[f], oo[f]}};
            float ay[4][2];  // A·y
            for (int s = 0; s < 2; s++) {
                ay[0][s] = y[0][s];
                ay[1][s] = y[0][s] + y[1][s];
                ay[2][s] = y[0][s] - y[1][s];
                ay[3][s] = -y[1][s];
            }
            for (int r = 0; r < 4; r++) {  // ·Aᵀ
                m[(r * 4 + 0) * position + f] = ay[r][0];
                m[(r * 4 + 1) * position + f] = ay[r][0] + ay[r][1];
                m[(r * 4 + 2) * position + f] = ay[r][0] - ay[r][1];
                m[(r * 4 + 3) * position + f] = -ay[r][1];
            }
        }
    }
}

#define WINOGRAD_VARIANTS(suffix, attributes)                                                              \
    attributes static void inputs_##suffix(const float *input, ptrdiff_t channels, ptrdiff_t height,       \
                                           ptrdiff_t width, ptrdiff_t padTop, ptrdiff_t padLeft,          \
                                           ptrdiff_t blocksHigh, ptrdiff_t blocksWide, float *transformed, \
                                           ptrdiff_t ld, float *scratch) {                                 \
        winograd_inputs(input, channels, height, width, padTop, padLeft, blocksHigh, blocksWide,           \
                        transformed, ld, scratch);                                                         \
    }                                                                                                      \
    attributes static void outputs_##suffix(const float *products, ptrdiff_t channels, ptrdiff_t ld,       \
                                            ptrdiff_t blocksHigh, ptrdiff_t blocksWide, const float *bias, \
                                            float *output, ptrdiff_t outHeight, ptrdiff_t outWidth,        \
                                            float *scratch) {                                              \
        winograd_outputs(products, channels, ld, blocksHigh, blocksWide, bias, output, outHeight,          \
                         outWidth, scratch);                                                               \
    }                                                                                                      \
    attributes static void output_gradients_##suffix(const float *gradient, ptrdiff_t channels,            \
                                                     ptrdiff_t outHeight, ptrdiff_t outWidth,              \
                                                     ptrdiff_t blocksHigh, ptrdiff_t blocksWide,           \
                                                     float *transformed, ptrdiff_t ld, float *scratch) {   \
        winograd_output_gradients(gradient, channels, outHeight, outWidth, blocksHigh, blocksWide,         \
                                  transformed, ld, scratch);                                               \
    }

WINOGRAD_VARIANTS(portable, )
#if defined(__x86_64__)
WINOGRAD_VARIANTS(avx2, __attribute__((target("avx2,fma"))))
#define WINOGRAD_DISPATCH(function, ...)                                                                   \
    do {                                                                                                   \
        if (descent_cpu_has_avx2_fma()) function##_avx2(__VA_ARGS__);                                      \
        else function##_portable(__VA_ARGS__);                                                             \
    } while (0)
#else
#define WINOGRAD_DISPATCH(function, ...) function##_portable(__VA_ARGS__)
#endif

void descent_winograd_f23_inputs(const float *input, ptrdiff_t channels, ptrdiff_t height, ptrdiff_t width,
                                 ptrdiff_t padTop, ptrdiff_t padLeft, ptrdiff_t blocksHigh, ptrdiff_t blocksWide,
                                 float *transformed, ptrdiff_t ld) {
    float *scratch = malloc(sizeof(float) * (20 * (size_t)(blocksHigh + 1) * (size_t)(blocksWide + 1) + 4));
    WINOGRAD_DISPATCH(inputs, input, channels, height, width, padTop, padLeft, blocksHigh, blocksWide, transformed,
                      ld, scratch);
    free(scratch);
}

void descent_winograd_f23_outputs(const float *products, ptrdiff_t channels, ptrdiff_t ld,
                                  ptrdiff_t blocksHigh, ptrdiff_t blocksWide, const float *bias,
                                  float *output, ptrdiff_t outHeight, ptrdiff_t outWidth) {
    float *scratch = malloc(sizeof(float) * 4 * (size_t)blocksHigh * (size_t)blocksWide);
    WINOGRAD_DISPATCH(outputs, products, channels, ld, blocksHigh, blocksWide, bias, output, outHeight, outWidth,
                      scratch);
    free(scratch);
}

void descent_winograd_f23_output_gradients(const float *gradient, ptrdiff_t channels, ptrdiff_t outHeight,
                                           ptrdiff_t outWidth, ptrdiff_t blocksHigh, ptrdiff_t blocksWide,
                                           float *transformed, ptrdiff_t ld) {
    float *scratch = malloc(sizeof(float) * (4 * (size_t)blocksHigh * (size_t)blocksWide + 4));
    WINOGRAD_DISPATCH(output_gradients, gradient, channels, outHeight, outWidth, blocksHigh, blocksWide,
                      transformed, ld, scratch);
    free(scratch);
}

void descent_winograd_f23_filter_gradients(const float *transformed, ptrdiff_t outChannels, ptrdiff_t inChannels,
                                           float *gradient) {
    for (ptrdiff_t o = 0; o < outChannels; o++) {
        for (ptrdiff_t i = 0; i < inChannels; i++) {
            float u[4][4];
            for (int r = 0; r < 4; r++) {
                for (int s = 0; s < 4; s++) u[r][s] = transformed[((r * 4 + s) * outChannels + o) * inChannels + i];
            }
            float gu[3][4];  // Gᵀ·u
            for (int s = 0; s < 4; s++) {
                gu[0][s] = u[0][s] + 0.5f * (u[1][s] + u[2][s]);
                gu[1][s] = 0.5f * (u[1][s] - u[2][s]);
                gu[2][s] = 0.5f * (u[1][s] + u[2][s]) + u[3][s];
            }
            float *g = gradient + (o * inChannels + i) * 9;
            for (int p = 0; p < 3; p++) {
                g[p * 3 + 0] = gu[p][0] + 0.5f * (gu[p][1] + gu[p][2]);
                g[p * 3 + 1] = 0.5f * (gu[p][1] - gu[p][2]);
                g[p * 3 + 2] = 0.5f * (gu[p][1] + gu[p][2]) + gu[p][3];
            }
        }
    }
}
