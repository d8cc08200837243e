#include "CDescentKernels.h"

#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#if defined(__x86_64__)
#include <immintrin.h>
#elif defined(__aarch64__)
#include <arm_neon.h>
#endif

// Winograd's minimal filtering F(4×4, 3×3) (Lavin and Gray, "Fast Algorithms for Convolutional
// Neural Networks", 2015; interpolation points 0, ±1, ±2 and ∞): a 4×4 block of a 3×3
// convolution's output is
//
//     Y = Aᵀ [(G g Gᵀ) ⊙ (Bᵀ d B)] A
//
// with g the 3×3 filter, d the 6×6 input patch under the block, and
//
//     Bᵀ = | 4  0 -5  0  1  0 |    G = |  1/4     0     0   |    Aᵀ = | 1  1  1  1  1  0 |
//          | 0 -4 -4  1  1  0 |        | -1/6  -1/6  -1/6  |         | 0  1 -1  2 -2  0 |
//          | 0  4 -4 -1  1  0 |        | -1/6   1/6  -1/6  |         | 0  1  1  4  4  0 |
//          | 0 -2 -1  2  1  0 |        |  1/24  1/12  1/6  |         | 0  1 -1  8 -8  1 |
//          | 0  2 -1 -2  1  0 |        |  1/24 -1/12  1/6  |
//          | 0  4  0 -5  0  1 |        |  0     0     1    |
//
// 36 multiplications per block of 16 outputs instead of 144: 2.25 per output instead of 9.
// Summed over input channels, each of the 36 positions ξ of the 6×6 products is a matrix
// product M[ξ] = U[ξ]·V[ξ] (U[ξ]: out × in channels, V[ξ]: in channels × blocks), which the
// caller does with GEMM; these functions are the transforms around it. Arrays of transformed
// values are position-major, each position a rows×columns matrix laid out in panels (see
// CDescentKernels.h).
//
// The gradients follow from the same formula, which is linear in U and in V: the output's
// gradient becomes ∂M = A ∂Y Aᵀ per block, the filter's gradient is Gᵀ ∂U G with
// ∂U[ξ] = ∂M[ξ]·V[ξ]ᵀ, and the input's gradient is a forward F(4×4, 3×3) of the output's
// gradient with the filters flipped and their channels swapped.
//
// The transforms work on whole planes split by row and column modulo 4 (16 phase planes), so
// that block (i, j) reads element (i, j) or (i + 1, j) of each: one branch-free loop over all of
// a plane's blocks, which the compiler vectorizes, computes every block's 36 values. (Block by
// block, with scattered stores and a bounds test per pixel, F(2×2, 3×3)'s transforms first took
// longer than the products they saved.)
//
// Rounding: the transforms multiply by up to 5 (Bᵀ) and 8 (Aᵀ), so float32 results differ from
// the direct sum by more than with smaller tiles — within 1e-5 of the output's largest value for
// the channel counts of image networks (WinogradTests).

#define F43_INLINE static inline __attribute__((always_inline))

// The per-block loops vectorize only once the small loops inside them are unrolled, which
// clang's heuristics stop short of for the 6×6 transforms: asked for explicitly.
#if defined(__clang__)
#define F43_VECTORIZE _Pragma("clang loop vectorize(enable)")
#define F43_UNROLL _Pragma("clang loop unroll(full)")
#else
#define F43_VECTORIZE
#define F43_UNROLL _Pragma("GCC unroll 8")
#endif

// G's fractions as multipliers: a division takes several times a multiplication's time, and
// the filters are transformed twice a training step. (x·(1/6) may differ from x/6 in the last
// bit; the transform's own rounding is larger.)
#define F43_QUARTER 0.25f
#define F43_SIXTH (1.0f / 6.0f)
#define F43_TWELFTH (1.0f / 12.0f)
#define F43_TWENTYFOURTH (1.0f / 24.0f)

void descent_winograd_f43_filters(const float *weights, ptrdiff_t outChannels, ptrdiff_t inChannels, int flipped,
                                  float *transformed) {
    descent_winograd_f43_filter_range(weights, outChannels, inChannels, flipped, 0, outChannels, transformed);
}

// Filters transformed together: each position's values for them are one contiguous store.
enum { F43_FILTER_RUN = 16 };

