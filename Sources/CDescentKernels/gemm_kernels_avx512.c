// AVX-512 micro-kernel and packers for float32, for CPUs with AVX-512F (Intel Xeon since
// Skylake-SP, AMD Zen 4). The tile is 12×32: 24 of the 32 zmm registers hold the accumulators,
// 2 a row of B and 1 a broadcast element of A — twice the AVX2 kernel's work per loaded
// element of A, and half its instructions. The driver (gemm.c) is instantiated for this tile on
// its own, since the packed panels' layout follows the tile.
#include "gemm_kernels.h"
#include "gemm_transpose.h"
#include "CDescentKernels.h"

#if defined(__x86_64__)
#include <immintrin.h>

#define AVX512 __attribute__((target("avx512f,fma")))

// The lanes of a 32-wide row that are inside C: nr of them.
AVX512 static inline void row_masks(int nr, __mmask16 *low, __mmask16 *high) {
    *low = nr >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << nr) - 1);
    *high = nr >= 32 ? (__mmask16)0xFFFF : nr > 16 ? (__mmask16)((1u << (nr - 16)) - 1) : 0;
}

// Merges one accumulator row into a row of C, on the lanes inside C only: tile (beta 0),
// tile + C (beta 1) or tile + beta·C; then the epilogue (gemm_kernels.h): + the bias, then ReLU.
// max(v, 0) returns its second operand when v is NaN and for max(−0, +0), so it is x > 0 ? x : 0.
AVX512 static inline __attribute__((always_inline)) void
merge_row(float *c, __m512 low, __m512 high, __m512 beta, int beta_kind, __mmask16 lowMask,
          __mmask16 highMask, const float *bias, __m512 biasLow, __m512 biasHigh, int relu) {
    if (beta_kind == 1) {
        low = _mm512_add_ps(low, _mm512_maskz_loadu_ps(lowMask, c));
        high = _mm512_add_ps(high, _mm512_maskz_loadu_ps(highMask, c + 16));
    } else if (beta_kind == 2) {
        low = _mm512_fmadd_ps(beta, _mm512_maskz_loadu_ps(lowMask, c), low);
        high = _mm512_fmadd_ps(beta, _mm512_maskz_loadu_ps(highMask, c + 16), high);
    }
    if (bias) {
        low = _mm512_add_ps(low, biasLow);
        high = _mm512_add_ps(high, biasHigh);
    }
    if (relu) {
        low = _mm512_max_ps(low, _mm512_setzero_ps());
        high = _mm512_max_ps(high, _mm512_setzero_ps());
    }
    _mm512_mask_storeu_ps(c, lowMask, low);
    _mm512_mask_storeu_ps(c + 16, highMask, high);
}

// Row R of one step: element R of the step's column of A, broadcast, times the step's row of B.
// Rows at or past `rows` (a constant) are compiled away.
// With `halves` 1 (a constant), only the left 16 columns: see `narrow`.
#define ROW(R)                                                                                      \
    if (rows > R) {                                                                                 \
        __m512 av = _mm512_set1_ps(a[R]);                                                           \
        c##R##0 = _mm512_fmadd_ps(av, b0, c##R##0);                                                 \
        if (halves > 1) c##R##1 = _mm512_fmadd_ps(av, b1, c##R##1);                                 \
    }

#define MERGE(R)                                                                                    \
    if (rows > R) merge_row(c + R * ldc, c##R##0, c##R##1, vbeta, beta_kind, lowMask, highMask, bias,      \
                            biasLow, biasHigh, relu);

