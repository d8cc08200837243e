// Depthwise convolutions (each output channel reads one input channel: groups equal to the input
// channels, as in MobileNet's separable blocks) computed directly, a plane at a time. Through
// im2col, such a convolution is one matrix product per channel with a single row of weights: the
// copy of every window costs more than the product, and the vector–matrix product of one row
// runs far below the matrix multiply's speed.
//
// The input plane, zero-padded, is split into its stride·stride phases: phase (a, b) holds the
// padded plane's rows a, a + strideY, … and columns b, b + strideX, …, so that tap (p, q) of
// every output reads one phase, ((p·dilationY) mod strideY, (q·dilationX) mod strideX), shifted
// by ((p·dilationY) div strideY, (q·dilationX) div strideX) — a stride-1 problem whatever the
// stride (with stride 1, the one phase is the padded plane; only the phases some tap reads are
// made). The phases are `wide` columns wide, and an output row is a run of `wide` positions of a
// flat array (the last few thrown away), so that each tap is one long shifted array and BLOCK
// outputs at a time add up every tap in registers. The filter's gradient is a dot product of the
// upstream gradient, laid out the same way (its thrown-away positions zero), with each tap's
// shifted array. The input's gradient is the phases' gradient: in each phase, the upstream
// gradient, padded, summed over the taps that read that phase, shifted the other way; then
// scattered back onto the input's rows and columns.
//
// Every sum is taken in a fixed order (the bias, then the taps row by row; the filter's gradient
// in per-lane partial sums added at the end), and nothing is contracted into an FMA, so the plain
// and AVX2 builds (and ARM's) give the same bits, and so does any split of the planes among
// threads.
#include "CDescentKernels.h"
#include "plain_or_avx2.h"

#include <string.h>

#pragma clang fp contract(off)

// Outputs per step of the summing loops: four vectors of 64 bytes (16 floats or 8 doubles), four
// independent chains of additions. Flat runs are rounded up to whole blocks.
enum { UNROLL = 4, BLOCK = 64 };

// 64 bytes of elements read and written in place, unaligned (through these types, never passed
// to or returned from a function, which would change the calling convention where the target
// has no 64-byte registers).
typedef float f32_vector __attribute__((vector_size(64), aligned(4), may_alias));
typedef double f64_vector __attribute__((vector_size(64), aligned(8), may_alias));

static inline ptrdiff_t round_up(ptrdiff_t count, ptrdiff_t unit) { return (count + unit - 1) / unit * unit; }

// The first of `outSize` positions j whose position j·stride + offset lands inside `size`, and
// the end of them.
static inline void valid_positions(ptrdiff_t offset, ptrdiff_t stride, ptrdiff_t size, ptrdiff_t outSize,
                                   ptrdiff_t *first, ptrdiff_t *end) {
    // ⌈a / stride⌉ for any sign of a (stride > 0).
    ptrdiff_t low = -offset >= 0 ? (-offset + stride - 1) / stride : -(offset / stride);
    ptrdiff_t high = size - offset >= 0 ? (size - offset + stride - 1) / stride : -((offset - size) / stride);
    *first = low < 0 ? 0 : low;
    *end = high > outSize ? outSize : high;
    if (*end < *first) *end = *first;
}

// Whether tap p is the first along its axis to read its phase, p·dilation mod stride.
static int first_of_phase(ptrdiff_t p, ptrdiff_t dilation, ptrdiff_t stride) {
    for (ptrdiff_t t = 0; t < p; t++) {
        if (t * dilation % stride == p * dilation % stride) return 0;
    }
    return 1;
}

// Where tap p's phase is kept among the phases that the taps along an axis read, numbered in the
// order of the taps that first read them: only those phases take memory, at most one per tap
// whatever the stride (a stride of 1,000 has a million phases, of which a 3×3 kernel reads 9).
static ptrdiff_t phase_slot(ptrdiff_t p, ptrdiff_t dilation, ptrdiff_t stride) {
    ptrdiff_t slot = 0;
    for (ptrdiff_t t = 0; t < p; t++) {
        if (t * dilation % stride == p * dilation % stride) return slot;
        slot += first_of_phase(t, dilation, stride);
    }
    return slot;
}