/// Transforms `count` (at most F43_FILTER_RUN) filters, filter j's nine taps at `first` +
/// j·`step` (turned half a turn if `flipped`), into positions ξ of `transformed`: filter j's
/// value at `transformed`[ξ·`positionSize` + j]. Storing position by position rather than filter
/// by filter matters: the positions lie `positionSize` floats apart, a multiple of 4 KB for
/// channel counts such as 64 × 128, so one filter's 36 values would all fall in the same set of
/// the L1 cache, and each store would evict another.
F43_INLINE void f43_filter_run(const float *first, ptrdiff_t step, ptrdiff_t count, int flipped, float *transformed,
                               ptrdiff_t positionSize) {
    float u[36][F43_FILTER_RUN];
    for (ptrdiff_t j = 0; j < count; j++) {
        const float *w = first + j * step;
        float g[3][3];
        for (int p = 0; p < 3; p++) {
            for (int q = 0; q < 3; q++) g[p][q] = flipped ? w[(2 - p) * 3 + (2 - q)] : w[p * 3 + q];
        }
        float gg[6][3];  // G·g
        for (int q = 0; q < 3; q++) {
            float a = g[0][q], b = g[1][q], c = g[2][q];
            gg[0][q] = a * F43_QUARTER;
            gg[1][q] = -(a + b + c) * F43_SIXTH;
            gg[2][q] = -(a - b + c) * F43_SIXTH;
            gg[3][q] = a * F43_TWENTYFOURTH + b * F43_TWELFTH + c * F43_SIXTH;
            gg[4][q] = a * F43_TWENTYFOURTH - b * F43_TWELFTH + c * F43_SIXTH;
            gg[5][q] = c;
        }
        for (int r = 0; r < 6; r++) {  // ·Gᵀ
            float a = gg[r][0], b = gg[r][1], c = gg[r][2];
            u[r * 6 + 0][j] = a * F43_QUARTER;
            u[r * 6 + 1][j] = -(a + b + c) * F43_SIXTH;
            u[r * 6 + 2][j] = -(a - b + c) * F43_SIXTH;
            u[r * 6 + 3][j] = a * F43_TWENTYFOURTH + b * F43_TWELFTH + c * F43_SIXTH;
            u[r * 6 + 4][j] = a * F43_TWENTYFOURTH - b * F43_TWELFTH + c * F43_SIXTH;
            u[r * 6 + 5][j] = c;
        }
    }
    for (int position = 0; position < 36; position++) {
        memcpy(transformed + position * positionSize, u[position], sizeof(float) * (size_t)count);
    }
}

void descent_winograd_f43_filter_range(const float *weights, ptrdiff_t outChannels, ptrdiff_t inChannels, int flipped,
                                       ptrdiff_t firstOut, ptrdiff_t endOut, float *transformed) {
    ptrdiff_t positionSize = outChannels * inChannels;
    if (!flipped) {
        // Position ξ is out × in: a run is one output channel's filters, input channels i … i + 15.
        for (ptrdiff_t o = firstOut; o < endOut; o++) {
            for (ptrdiff_t i = 0; i < inChannels; i += F43_FILTER_RUN) {
                ptrdiff_t count = inChannels - i < F43_FILTER_RUN ? inChannels - i : F43_FILTER_RUN;
                f43_filter_run(weights + (o * inChannels + i) * 9, 9, count, 0, transformed + o * inChannels + i,
                               positionSize);
            }
        }
    } else {
        // Position ξ is in × out: a run is one input channel's filters, output channels o … o + 15.
        for (ptrdiff_t o = firstOut; o < endOut; o += F43_FILTER_RUN) {
            ptrdiff_t count = endOut - o < F43_FILTER_RUN ? endOut - o : F43_FILTER_RUN;
            for (ptrdiff_t i = 0; i < inChannels; i++) {
                f43_filter_run(weights + (o * inChannels + i) * 9, inChannels * 9, count, 1,
                               transformed + i * outChannels + o, positionSize);
            }
        }
    }
}

void descent_winograd_f43_filter_gradients(const float *transformed, ptrdiff_t outChannels, ptrdiff_t inChannels,
                                           float *gradient) {
    for (ptrdiff_t o = 0; o < outChannels; o++) {
        for (ptrdiff_t i = 0; i < inChannels; i++) {
            float u[6][6];
            for (int r = 0; r < 6; r++) {
                for (int s = 0; s < 6; s++) u[r][s] = transformed[((r * 6 + s) * outChannels + o) * inChannels + i];
            }
            float gu[3][6];  // Gᵀ·u
            for (int s = 0; s < 6; s++) {
                gu[0][s] = u[0][s] * F43_QUARTER - (u[1][s] + u[2][s]) * F43_SIXTH + (u[3][s] + u[4][s]) * F43_TWENTYFOURTH;
                gu[1][s] = (u[2][s] - u[1][s]) * F43_SIXTH + (u[3][s] - u[4][s]) * F43_TWELFTH;
                gu[2][s] = -(u[1][s] + u[2][s]) * F43_SIXTH + (u[3][s] + u[4][s]) * F43_SIXTH + u[5][s];
            }
            float *g = gradient + (o * inChannels + i) * 9;
            for (int p = 0; p < 3; p++) {  // ·G
                const float *v = gu[p];
                g[p * 3 + 0] = v[0] * F43_QUARTER - (v[1] + v[2]) * F43_SIXTH + (v[3] + v[4]) * F43_TWENTYFOURTH;
                g[p * 3 + 1] = (v[2] - v[1]) * F43_SIXTH + (v[3] - v[4]) * F43_TWELFTH;
                g[p * 3 + 2] = -(v[1] + v[2]) * F43_SIXTH + (v[3] + v[4]) * F43_SIXTH + v[5];
            }
        }
    }
}