// Row p of the tile's B is at b + p·ldb: the packed micro-panel's NR, or a row-major B's own
// leading dimension where B is read in place (descent_sgemm_kernel_avx512_in_place).
AVX512 static DESCENT_TILE_INLINE void
tile(const int rows, const int halves, ptrdiff_t kc, const float *restrict a, const float *restrict b, ptrdiff_t ldb,
     float *restrict c, ptrdiff_t ldc, float beta, int nr, const float *restrict bias, int activation) {
    __m512 c00 = _mm512_setzero_ps(), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00;
    __m512 c30 = c00, c31 = c00, c40 = c00, c41 = c00, c50 = c00, c51 = c00;
    __m512 c60 = c00, c61 = c00, c70 = c00, c71 = c00, c80 = c00, c81 = c00;
    __m512 c90 = c00, c91 = c00, c100 = c00, c101 = c00, c110 = c00, c111 = c00;
    // The tile of C is needed at the end: start bringing it into L2 now, behind the FMAs (as the
    // AVX2 kernel does). A row of 32 floats is 128 bytes, which touch up to three cache lines
    // when the row does not start on one: its first, middle and last element cover them. A
    // prefetch never faults, so reaching past a ragged tile's last column is harmless.
    for (int r = 0; r < rows; r++) {
        _mm_prefetch((const char *)(c + r * ldc), _MM_HINT_T1);
        if (halves > 1) _mm_prefetch((const char *)(c + r * ldc + 16), _MM_HINT_T1);
        _mm_prefetch((const char *)(c + r * ldc + 16 * halves - 1), _MM_HINT_T1);
    }
    for (ptrdiff_t p = 0; p < kc; p++) {
        __m512 b0 = _mm512_loadu_ps(b), b1 = halves > 1 ? _mm512_loadu_ps(b + 16) : b0;
        ROW(0) ROW(1) ROW(2) ROW(3) ROW(4) ROW(5) ROW(6) ROW(7) ROW(8) ROW(9) ROW(10) ROW(11)
        a += DESCENT_SGEMM512_MR;
        b += ldb;
    }
    int beta_kind = beta == 0 ? 0 : (beta == 1 ? 1 : 2);
    __m512 vbeta = _mm512_set1_ps(beta);
    __mmask16 lowMask, highMask;
    row_masks(nr, &lowMask, &highMask);
    // The bias is the same for every row: loaded once, only the lanes inside C.
    __m512 biasLow = _mm512_setzero_ps(), biasHigh = biasLow;
    if (bias) {
        biasLow = _mm512_maskz_loadu_ps(lowMask, bias);
        biasHigh = _mm512_maskz_loadu_ps(highMask, bias + 16);
    }
    int relu = activation == DESCENT_ACTIVATION_RELU;
    MERGE(0) MERGE(1) MERGE(2) MERGE(3) MERGE(4) MERGE(5) MERGE(6) MERGE(7) MERGE(8) MERGE(9)
    MERGE(10) MERGE(11)
}

// One copy of the loop per height, so that a ragged bottom tile costs its own rows' FMAs.
#define HEIGHTS(halves)                                                                             \
    switch (mr) {                                                                                   \
    case 12: tile(12, halves, kc, a, b, ldb, c, ldc, beta, nr, bias, activation); break;            \
    case 11: tile(11, halves, kc, a, b, ldb, c, ldc, beta, nr, bias, activation); break;            \
    case 10: tile(10, halves, kc, a, b, ldb, c, ldc, beta, nr, bias, activation); break;            \
    case 9: tile(9, halves, kc, a, b, ldb, c, ldc, beta, nr, bias, activation); break;              \
    case 8: tile(8, halves, kc, a, b, ldb, c, ldc, beta, nr, bias, activation); break;              \
    case 7: tile(7, halves, kc, a, b, ldb, c, ldc, beta, nr, bias, activation); break;              \
    case 6: tile(6, halves, kc, a, b, ldb, c, ldc, beta, nr, bias, activation); break;              \
    case 5: tile(5, halves, kc, a, b, ldb, c, ldc, beta, nr, bias, activation); break;              \
    case 4: tile(4, halves, kc, a, b, ldb, c, ldc, beta, nr, bias, activation); break;              \
    case 3: tile(3, halves, kc, a, b, ldb, c, ldc, beta, nr, bias, activation); break;              \
    case 2: tile(2, halves, kc, a, b, ldb, c, ldc, beta, nr, bias, activation); break;              \
    default: tile(1, halves, kc, a, b, ldb, c, ldc, beta, nr, bias, activation); break;             \
    }

AVX512 static inline __attribute__((always_inline)) void
heights(ptrdiff_t kc, const float *restrict a, const float *restrict b, ptrdiff_t ldb, float *restrict c, ptrdiff_t ldc,
        float beta, int mr, int nr, const float *restrict bias, int activation) {
    HEIGHTS(2)
}

// A tile whose C is at most 16 columns wide (the ragged last panel of a product, such as
// Winograd's chunks that leave 8 of a panel's 32 columns used, or a classifier's 10 outputs)
// computes those 16 only: half the FMAs of the full tile, whose right half would be thrown away.
AVX512 static inline __attribute__((always_inline)) void
narrow(ptrdiff_t kc, const float *restrict a, const float *restrict b, ptrdiff_t ldb, float *restrict c, ptrdiff_t ldc,
       float beta, int mr, int nr, const float *restrict bias, int activation) {
    HEIGHTS(1)
}