// How many phases the `size` taps along an axis read.
static ptrdiff_t phase_count(ptrdiff_t size, ptrdiff_t dilation, ptrdiff_t stride) {
    ptrdiff_t count = 0;
    for (ptrdiff_t p = 0; p < size; p++) count += first_of_phase(p, dilation, stride);
    return count;
}

// The flat layouts of one plane. Forward (and the filter's gradient): the phases that taps read
// (`phasesAcross` of them in each row of phases), each `length` elements, of `rows` rows (the
// rest zero) `wide` wide, and the output as a flat run of `run`
// positions. Input gradient: the upstream planes padded by the taps' reach, `gradientLength`
// elements `gradientWide` wide each, and each phase's gradient as a flat run of `gradientRun`.
typedef struct {
    ptrdiff_t reachY, reachX, wide, rows, run, length, phases, phasesAcross, taps;
    ptrdiff_t gradientWide, gradientRun, gradientLength;
} flat_layout;

static flat_layout layout(const descent_depthwise_geometry *s) {
    flat_layout f;
    f.reachY = (s->kernelHeight - 1) * s->dilationY / s->strideY;
    f.reachX = (s->kernelWidth - 1) * s->dilationX / s->strideX;
    f.wide = s->outWidth + f.reachX;
    f.rows = s->outHeight + f.reachY;
    f.run = round_up(s->outHeight * f.wide, BLOCK);
    f.length = f.run + f.reachY * f.wide + f.reachX;
    f.phasesAcross = phase_count(s->kernelWidth, s->dilationX, s->strideX);
    f.phases = phase_count(s->kernelHeight, s->dilationY, s->strideY) * f.phasesAcross;
    f.taps = s->kernelHeight * s->kernelWidth;
    f.gradientWide = f.wide + f.reachX;
    f.gradientRun = round_up(f.rows * f.gradientWide, BLOCK);
    f.gradientLength = f.gradientRun + f.reachY * f.gradientWide + f.reachX;
    return f;
}

// Where tap (p, q) reads, from the start of the phases.
static inline ptrdiff_t tap_offset(const descent_depthwise_geometry *s, const flat_layout *f, ptrdiff_t p,
                                   ptrdiff_t q) {
    ptrdiff_t y = p * s->dilationY, x = q * s->dilationX;
    ptrdiff_t phase = phase_slot(p, s->dilationY, s->strideY) * f->phasesAcross + phase_slot(q, s->dilationX, s->strideX);
    return phase * f->length + y / s->strideY * f->wide + x / s->strideX;
}

// Scratch: a list of (offset, weight) terms to sum, up to `multiplier`·taps of them, then the
// planes (whole cache lines apart).
static ptrdiff_t term_elements(ptrdiff_t terms, size_t elementSize) {
    return round_up((ptrdiff_t)((size_t)terms * (sizeof(ptrdiff_t) + elementSize) / elementSize) + 1, BLOCK);
}

ptrdiff_t descent_depthwise_scratch_count(const descent_depthwise_geometry *geometry, ptrdiff_t multiplier,
                                          ptrdiff_t elementSize) {
    flat_layout f = layout(geometry);
    // Forward: the phases and the flat output; the filters' gradient: the same, the flat
    // upstream plane in the output's place, and each filter's and tap's partial sums; the input's gradient:
    // each of the multiplier padded upstream planes and one phase's flat gradient.
    ptrdiff_t forward = f.phases * f.length + f.run + multiplier * f.taps * BLOCK;
    ptrdiff_t backward = multiplier * f.gradientLength + f.gradientRun;
    return term_elements(multiplier * f.taps, (size_t)elementSize) + (forward > backward ? forward : backward);
}