/// Writes 16 consecutive floats at `source` (columns 4j … 4j + 15) to the four phase planes
/// `target + c·size` (c = column modulo 4), four values each: a 4×4 transpose in registers.
F43_INLINE void transpose_4x4(const float *restrict source, float *restrict target, ptrdiff_t size) {
#if defined(__x86_64__)
    __m128 a = _mm_loadu_ps(source), b = _mm_loadu_ps(source + 4), c = _mm_loadu_ps(source + 8), d = _mm_loadu_ps(source + 12);
    _MM_TRANSPOSE4_PS(a, b, c, d);
    _mm_storeu_ps(target, a);
    _mm_storeu_ps(target + size, b);
    _mm_storeu_ps(target + 2 * size, c);
    _mm_storeu_ps(target + 3 * size, d);
#elif defined(__aarch64__)
    float32x4x4_t columns = vld4q_f32(source);  // de-interleaves by 4: exactly the phases
    vst1q_f32(target, columns.val[0]);
    vst1q_f32(target + size, columns.val[1]);
    vst1q_f32(target + 2 * size, columns.val[2]);
    vst1q_f32(target + 3 * size, columns.val[3]);
#endif
}

#if defined(__x86_64__)
#define F43_AVX512 __attribute__((target("avx512f,avx512vl,avx2,fma")))

/// The lanes k of sixteen columns from input column x (which may be negative) that lie in
/// [0, end): a load mask.
F43_AVX512 static inline __mmask16 f43_column_mask(ptrdiff_t x, ptrdiff_t end) {
    ptrdiff_t from = x < 0 ? -x : 0, to = end - x > 16 ? 16 : end - x;
    if (to <= from) return 0;
    return (__mmask16)((to >= 16 ? 0xFFFFu : (1u << to) - 1) & ~((1u << from) - 1));
}

/// `split_phases` with AVX-512, eight blocks of a row at a time and no scalar tails: three
/// masked loads bring padded columns 4j … 4j + 47 of a row (zero outside the input:
/// masked-off lanes are neither read nor faulted on), and one two-source permute per phase
/// picks columns 4j + c out of the first 32 (for the shifted planes, out of the 32 from four
/// columns on, shifted in registers). Every value of every plane is written once, zeros
/// included, so nothing is cleared first.
F43_AVX512 static void split_phases_avx512(const float *restrict plane, ptrdiff_t height, ptrdiff_t width, ptrdiff_t top,
                                           ptrdiff_t left, ptrdiff_t rows, ptrdiff_t columns, int shifted,
                                           ptrdiff_t stride, ptrdiff_t size, float *restrict phase) {
    // Lane j of phase c is column 4j + c of the 32: from the first vector for j < 4, the
    // second (indices 16 and up) after.
    const __m512i pick[4] = {
        _mm512_setr_epi32(0, 4, 8, 12, 16, 20, 24, 28, 0, 0, 0, 0, 0, 0, 0, 0),
        _mm512_setr_epi32(1, 5, 9, 13, 17, 21, 25, 29, 0, 0, 0, 0, 0, 0, 0, 0),
        _mm512_setr_epi32(2, 6, 10, 14, 18, 22, 26, 30, 0, 0, 0, 0, 0, 0, 0, 0),
        _mm512_setr_epi32(3, 7, 11, 15, 19, 23, 27, 31, 0, 0, 0, 0, 0, 0, 0, 0),
    };
    ptrdiff_t end = left + width < columns ? width : columns - left;  // input columns inside the planes
    int planes = shifted ? 6 : 4;
    for (ptrdiff_t y = 0; y < rows; y++) {
        float *restrict targets[6];
        for (int c = 0; c < 4; c++) targets[c] = phase + ((y & 3) * 4 + c) * size + (y >> 2) * stride;
        targets[4] = phase + (16 + (y & 3) * 2) * size + (y >> 2) * stride;
        targets[5] = targets[4] + size;
        ptrdiff_t row = y - top;
        if (row < 0 || row >= height) {
            for (int c = 0; c < planes; c++) {
                for (ptrdiff_t j = 0; j < stride; j++) targets[c][j] = 0.0f;
            }
            continue;
        }
        const float *source = plane + row * width;
        for (ptrdiff_t j = 0; j < stride; j += 8) {
            __mmask8 lanes = (__mmask8)(stride - j >= 8 ? 0xFF : (1u << (stride - j)) - 1);
            ptrdiff_t x = 4 * j - left;  // the input column of padded column 4j
            __m512 a = _mm512_maskz_loadu_ps(f43_column_mask(x, end), source + x);
            __m512 b = _mm512_maskz_loadu_ps(f43_column_mask(x + 16, end), source + x + 16);
            for (int c = 0; c < 4; c++) {
                __m512 picked = _mm512_permutex2var_ps(a, pick[c], b);
                _mm256_mask_storeu_ps(targets[c] + j, lanes, _mm512_castps512_ps256(picked));
            }
            if (!shifted) continue;
            __m512 c = _mm512_maskz_loadu_ps(f43_column_mask(x + 32, end), source + x + 32);
            // Columns 4j + 4 … 4j + 35: the pair moved down four lanes.
            __m512 a4 = _mm512_castsi512_ps(_mm512_alignr_epi32(_mm512_castps_si512(b), _mm512_castps_si512(a), 4));
            __m512 b4 = _mm512_castsi512_ps(_mm512_alignr_epi32(_mm512_castps_si512(c), _mm512_castps_si512(b), 4));
            for (int k = 0; k < 2; k++) {
                __m512 picked = _mm512_permutex2var_ps(a4, pick[k], b4);
                _mm256_mask_storeu_ps(targets[4 + k] + j, lanes, _mm512_castps512_ps256(picked));
            }
        }
    }
}
#endif