AVX512 void descent_sgemm_kernel_avx512(ptrdiff_t kc, const float *restrict a, const float *restrict b,
                                        float *restrict c, ptrdiff_t ldc, float beta, int mr, int nr) {
    if (nr <= 16) {
        narrow(kc, a, b, DESCENT_SGEMM512_NR, c, ldc, beta, mr, nr, NULL, DESCENT_ACTIVATION_IDENTITY);
    } else {
        heights(kc, a, b, DESCENT_SGEMM512_NR, c, ldc, beta, mr, nr, NULL, DESCENT_ACTIVATION_IDENTITY);
    }
}

// The epilogue copies' calls (DESCENT_EPILOGUE_COPIES), B packed or read in place with the
// caller's `ldb`.
#define HEIGHTS_PACKED(kc, a, b, ...) heights(kc, a, b, DESCENT_SGEMM512_NR, __VA_ARGS__)
#define NARROW_PACKED(kc, a, b, ...) narrow(kc, a, b, DESCENT_SGEMM512_NR, __VA_ARGS__)
#define HEIGHTS_IN_PLACE(kc, a, b, ...) heights(kc, a, b, ldb, __VA_ARGS__)

// One copy per epilogue (DESCENT_EPILOGUE_COPIES, gemm_kernels.h), full width and narrow, each
// width a function of its own: a dense layer's bias goes through here, and a layer of 10
// outputs is one narrow panel.
AVX512 static __attribute__((noinline)) void
epilogue_full(ptrdiff_t kc, const float *restrict a, const float *restrict b, float *restrict c, ptrdiff_t ldc,
              float beta, int mr, int nr, const float *restrict bias, int activation) {
    DESCENT_EPILOGUE_COPIES(HEIGHTS_PACKED);
}

AVX512 static __attribute__((noinline)) void
epilogue_narrow(ptrdiff_t kc, const float *restrict a, const float *restrict b, float *restrict c, ptrdiff_t ldc,
                float beta, int mr, int nr, const float *restrict bias, int activation) {
    DESCENT_EPILOGUE_COPIES(NARROW_PACKED);
}

// A full-width tile (nr = 32) whose B is read where it lies, row-major with leading dimension
// ldb, instead of from a packed micro-panel, with the epilogue. With few rows of A each B panel
// serves few tiles, and copying it cost more than the strided reads: on one Zen 4 core, an
// im2col convolution's forward product (64 filters × 576 positions, 288 deep) ran 9 % faster,
// a dense layer's input gradient (128×512·512×512) 5 %. The sums are the same, in the same order.
// gemm.c uses it where it was measured to pay (Zen 4).
AVX512 void descent_sgemm_kernel_avx512_in_place(ptrdiff_t kc, const float *restrict a, const float *restrict b,
                                                 ptrdiff_t ldb, float *restrict c, ptrdiff_t ldc, float beta,
                                                 int mr, int nr, const float *restrict bias, int activation) {
    DESCENT_EPILOGUE_COPIES(HEIGHTS_IN_PLACE);
}

AVX512 void descent_sgemm_kernel_avx512_epilogue(ptrdiff_t kc, const float *restrict a, const float *restrict b,
                                                 float *restrict c, ptrdiff_t ldc, float beta, int mr, int nr,
                                                 const float *restrict bias, int activation) {
    if (nr <= 16) {
        epilogue_narrow(kc, a, b, c, ldc, beta, mr, nr, bias, activation);
    } else {
        epilogue_full(kc, a, b, c, ldc, beta, mr, nr, bias, activation);
    }
}