#define DEFINE_DEPTHWISE(SUFFIX, T, VT, ATTRIBUTES)                                                  \
    /* dst[0 ..< count] = src[0 ..< count], inline for the short runs of a plane's row: up to   */ \
    /* four vectors, the last one overlapping the one before, halves and quarters of one for     */  \
    /* shorter runs (a call to memcpy per row of a small plane cost as much as the convolution,  */  \
    /* and clang turns a copying loop into that call).                                           */  \
    typedef T SUFFIX##_half __attribute__((vector_size(32), aligned(sizeof(T)), may_alias));       \
    typedef T SUFFIX##_quarter __attribute__((vector_size(16), aligned(sizeof(T)), may_alias));    \
    ATTRIBUTES static inline void copy_run_##SUFFIX(T *restrict dst, const T *restrict src, ptrdiff_t count) { \
        enum { V = 64 / sizeof(T) };                                                                \
        if (count >= 4 * V) {                                                                       \
            memcpy(dst, src, (size_t)count * sizeof(T));                                            \
        } else if (count >= V) {                                                                    \
            *(VT *)dst = *(const VT *)src;                                                          \
            if (count > 2 * V) *(VT *)(dst + V) = *(const VT *)(src + V);                           \
            if (count > 3 * V) *(VT *)(dst + 2 * V) = *(const VT *)(src + 2 * V);                   \
            *(VT *)(dst + count - V) = *(const VT *)(src + count - V);                              \
        } else if (count >= V / 2) {                                                                \
            *(SUFFIX##_half *)dst = *(const SUFFIX##_half *)src;                                    \
            *(SUFFIX##_half *)(dst + count - V / 2) = *(const SUFFIX##_half *)(src + count - V / 2); \
        } else if (count >= V / 4) {                                                                \
            *(SUFFIX##_quarter *)dst = *(const SUFFIX##_quarter *)src;                              \
            *(SUFFIX##_quarter *)(dst + count - V / 4) = *(const SUFFIX##_quarter *)(src + count - V / 4); \
        } else {                                                                                    \
            for (ptrdiff_t i = 0; i < count; i++) dst[i] = src[i];                                  \
        }                                                                                           \
    }                                                                                               \
                                                                                                    \
    /* The phases of one input plane that some tap reads, zero where the padding is. With      */  \
    /* stride 2 across, both column phases of a row come from one pass over it, which            */  \
    /* vectorizes (one column phase at a time, a load every other element, did not).             */  \
    ATTRIBUTES static void fill_phases_##SUFFIX(const descent_depthwise_geometry *s, const flat_layout *f, \
                                                const T *input, T *phases) {                        \
        int pairs = s->strideX == 2 && f->phasesAcross == 2;                                        \
        for (ptrdiff_t p = 0; p < s->kernelHeight; p++) {                                           \
            if (!first_of_phase(p, s->dilationY, s->strideY)) continue;                             \
            ptrdiff_t a = p * s->dilationY % s->strideY;                                            \
            /* The phase rows that hold input rows. */                                             \
            ptrdiff_t top, bottom;                                                                  \
            valid_positions(a - s->padTop, s->strideY, s->height, f->rows, &top, &bottom);          \
            T *rowPhases = phases + phase_slot(p, s->dilationY, s->strideY) * f->phasesAcross * f->length; \
            /* Padded column j·strideX + b of row i of them. */                                    \
            const T *rows = input + (top * s->strideY + a - s->padTop) * s->width - s->padLeft;     \
            ptrdiff_t rowStride = s->strideY * s->width;                                            \
            for (ptrdiff_t q = 0; q < s->kernelWidth; q++) {                                        \
                if (!first_of_phase(q, s->dilationX, s->strideX)) continue;                         \
                ptrdiff_t b = q * s->dilationX % s->strideX;                                        \
                T *phase = rowPhases + phase_slot(q, s->dilationX, s->strideX) * f->length;         \
                memset(phase, 0, (size_t)f->length * sizeof(T));                                    \
                if (pairs) continue;                                                                \
                ptrdiff_t first, end;                                                               \
                valid_positions(b - s->padLeft, s->strideX, s->width, f->wide, &first, &end);       \
                for (ptrdiff_t i = top; i < bottom; i++) {                                          \
                    const T *row = rows + (i - top) * rowStride + b;                                \
                    T *target = phase + i * f->wide;                                                \
                    if (s->strideX == 1) {                                                          \
                        copy_run_##SUFFIX(target + first, row + first, end - first);                \
                    } else {                                                                        \
                        for (ptrdiff_t j = first; j < end; j++) target[j] = row[j * s->strideX];    \
                    }                                                                               \
                }                                                                                   \
            }                                                                                       \
            if (!pairs) continue;                                                                   \
            /* Column phases 0 and 1 are kept first and second (taps 0 and 1 read them). Phase 1 */ \
            /* starts no later than phase 0 and ends no later: both are filled over            */ \
            /* [first0, end1), then phase 1 before it and phase 0 after it.                     */ \
            ptrdiff_t first0, end0, first1, end1;                                                   \
            valid_positions(-s->padLeft, 2, s->width, f->wide, &first0, &end0);                     \
            valid_positions(1 - s->padLeft, 2, s->width, f->wide, &first1, &end1);                  \
            for (ptrdiff_t i = top; i < bottom; i++) {                                              \
                const T *restrict row = rows + (i - top) * rowStride;                               \
                T *restrict even = rowPhases + i * f->wide, *restrict odd = even + f->length;       \
                for (ptrdiff_t j = first0; j < end1; j++) {                                         \
                    even[j] = row[2 * j];                                                           \
                    odd[j] = row[2 * j + 1];                                                        \
                }                                                                                   \
                for (ptrdiff_t j = first1; j < first0 && j < end1; j++) odd[j] = row[2 * j + 1];    \
                for (ptrdiff_t j = end1 > first0 ? end1 : first0; j < end0; j++) even[j] = row[2 * j]; \
            }                                                                                       \
        }                                                                                           \
    }                                                                                               \
                                                                                                    \
    /* flat[i] = start + Σ over the terms of weights[t]·base[offsets[t] + i], i < run, the terms */ \
    /* in order, BLOCK positions at a time.                                                      */  \
    ATTRIBUTES static void sum_terms_##SUFFIX(const T *base, const ptrdiff_t *offsets, const T *weights, \
                                              ptrdiff_t terms, ptrdiff_t run, T start, T *flat) {   \
        enum { V = 64 / sizeof(T) };                                                                \
        for (ptrdiff_t i = 0; i < run; i += UNROLL * V) {                                           \
            VT a0 = (VT){0} + start, a1 = a0, a2 = a0, a3 = a0;                                     \
            for (ptrdiff_t t = 0; t < terms; t++) {                                                 \
                const T *x = base + offsets[t] + i;                                                 \
                T w = weights[t];                                                                   \
                a0 += w * *(const VT *)x;                                                           \
                a1 += w * *(const VT *)(x + V);                                                     \
                a2 += w * *(const VT *)(x + 2 * V);                                                 \
                a3 += w * *(const VT *)(x + 3 * V);                                                 \
            }                                                                                       \
            *(VT *)(flat + i) = a0;                                                                 \
            *(VT *)(flat + i + V) = a1;                                                             \
            *(VT *)(flat + i + 2 * V) = a2;                                                         \
            *(VT *)(flat + i + 3 * V) = a3;                                                         \
        }                                                                                           \
    }                                                                                               \
                                                                                                    \
    /* The input plane's phases are made once for its `multiplier` filters. ReLU, if asked,    */ \
    /* is applied to each flat output plane while it is in cache.                               */ \
    ATTRIBUTES static void forward_##SUFFIX(const descent_depthwise_geometry *s, const T *input,    \
                                            const T *weights, const T *bias, ptrdiff_t multiplier,  \
                                            int relu, T *output, T *scratch) {                      \
        flat_layout f = layout(s);                                                                  \
        ptrdiff_t *offsets = (ptrdiff_t *)(void *)scratch;                                          \
        T *phases = scratch + term_elements(f.taps, sizeof(T)), *flat = phases + f.phases * f.length; \
        for (ptrdiff_t p = 0; p < s->kernelHeight; p++) {                                           \
            for (ptrdiff_t q = 0; q < s->kernelWidth; q++) offsets[p * s->kernelWidth + q] = tap_offset(s, &f, p, q); \
        }                                                                                           \
        fill_phases_##SUFFIX(s, &f, input, phases);                                                 \
        for (ptrdiff_t m = 0; m < multiplier; m++) {                                                \
            sum_terms_##SUFFIX(phases, offsets, weights + m * f.taps, f.taps, f.run, bias ? bias[m] : 0, flat); \
            if (relu) {                                                                             \
                for (ptrdiff_t i = 0; i < f.run; i++) flat[i] = flat[i] > 0 ? flat[i] : 0;          \
            }                                                                                       \
            T *plane = output + m * s->outHeight * s->outWidth;                                     \
            for (ptrdiff_t oy = 0; oy < s->outHeight; oy++) {                                       \
                copy_run_##SUFFIX(plane + oy * s->outWidth, flat + oy * f.wide, s->outWidth);       \
            }                                                                                       \
        }                                                                                           \
    }                                                                                               \
                                                                                                    \
    /* Phase (a, b)'s gradient at (i, j) is the sum of w·g[i − sy][j − sx] over the taps that    */  \
    /* read the phase, shifted by (sy, sx): with g padded by the largest shift before, each term */  \
    /* is the padded plane shifted by (reachY − sy, reachX − sx).                                */  \
    ATTRIBUTES static void input_gradient_##SUFFIX(const descent_depthwise_geometry *s,            \
                                                   const T *upstream, const T *weights,             \
                                                   ptrdiff_t multiplier, T *inputGradient, T *scratch) { \
        flat_layout f = layout(s);                                                                  \
        ptrdiff_t terms = multiplier * f.taps;                                                      \
        ptrdiff_t *offsets = (ptrdiff_t *)(void *)scratch;                                          \
        T *termWeights = (T *)(void *)(offsets + terms);                                            \
        T *padded = scratch + term_elements(terms, sizeof(T)), *flat = padded + multiplier * f.gradientLength; \
        for (ptrdiff_t m = 0; m < multiplier; m++) {                                                \
            T *plane = padded + m * f.gradientLength;                                               \
            memset(plane, 0, (size_t)f.gradientLength * sizeof(T));                                 \
            for (ptrdiff_t oy = 0; oy < s->outHeight; oy++) {                                       \
                copy_run_##SUFFIX(plane + (oy + f.reachY) * f.gradientWide + f.reachX,              \
                                  upstream + (m * s->outHeight + oy) * s->outWidth, s->outWidth);   \
            }                                                                                       \
        }                                                                                           \
        memset(inputGradient, 0, (size_t)(s->height * s->width) * sizeof(T));                      \
        for (ptrdiff_t p0 = 0; p0 < s->kernelHeight; p0++) {                                        \
            if (!first_of_phase(p0, s->dilationY, s->strideY)) continue;                            \
            for (ptrdiff_t q0 = 0; q0 < s->kernelWidth; q0++) {                                     \
                if (!first_of_phase(q0, s->dilationX, s->strideX)) continue;                        \
                /* Phase (a, b), which taps p0 and q0 are the first to read. */                    \
                ptrdiff_t a = p0 * s->dilationY % s->strideY, b = q0 * s->dilationX % s->strideX;   \
                ptrdiff_t count = 0;                                                                \
                for (ptrdiff_t m = 0; m < multiplier; m++) {                                        \
                    for (ptrdiff_t p = 0; p < s->kernelHeight; p++) {                               \
                        ptrdiff_t y = p * s->dilationY;                                             \
                        if (y % s->strideY != a) continue;                                          \
                        for (ptrdiff_t q = 0; q < s->kernelWidth; q++) {                            \
                            ptrdiff_t x = q * s->dilationX;                                         \
                            if (x % s->strideX != b) continue;                                      \
                            offsets[count] = m * f.gradientLength + (f.reachY - y / s->strideY) * f.gradientWide \
                                + f.reachX - x / s->strideX;                                        \
                            termWeights[count++] = weights[m * f.taps + p * s->kernelWidth + q];    \
                        }                                                                           \
                    }                                                                               \
                }                                                                                   \
                sum_terms_##SUFFIX(padded, offsets, termWeights, count, f.gradientRun, 0, flat);    \
                /* Back onto the input: phase position (i, j) is input (i·strideY + a − padTop,   */ \
                /* j·strideX + b − padLeft).                                                      */ \
                ptrdiff_t first, end;                                                               \
                valid_positions(b - s->padLeft, s->strideX, s->width, f.wide, &first, &end);        \
                for (ptrdiff_t i = 0; i < f.rows; i++) {                                            \
                    ptrdiff_t y = i * s->strideY + a - s->padTop;                                   \
                    if (y < 0 || y >= s->height) continue;                                          \
                    T *row = inputGradient + y * s->width + b - s->padLeft;                         \
                    const T *source = flat + i * f.gradientWide;                                    \
                    if (s->strideX == 1) {                                                          \
                        copy_run_##SUFFIX(row + first, source + first, end - first);                \
                    } else {                                                                        \
                        for (ptrdiff_t j = first; j < end; j++) row[j * s->strideX] = source[j];    \
                    }                                                                               \
                }                                                                                   \
            }                                                                                       \
        }                                                                                           \
    }                                                                                               \
                                                                                                    \
    /* The upstream plane is laid out as the flat output, its thrown-away positions zero, so     */ \
    /* that they add nothing (a non-finite input makes the gradient non-finite either way).      */ \
    ATTRIBUTES static void weight_gradient_##SUFFIX(const descent_depthwise_geometry *s,           \
                                                    const T *upstream, ptrdiff_t upstreamStride,    \
                                                    const T *input, ptrdiff_t inputStride,          \
                                                    ptrdiff_t examples, ptrdiff_t multiplier,       \
                                                    T *weightGradient, T *scratch) {                \
        enum { V = 64 / sizeof(T) };                                                                \
        flat_layout f = layout(s);                                                                  \
        ptrdiff_t *offsets = (ptrdiff_t *)(void *)scratch;                                          \
        T *phases = scratch + term_elements(f.taps, sizeof(T)), *flat = phases + f.phases * f.length; \
        T *partial = flat + f.run;                                                                  \
        for (ptrdiff_t p = 0; p < s->kernelHeight; p++) {                                           \
            for (ptrdiff_t q = 0; q < s->kernelWidth; q++) offsets[p * s->kernelWidth + q] = tap_offset(s, &f, p, q); \
        }                                                                                           \
        memset(flat, 0, (size_t)(f.run + multiplier * f.taps * UNROLL * V) * sizeof(T));            \
        ptrdiff_t plane = s->outHeight * s->outWidth;                                               \
        for (ptrdiff_t n = 0; n < examples; n++) {                                                  \
            fill_phases_##SUFFIX(s, &f, input + n * inputStride, phases);                           \
            for (ptrdiff_t m = 0; m < multiplier; m++) {                                            \
                for (ptrdiff_t oy = 0; oy < s->outHeight; oy++) {                                   \
                    copy_run_##SUFFIX(flat + oy * f.wide, upstream + n * upstreamStride + m * plane + oy * s->outWidth, \
                                      s->outWidth);                                                 \
                }                                                                                   \
                for (ptrdiff_t tap = 0; tap < f.taps; tap++) {                                      \
                    T *sums = partial + (m * f.taps + tap) * UNROLL * V;                            \
                    const T *x = phases + offsets[tap];                                             \
                    VT a0 = *(const VT *)sums, a1 = *(const VT *)(sums + V);                        \
                    VT a2 = *(const VT *)(sums + 2 * V), a3 = *(const VT *)(sums + 3 * V);          \
                    for (ptrdiff_t i = 0; i < f.run; i += UNROLL * V) {                             \
                        a0 += *(const VT *)(flat + i) * *(const VT *)(x + i);                       \
                        a1 += *(const VT *)(flat + i + V) * *(const VT *)(x + i + V);               \
                        a2 += *(const VT *)(flat + i + 2 * V) * *(const VT *)(x + i + 2 * V);       \
                        a3 += *(const VT *)(flat + i + 3 * V) * *(const VT *)(x + i + 3 * V);       \
                    }                                                                               \
                    *(VT *)sums = a0;                                                               \
                    *(VT *)(sums + V) = a1;                                                         \
                    *(VT *)(sums + 2 * V) = a2;                                                     \
                    *(VT *)(sums + 3 * V) = a3;                                                     \
                }                                                                                   \
            }                                                                                       \
        }                                                                                           \
        for (ptrdiff_t k = 0; k < multiplier * f.taps; k++) {                                       \
            T sum = 0;                                                                              \
            for (ptrdiff_t lane = 0; lane < UNROLL * V; lane++) sum += partial[k * UNROLL * V + lane]; \
            weightGradient[k] = sum;                                                                \
        }                                                                                           \
    }