/// Splits the `rows`×`columns` plane, read from row `-top` and column `-left` of `plane`
/// (`height`×`width`, zero outside it), into its 16 phase planes by row and column modulo 4 —
/// `phase[(r·4 + c)·size + i·stride + j]` = pixel (4i + r, 4j + c) — and, when `shifted` is
/// nonzero, 8 more for columns 0 and 1 modulo 4 one block to the right:
/// `phase[(16 + r·2 + c)·size + i·stride + j]` = pixel (4i + r, 4(j + 1) + c). Each plane holds
/// `size` values: rows/4 rows of `stride`.
F43_INLINE void split_phases(const float *restrict plane, ptrdiff_t height, ptrdiff_t width, ptrdiff_t top,
                             ptrdiff_t left, ptrdiff_t rows, ptrdiff_t columns, int shifted, ptrdiff_t stride,
                             ptrdiff_t size, float *restrict phase) {
    for (ptrdiff_t i = 0; i < (shifted ? 24 : 16) * size; i++) phase[i] = 0.0f;
    ptrdiff_t endRow = top + height < rows ? top + height : rows;
    ptrdiff_t endColumn = left + width < columns ? left + width : columns;
    for (ptrdiff_t y = top; y < endRow; y++) {
        const float *restrict source = plane + (y - top) * width;  // source[x − left]: padded column x
        float *restrict targets = phase + ((y & 3) * 4) * size + (y >> 2) * stride;  // phase c at c·size
        // Where all four columns 4j … 4j + 3 lie in [left, endColumn), four j at a time: four
        // vectors of four columns, transposed, are the four phases' next four values.
        ptrdiff_t whole = (left + 3) >> 2, wholeEnd = endColumn >> 2;
        if (wholeEnd > stride) wholeEnd = stride;
        if (wholeEnd < whole) wholeEnd = whole;
        ptrdiff_t j = whole;
#if defined(__x86_64__) || defined(__aarch64__)
        for (; j + 4 <= wholeEnd; j += 4) transpose_4x4(source + 4 * j - left, targets + j, size);
#endif
        for (ptrdiff_t c = 0; c < 4; c++) {
            float *restrict target = targets + c * size;
            // Padded columns 4j + c in [left, endColumn), j below `stride`, outside those done.
            ptrdiff_t first = (left - c + 3) >> 2, end = (endColumn - c + 3) >> 2;
            if (end > stride) end = stride;
            const float *restrict from = source + c - left;
            for (ptrdiff_t i = first; i < end && i < whole; i++) target[i] = from[4 * i];
            for (ptrdiff_t i = j > first ? j : first; i < end; i++) target[i] = from[4 * i];
        }
        if (!shifted) continue;
        // One block to the right: the unshifted plane's next element, and for the last block
        // the column past it, 4·stride + c.
        for (ptrdiff_t c = 0; c < 2; c++) {
            const float *restrict unshifted = phase + ((y & 3) * 4 + c) * size + (y >> 2) * stride;
            float *restrict target = phase + (16 + (y & 3) * 2 + c) * size + (y >> 2) * stride;
            for (ptrdiff_t j = 0; j + 1 < stride; j++) target[j] = unshifted[j + 1];
            ptrdiff_t last = 4 * stride + c;
            if (last >= left && last < endColumn) target[stride - 1] = source[last - left];
        }
    }
}