// A 12-row micro-panel of op(A) with `rows` real rows (the rest zero). Untransposed, the rows
// are contiguous: 8×8 transposes, eight steps at a time (rows 0–7, then rows 8–11 with four
// zero rows), a missing row a zero vector; transposed, each step's values are contiguous: one
// masked load.
AVX512 static inline __attribute__((always_inline)) void
pack_a_rows(int transpose, const int rows, ptrdiff_t kc, const float *a, ptrdiff_t lda, float *restrict dest) {
    enum { MR = DESCENT_SGEMM512_MR };
    ptrdiff_t p = 0;
    if (!transpose) {
        for (; p + 8 <= kc; p += 8) {
            __m256 r[8];
            for (int i = 0; i < 8; i++) r[i] = i < rows ? _mm256_loadu_ps(a + i * lda + p) : _mm256_setzero_ps();
            transpose8x8(r);
            for (int q = 0; q < 8; q++) _mm256_storeu_ps(dest + (p + q) * MR, r[q]);
            for (int i = 0; i < 8; i++) {
                r[i] = i < 4 && 8 + i < rows ? _mm256_loadu_ps(a + (8 + i) * lda + p) : _mm256_setzero_ps();
            }
            transpose8x8(r);
            for (int q = 0; q < 8; q++) _mm_storeu_ps(dest + (p + q) * MR + 8, _mm256_castps256_ps128(r[q]));
        }
        for (; p < kc; p++) {
            for (int i = 0; i < MR; i++) dest[p * MR + i] = i < rows ? a[i * lda + p] : 0.0f;
        }
    } else {
        __mmask16 real = (__mmask16)((1u << rows) - 1);
        for (; p < kc; p++) {
            __m512 step = _mm512_maskz_loadu_ps(real, a + p * lda);
            _mm256_storeu_ps(dest + p * MR, _mm512_castps512_ps256(step));
            _mm_storeu_ps(dest + p * MR + 8, _mm512_extractf32x4_ps(step, 2));
        }
    }
}

AVX512 void descent_sgemm_pack_a_avx512(int transpose, ptrdiff_t kc, const float *a, ptrdiff_t lda,
                                        float *restrict dest) {
    pack_a_rows(transpose, DESCENT_SGEMM512_MR, kc, a, lda, dest);
}

AVX512 void descent_sgemm_pack_a_ragged_avx512(int transpose, ptrdiff_t mr, ptrdiff_t kc, const float *a,
                                               ptrdiff_t lda, float *restrict dest) {
    pack_a_rows(transpose, (int)mr, kc, a, lda, dest);
}

// A 32-column micro-panel of op(B) with `columns` real columns (the rest zero). Untransposed,
// each step is contiguous: two masked loads; transposed, each column is contiguous: four 8×8
// transposes per eight steps, a missing column a zero vector.
AVX512 static inline __attribute__((always_inline)) void
pack_b_columns(int transpose, const int columns, ptrdiff_t kc, const float *b, ptrdiff_t ldb,
               float *restrict dest) {
    enum { NR = DESCENT_SGEMM512_NR };
    ptrdiff_t p = 0;
    if (!transpose) {
        __mmask16 low = (__mmask16)(columns >= 16 ? 0xFFFF : (1u << columns) - 1);
        __mmask16 high = (__mmask16)(columns >= 32 ? 0xFFFF : columns > 16 ? (1u << (columns - 16)) - 1 : 0);
        for (; p < kc; p++) {
            _mm512_store_ps(dest + p * NR, _mm512_maskz_loadu_ps(low, b + p * ldb));
            _mm512_store_ps(dest + p * NR + 16, _mm512_maskz_loadu_ps(high, b + p * ldb + 16));
        }
        return;
    }
    for (; p + 8 <= kc; p += 8) {
        for (int quarter = 0; quarter < 4; quarter++) {
            __m256 r[8];
            for (int j = 0; j < 8; j++) {
                int column = quarter * 8 + j;
                r[j] = column < columns ? _mm256_loadu_ps(b + column * ldb + p) : _mm256_setzero_ps();
            }
            transpose8x8(r);
            for (int q = 0; q < 8; q++) _mm256_store_ps(dest + (p + q) * NR + quarter * 8, r[q]);
        }
    }
    for (; p < kc; p++) {
        for (int j = 0; j < NR; j++) dest[p * NR + j] = j < columns ? b[j * ldb + p] : 0.0f;
    }
}

AVX512 void descent_sgemm_pack_b_avx512(int transpose, ptrdiff_t kc, const float *b, ptrdiff_t ldb,
                                        float *restrict dest) {
    pack_b_columns(transpose, DESCENT_SGEMM512_NR, kc, b, ldb, dest);
}

AVX512 void descent_sgemm_pack_b_ragged_avx512(int transpose, ptrdiff_t nr, ptrdiff_t kc, const float *b,
                                               ptrdiff_t ldb, float *restrict dest) {
    pack_b_columns(transpose, (int)nr, kc, b, ldb, dest);
}

#endif