DEFINE_DEPTHWISE(f32_portable, float, f32_vector, )
DEFINE_DEPTHWISE(f64_portable, double, f64_vector, )
#if defined(__x86_64__)
DEFINE_DEPTHWISE(f32_avx2, float, f32_vector, __attribute__((target("avx2"))))
DEFINE_DEPTHWISE(f64_avx2, double, f64_vector, __attribute__((target("avx2"))))
#endif


void descent_depthwise_conv2d_f32(const descent_depthwise_geometry *geometry, const float *input,
                                  const float *weights, const float *bias, ptrdiff_t multiplier, int relu,
                                  float *output, float *scratch) {
    PLAIN_OR_AVX2(forward, f32, geometry, input, weights, bias, multiplier, relu, output, scratch)
}

void descent_depthwise_conv2d_f64(const descent_depthwise_geometry *geometry, const double *input,
                                  const double *weights, const double *bias, ptrdiff_t multiplier, int relu,
                                  double *output, double *scratch) {
    PLAIN_OR_AVX2(forward, f64, geometry, input, weights, bias, multiplier, relu, output, scratch)
}

void descent_depthwise_conv2d_input_gradient_f32(const descent_depthwise_geometry *geometry, const float *upstream,
                                                 const float *weights, ptrdiff_t multiplier, float *inputGradient,
                                                 float *scratch) {
    PLAIN_OR_AVX2(input_gradient, f32, geometry, upstream, weights, multiplier, inputGradient, scratch)
}