/// The inverse of `split_phases` for an output: the 16 phase planes (`count` values each,
/// rows of `stride`) interleaved back into the `height`×`width` plane `target`, pixel (y, x)
/// from plane (y mod 4)·4 + x mod 4.
F43_INLINE void merge_phases(const float *restrict phase, ptrdiff_t count, ptrdiff_t stride, float *restrict target,
                             ptrdiff_t height, ptrdiff_t width) {
    for (ptrdiff_t y = 0; y < height; y++) {
        const float *row = phase + (y & 3) * 4 * count + (y >> 2) * stride;
        for (ptrdiff_t x = 0; x < width; x++) target[y * width + x] = row[(x & 3) * count + (x >> 2)];
    }
}

#if defined(__x86_64__)
/// One vector of two halves (AVX-512F only: no DQ needed).
F43_AVX512 static inline __m512 f43_pair(__m256 low, __m256 high) {
    return _mm512_castpd_ps(_mm512_insertf64x4(_mm512_castps_pd(_mm512_castps256_ps512(low)), _mm256_castps_pd(high), 1));
}

/// `merge_phases` with AVX-512, eight blocks (32 columns) of a row at a time: the four phase
/// rows' next eight values, paired in two vectors, interleaved by two two-source permutes.
/// Reads up to 7 values past each phase row (the caller leaves room after the last plane).
F43_AVX512 static void merge_phases_avx512(const float *restrict phase, ptrdiff_t count, ptrdiff_t stride,
                                           float *restrict target, ptrdiff_t height, ptrdiff_t width) {
    // Column 4j + s of the 32 comes from phase s, value j: phases 0 and 1 are the first
    // vector's halves, 2 and 3 the second's (indices 16 and up).
    const __m512i low = _mm512_setr_epi32(0, 8, 16, 24, 1, 9, 17, 25, 2, 10, 18, 26, 3, 11, 19, 27);
    const __m512i high = _mm512_setr_epi32(4, 12, 20, 28, 5, 13, 21, 29, 6, 14, 22, 30, 7, 15, 23, 31);
    for (ptrdiff_t y = 0; y < height; y++) {
        const float *row = phase + (y & 3) * 4 * count + (y >> 2) * stride;
        float *out = target + y * width;
        for (ptrdiff_t j = 0; 4 * j < width; j += 8) {
            __m512 first = f43_pair(_mm256_loadu_ps(row + j), _mm256_loadu_ps(row + count + j));
            __m512 second = f43_pair(_mm256_loadu_ps(row + 2 * count + j), _mm256_loadu_ps(row + 3 * count + j));
            ptrdiff_t left = width - 4 * j;  // columns still to write in this row
            __mmask16 lowMask = (__mmask16)(left >= 16 ? 0xFFFF : (1u << left) - 1);
            __mmask16 highMask = (__mmask16)(left >= 32 ? 0xFFFF : left > 16 ? (1u << (left - 16)) - 1 : 0);
            _mm512_mask_storeu_ps(out + 4 * j, lowMask, _mm512_permutex2var_ps(first, low, second));
            _mm512_mask_storeu_ps(out + 4 * j + 16, highMask, _mm512_permutex2var_ps(first, high, second));
        }
    }
}
#define F43_MERGE(wide, ...) ((wide) ? merge_phases_avx512(__VA_ARGS__) : merge_phases(__VA_ARGS__))
#else
#define F43_MERGE(wide, ...) merge_phases(__VA_ARGS__)
#endif

// `wide` (a constant in each variant) picks the AVX-512 splitter.
#if defined(__x86_64__)
#define F43_SPLIT(wide, ...) ((wide) ? split_phases_avx512(__VA_ARGS__) : split_phases(__VA_ARGS__))
#else
#define F43_SPLIT(wide, ...) split_phases(__VA_ARGS__)
#endif

/// Asks for the next plane's cache lines while this one is transformed: the planes come from
/// memory (a layer's whole output is megabytes), and the split reads each once.
F43_INLINE void f43_prefetch(const float *plane, ptrdiff_t count) {
    for (ptrdiff_t i = 0; i < count; i += 16) __builtin_prefetch(plane + i);
}

/// Where a run of one example's blocks lies in a transformed array laid out in panels (see
/// `descent_winograd_f43_inputs`): block f of the example is column `first` + f, and the run
/// from block `from` goes on to `*to`, the end of its panel or `count`. Returns the address of
/// position 0, channel `channel`, block 0 as seen from the run: block f (from ≤ f < *to) of
/// position ξ is at the result + ξ·positionStride + f.
F43_INLINE float *f43_panel_run(float *transformed, ptrdiff_t channels, ptrdiff_t channel, ptrdiff_t first,
                                ptrdiff_t panel, ptrdiff_t from, ptrdiff_t count, ptrdiff_t *to) {
    ptrdiff_t column = first + from, inPanel = column % panel;
    *to = from + (panel - inPanel) < count ? from + (panel - inPanel) : count;
    return transformed + (column - inPanel) * channels + channel * panel + inPanel - from;
}

F43_INLINE void f43_inputs(const float *input, ptrdiff_t channels, ptrdiff_t height, ptrdiff_t width, ptrdiff_t padTop,
                           ptrdiff_t padLeft, ptrdiff_t blocksHigh, ptrdiff_t blocksWide, float *restrict transformed,
                           ptrdiff_t positionStride, ptrdiff_t first, ptrdiff_t panel, int wide,
                           float *restrict scratch) {
    // Block (i, j) reads rows 4i … 4i + 5 and columns 4j … 4j + 5 of the padded input: phase
    // planes of blocksHigh + 1 rows of blocksWide, and the shifted ones for columns 4j + 4 and
    // 4j + 5, so that every read for block f = i·blocksWide + j is at f or f + blocksWide, and
    // its 36 values go straight to their places in `transformed`.
    ptrdiff_t stride = blocksWide, size = (blocksHigh + 1) * blocksWide, count = blocksHigh * blocksWide;
    ptrdiff_t position = positionStride;
    float *restrict phase = scratch;
    for (ptrdiff_t c = 0; c < channels; c++) {
        if (c + 4 < channels) f43_prefetch(input + (c + 4) * height * width, height * width);
        F43_SPLIT(wide, input + c * height * width, height, width, padTop, padLeft, 4 * (blocksHigh + 1),
                  4 * (blocksWide + 1), 1, stride, size, phase);
        for (ptrdiff_t from = 0, to; from < count; from = to) {
        float *restrict v = f43_panel_run(transformed, channels, c, first, panel, from, count, &to);
        F43_VECTORIZE
        for (ptrdiff_t f = from; f < to; f++) {
            float d[6][6];  // row 4i + r, column 4j + s of the block at f
            F43_UNROLL
            for (int r = 0; r < 6; r++) {
                ptrdiff_t at = f + (r >> 2) * stride;
                F43_UNROLL
                for (int s = 0; s < 4; s++) d[r][s] = phase[((r & 3) * 4 + s) * size + at];
                d[r][4] = phase[(16 + (r & 3) * 2) * size + at];
                d[r][5] = phase[(17 + (r & 3) * 2) * size + at];
            }
            float t[6][6];  // Bᵀ·d
            F43_UNROLL
            for (int s = 0; s < 6; s++) {
                float d0 = d[0][s], d1 = d[1][s], d2 = d[2][s], d3 = d[3][s], d4 = d[4][s], d5 = d[5][s];
                t[0][s] = 4 * d0 - 5 * d2 + d4;
                t[1][s] = -4 * (d1 + d2) + d3 + d4;
                t[2][s] = 4 * (d1 - d2) - d3 + d4;
                t[3][s] = 2 * (d3 - d1) - d2 + d4;
                t[4][s] = 2 * (d1 - d3) - d2 + d4;
                t[5][s] = 4 * d1 - 5 * d3 + d5;
            }
            F43_UNROLL
            for (int r = 0; r < 6; r++) {  // ·B
                float t0 = t[r][0], t1 = t[r][1], t2 = t[r][2], t3 = t[r][3], t4 = t[r][4], t5 = t[r][5];
                float *out = v + r * 6 * position + f;
                out[0 * position] = 4 * t0 - 5 * t2 + t4;
                out[1 * position] = -4 * (t1 + t2) + t3 + t4;
                out[2 * position] = 4 * (t1 - t2) - t3 + t4;
                out[3 * position] = 2 * (t3 - t1) - t2 + t4;
                out[4 * position] = 2 * (t1 - t3) - t2 + t4;
                out[5 * position] = 4 * t1 - 5 * t3 + t5;
            }
        }
        }
    }
}