void descent_depthwise_conv2d_input_gradient_f64(const descent_depthwise_geometry *geometry, const double *upstream,
                                                 const double *weights, ptrdiff_t multiplier, double *inputGradient,
                                                 double *scratch) {
    PLAIN_OR_AVX2(input_gradient, f64, geometry, upstream, weights, multiplier, inputGradient, scratch)
}

void descent_depthwise_conv2d_weight_gradient_f32(const descent_depthwise_geometry *geometry, const float *upstream,
                                                  ptrdiff_t upstreamStride, const float *input, ptrdiff_t inputStride,
                                                  ptrdiff_t examples, ptrdiff_t multiplier, float *weightGradient,
                                                  float *scratch) {
    PLAIN_OR_AVX2(weight_gradient, f32, geometry, upstream, upstreamStride, input, inputStride, examples,
                  multiplier, weightGradient, scratch)
}

void descent_depthwise_conv2d_weight_gradient_f64(const descent_depthwise_geometry *geometry, const double *upstream,
                                                  ptrdiff_t upstreamStride, const double *input, ptrdiff_t inputStride,
                                                  ptrdiff_t examples, ptrdiff_t multiplier, double *weightGradient,
                                                  double *scratch) {
    PLAIN_OR_AVX2(weight_gradient, f64, geometry, upstream, upstreamStride, input, inputStride, examples,
                  multiplier, weightGradient, scratch)
}