F43_INLINE void f43_outputs(const float *products, ptrdiff_t channels, ptrdiff_t positionStride, ptrdiff_t first, ptrdiff_t panel,
                            ptrdiff_t blocksHigh, ptrdiff_t blocksWide, const float *bias, int relu,
                            float *restrict output, ptrdiff_t outHeight, ptrdiff_t outWidth, int wide,
                            float *restrict scratch) {
    ptrdiff_t count = blocksHigh * blocksWide;
    float *restrict phase = scratch;  // the output's 16 phase planes, blocksHigh×blocksWide each
    ptrdiff_t position = positionStride;
    for (ptrdiff_t c = 0; c < channels; c++) {
        float b = bias ? bias[c] : 0.0f;
        for (ptrdiff_t from = 0, to; from < count; from = to) {
        const float *restrict m = f43_panel_run((float *)products, channels, c, first, panel, from, count, &to);
        F43_VECTORIZE
        for (ptrdiff_t f = from; f < to; f++) {
            float am[4][6];  // Aᵀ·M
            F43_UNROLL
            for (int s = 0; s < 6; s++) {
                float m0 = m[(0 + s) * position + f], m1 = m[(6 + s) * position + f], m2 = m[(12 + s) * position + f];
                float m3 = m[(18 + s) * position + f], m4 = m[(24 + s) * position + f], m5 = m[(30 + s) * position + f];
                am[0][s] = m0 + m1 + m2 + m3 + m4;
                am[1][s] = m1 - m2 + 2 * (m3 - m4);
                am[2][s] = m1 + m2 + 4 * (m3 + m4);
                am[3][s] = m1 - m2 + 8 * (m3 - m4) + m5;
            }
            F43_UNROLL
            for (int r = 0; r < 4; r++) {  // ·A
                float a0 = am[r][0], a1 = am[r][1], a2 = am[r][2], a3 = am[r][3], a4 = am[r][4], a5 = am[r][5];
                float *y = phase + r * 4 * count + f;
                y[0 * count] = a0 + a1 + a2 + a3 + a4 + b;
                y[1 * count] = a1 - a2 + 2 * (a3 - a4) + b;
                y[2 * count] = a1 + a2 + 4 * (a3 + a4) + b;
                y[3 * count] = a1 - a2 + 8 * (a3 - a4) + a5 + b;
            }
        }
        }
        // The channel's 16 phase planes are in L1: ReLU there costs no pass over the output.
        if (relu) {
            F43_VECTORIZE
            for (ptrdiff_t i = 0; i < 16 * count; i++) phase[i] = phase[i] > 0.0f ? phase[i] : 0.0f;
        }
        F43_MERGE(wide, phase, count, blocksWide, output + c * outHeight * outWidth, outHeight, outWidth);
    }
}

F43_INLINE void f43_output_gradients(const float *gradient, ptrdiff_t channels, ptrdiff_t outHeight, ptrdiff_t outWidth,
                                     ptrdiff_t blocksHigh, ptrdiff_t blocksWide, float *restrict transformed,
                                     ptrdiff_t positionStride, ptrdiff_t first, ptrdiff_t panel, int wide,
                                     float *restrict scratch) {
    ptrdiff_t count = blocksHigh * blocksWide, size = count;
    float *restrict phase = scratch;  // positions past the output's edge had no output: 0
    ptrdiff_t position = positionStride;
    for (ptrdiff_t c = 0; c < channels; c++) {
        if (c + 4 < channels) f43_prefetch(gradient + (c + 4) * outHeight * outWidth, outHeight * outWidth);
        F43_SPLIT(wide, gradient + c * outHeight * outWidth, outHeight, outWidth, 0, 0, 4 * blocksHigh, 4 * blocksWide, 0,
                  blocksWide, size, phase);
        for (ptrdiff_t from = 0, to; from < count; from = to) {
        float *restrict m = f43_panel_run(transformed, channels, c, first, panel, from, count, &to);
        F43_VECTORIZE
        for (ptrdiff_t f = from; f < to; f++) {
            float y[4][4];
            F43_UNROLL
            for (int r = 0; r < 4; r++) {
                F43_UNROLL
                for (int s = 0; s < 4; s++) y[r][s] = phase[(r * 4 + s) * size + f];
            }
            float ay[6][4];  // A·y
            F43_UNROLL
            for (int s = 0; s < 4; s++) {
                float y0 = y[0][s], y1 = y[1][s], y2 = y[2][s], y3 = y[3][s];
                ay[0][s] = y0;
                ay[1][s] = y0 + y1 + y2 + y3;
                ay[2][s] = y0 - y1 + y2 - y3;
                ay[3][s] = y0 + 2 * y1 + 4 * y2 + 8 * y3;
                ay[4][s] = y0 - 2 * y1 + 4 * y2 - 8 * y3;
                ay[5][s] = y3;
            }
            F43_UNROLL
            for (int r = 0; r < 6; r++) {  // ·Aᵀ
                float a0 = ay[r][0], a1 = ay[r][1], a2 = ay[r][2], a3 = ay[r][3];
                float *v = m + r * 6 * position + f;
                v[0 * position] = a0;
                v[1 * position] = a0 + a1 + a2 + a3;
                v[2 * position] = a0 - a1 + a2 - a3;
                v[3 * position] = a0 + 2 * a1 + 4 * a2 + 8 * a3;
                v[4 * position] = a0 - 2 * a1 + 4 * a2 - 8 * a3;
                v[5 * position] = a3;
            }
        }
        }
    }
}

#define F43_VARIANTS(suffix, attributes, wide)                                                                       \
    attributes static void f43_inputs_##suffix(const float *input, ptrdiff_t channels, ptrdiff_t height,         \
                                               ptrdiff_t width, ptrdiff_t padTop, ptrdiff_t padLeft,            \
                                               ptrdiff_t blocksHigh, ptrdiff_t blocksWide, float *transformed,   \
                                               ptrdiff_t positionStride, ptrdiff_t first, ptrdiff_t panel, float *scratch) { \
        f43_inputs(input, channels, height, width, padTop, padLeft, blocksHigh, blocksWide, transformed, positionStride,     \
                   first, panel, wide, scratch);                                                                       \
    }                                                                                                            \
    attributes static void f43_outputs_##suffix(const float *products, ptrdiff_t channels, ptrdiff_t positionStride, \
                                                ptrdiff_t first, ptrdiff_t panel, ptrdiff_t blocksHigh,          \
                                                ptrdiff_t blocksWide, const float *bias, int relu, float *output, \
                                                ptrdiff_t outHeight, ptrdiff_t outWidth, float *scratch) {       \
        f43_outputs(products, channels, positionStride, first, panel, blocksHigh, blocksWide, bias, relu, output,            \
                    outHeight, outWidth, wide, scratch);                                                               \
    }                                                                                                            \
    attributes static void f43_output_gradients_##suffix(const float *gradient, ptrdiff_t channels,              \
                                                         ptrdiff_t outHeight, ptrdiff_t outWidth,                \
                                                         ptrdiff_t blocksHigh, ptrdiff_t blocksWide,             \
                                                         float *transformed, ptrdiff_t positionStride, ptrdiff_t first,      \
                                                         ptrdiff_t panel, float *scratch) {                      \
        f43_output_gradients(gradient, channels, outHeight, outWidth, blocksHigh, blocksWide, transformed, positionStride,   \
                             first, panel, wide, scratch);                                                             \
    }

F43_VARIANTS(portable, , 0)
#if defined(__x86_64__)
F43_VARIANTS(avx2, __attribute__((target("avx2,fma"))), 0)
F43_VARIANTS(avx512, F43_AVX512, 1)
// The transforms follow the matrix multiply's variant (so DESCENT_KERNELS=avx2 tests both).
static int f43_variant(void) {
    static _Atomic int cached = -1;
    int value = atomic_load_explicit(&cached, memory_order_relaxed);
    if (value < 0) {
        const char *variant = descent_kernel_variant();
        value = strcmp(variant, "avx512") == 0 ? 2 : strcmp(variant, "avx2") == 0 ? 1 : 0;
        atomic_store_explicit(&cached, value, memory_order_relaxed);
    }
    return value;
}
#define F43_DISPATCH(function, ...)                                                                              \
    do {                                                                                                         \
        switch (f43_variant()) {                                                                                 \
        case 2: function##_avx512(__VA_ARGS__); break;                                                           \
        case 1: function##_avx2(__VA_ARGS__); break;                                                             \
        default: function##_portable(__VA_ARGS__); break;                                                        \
        }                                                                                                        \
    } while (0)
#else
#define F43_DISPATCH(function, ...) function##_portable(__VA_ARGS__)
#endif

void descent_winograd_f43_inputs(const float *input, ptrdiff_t channels, ptrdiff_t height, ptrdiff_t width,
                                 ptrdiff_t padTop, ptrdiff_t padLeft, ptrdiff_t blocksHigh, ptrdiff_t blocksWide,
                                 float *transformed, ptrdiff_t positionStride, ptrdiff_t first, ptrdiff_t panel) {
    float *scratch = malloc(sizeof(float) * 24 * (size_t)(blocksHigh + 1) * (size_t)blocksWide);
    F43_DISPATCH(f43_inputs, input, channels, height, width, padTop, padLeft, blocksHigh, blocksWide, transformed, positionStride,
                 first, panel, scratch);
    free(scratch);
}

void descent_winograd_f43_outputs(const float *products, ptrdiff_t channels, ptrdiff_t positionStride, ptrdiff_t first,
                                  ptrdiff_t panel, ptrdiff_t blocksHigh, ptrdiff_t blocksWide, const float *bias,
                                  int relu, float *output, ptrdiff_t outHeight, ptrdiff_t outWidth) {
    // The phase planes, and room for the AVX-512 merge's reads past the last one.
    float *scratch = malloc(sizeof(float) * (16 * (size_t)blocksHigh * (size_t)blocksWide + 16));
    F43_DISPATCH(f43_outputs, products, channels, positionStride, first, panel, blocksHigh, blocksWide, bias, relu, output,
                 outHeight, outWidth, scratch);
    free(scratch);
}

void descent_winograd_f43_output_gradients(const float *gradient, ptrdiff_t channels, ptrdiff_t outHeight,
                                           ptrdiff_t outWidth, ptrdiff_t blocksHigh, ptrdiff_t blocksWide,
                                           float *transformed, ptrdiff_t positionStride, ptrdiff_t first, ptrdiff_t panel) {
    float *scratch = malloc(sizeof(float) * 16 * (size_t)blocksHigh * (size_t)blocksWide);
    F43_DISPATCH(f43_output_gradients, gradient, channels, outHeight, outWidth, blocksHigh, blocksWide, transformed,
                 positionStride, first, panel, scratch);
    free(scratch);
}
