// AVX2 + FMA micro-kernels. Each function carries its own target attribute, so the package
// needs no -march flag; the driver calls them only after checking the CPU at run time.
#include "gemm_kernels.h"
#include "CDescentKernels.h"

#if defined(__x86_64__)
#include <immintrin.h>

#define AVX2 __attribute__((target("avx2,fma")))

// Merges one accumulator row (two vectors, nr valid lanes in all) into a row of C, then the
// epilogue (gemm_kernels.h): + the bias (nr values), then ReLU. max(v, 0) returns its second
// operand when v is NaN and for max(−0, +0), so it is x > 0 ? x : 0, as the scalar edge is.
AVX2 static inline __attribute__((always_inline)) void
merge_row_s(float *c, __m256 low, __m256 high, __m256 beta, int beta_kind, int nr, const float *bias,
            int relu) {
    if (nr == 16) {
        if (beta_kind == 1) {
            low = _mm256_add_ps(low, _mm256_loadu_ps(c));
            high = _mm256_add_ps(high, _mm256_loadu_ps(c + 8));
        } else if (beta_kind == 2) {
            low = _mm256_fmadd_ps(beta, _mm256_loadu_ps(c), low);
            high = _mm256_fmadd_ps(beta, _mm256_loadu_ps(c + 8), high);
        }
        if (bias) {
            low = _mm256_add_ps(low, _mm256_loadu_ps(bias));
            high = _mm256_add_ps(high, _mm256_loadu_ps(bias + 8));
        }
        if (relu) {
            low = _mm256_max_ps(low, _mm256_setzero_ps());
            high = _mm256_max_ps(high, _mm256_setzero_ps());
        }
        _mm256_storeu_ps(c, low);
        _mm256_storeu_ps(c + 8, high);
        return;
    }
    float tile[16];
    _mm256_storeu_ps(tile, low);
    _mm256_storeu_ps(tile + 8, high);
    float b = _mm256_cvtss_f32(beta);
    for (int j = 0; j < nr; j++) {
        float value = beta_kind == 0 ? tile[j] : tile[j] + b * c[j];
        if (bias) value += bias[j];
        if (relu) value = value > 0 ? value : 0;
        c[j] = value;
    }
}

// Row R of one step: an element of A, broadcast, times the step's row of B (b0, b1). Rows at
// or past `rows` (a constant) are compiled away.
#define SGEMM_ROW(R)                                                                                \
    if (rows > R) {                                                                                 \
        __m256 av = _mm256_broadcast_ss(a + R);                                                     \
        c##R##0 = _mm256_fmadd_ps(av, b0, c##R##0);                                                 \
        c##R##1 = _mm256_fmadd_ps(av, b1, c##R##1);                                                 \
    }

// The 6×16 kernel for a tile of `rows` rows (a constant in every call, so the unused rows'
// accumulators and FMAs vanish).
AVX2 static DESCENT_TILE_INLINE void
sgemm_tile(const int rows, ptrdiff_t kc, const float *restrict a, const float *restrict b, float *restrict c,
           ptrdiff_t ldc, float beta, int nr, const float *restrict bias, int activation) {
    __m256 c00 = _mm256_setzero_ps(), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00;
    __m256 c30 = c00, c31 = c00, c40 = c00, c41 = c00, c50 = c00, c51 = c00;
    // The tile of C is needed at the end: start bringing it into cache now.
    for (int r = 0; r < rows; r++) {
        _mm_prefetch((const char *)(c + r * ldc), _MM_HINT_T0);
        _mm_prefetch((const char *)(c + r * ldc + 15), _MM_HINT_T0);
    }
    // One step of the shared dimension per turn: a column of A times a row of B, added into
    // the tile. Not unrolled by hand: built by clang, as SwiftPM builds it, this loop is as fast
    // as one unrolled four times (both at the FMA peak on Zen 4), and gcc's build of the
    // unrolled one was 8 % slower (BENCHMARKS.md, "The AVX2 kernel, one step per turn").
    for (ptrdiff_t p = 0; p < kc; p++) {
        __m256 b0 = _mm256_load_ps(b), b1 = _mm256_load_ps(b + 8);
        SGEMM_ROW(0) SGEMM_ROW(1) SGEMM_ROW(2) SGEMM_ROW(3) SGEMM_ROW(4) SGEMM_ROW(5)
        a += 6;
        b += 16;
    }
    int beta_kind = beta == 0 ? 0 : (beta == 1 ? 1 : 2);
    __m256 vbeta = _mm256_set1_ps(beta);
    int relu = activation == DESCENT_ACTIVATION_RELU;
    merge_row_s(c, c00, c01, vbeta, beta_kind, nr, bias, relu);
    if (rows > 1) merge_row_s(c + ldc, c10, c11, vbeta, beta_kind, nr, bias, relu);
    if (rows > 2) merge_row_s(c + 2 * ldc, c20, c21, vbeta, beta_kind, nr, bias, relu);
    if (rows > 3) merge_row_s(c + 3 * ldc, c30, c31, vbeta, beta_kind, nr, bias, relu);
    if (rows > 4) merge_row_s(c + 4 * ldc, c40, c41, vbeta, beta_kind, nr, bias, relu);
    if (rows > 5) merge_row_s(c + 5 * ldc, c50, c51, vbeta, beta_kind, nr, bias, relu);
}

AVX2 static inline __attribute__((always_inline)) void
sgemm_heights(ptrdiff_t kc, const float *restrict a, const float *restrict b, float *restrict c, ptrdiff_t ldc,
             float beta, int mr, int nr, const float *restrict bias, int activation) {
    // One copy of the loop per height, so that a ragged bottom tile (m = 128 leaves 2 rows)
    // costs its own rows' FMAs, not a full tile's.
    switch (mr) {
    case 6: sgemm_tile(6, kc, a, b, c, ldc, beta, nr, bias, activation); break;
    case 5: sgemm_tile(5, kc, a, b, c, ldc, beta, nr, bias, activation); break;
    case 4: sgemm_tile(4, kc, a, b, c, ldc, beta, nr, bias, activation); break;
    case 3: sgemm_tile(3, kc, a, b, c, ldc, beta, nr, bias, activation); break;
    case 2: sgemm_tile(2, kc, a, b, c, ldc, beta, nr, bias, activation); break;
    default: sgemm_tile(1, kc, a, b, c, ldc, beta, nr, bias, activation); break;
    }
}

AVX2 void descent_sgemm_kernel_avx2(ptrdiff_t kc, const float *restrict a, const float *restrict b,
                                    float *restrict c, ptrdiff_t ldc, float beta, int mr, int nr) {
    sgemm_heights(kc, a, b, c, ldc, beta, mr, nr, NULL, DESCENT_ACTIVATION_IDENTITY);
}

// One copy per epilogue (DESCENT_EPILOGUE_COPIES, gemm_kernels.h).
AVX2 void descent_sgemm_kernel_avx2_epilogue(ptrdiff_t kc, const float *restrict a, const float *restrict b,
                                             float *restrict c, ptrdiff_t ldc, float beta, int mr, int nr,
                                             const float *restrict bias, int activation) {
    DESCENT_EPILOGUE_COPIES(sgemm_heights);
}

AVX2 static inline __attribute__((always_inline)) void
merge_row_d(double *c, __m256d low, __m256d high, __m256d beta, int beta_kind, int nr, const double *bias,
            int relu) {
    if (nr == 8) {
        if (beta_kind == 1) {
            low = _mm256_add_pd(low, _mm256_loadu_pd(c));
            high = _mm256_add_pd(high, _mm256_loadu_pd(c + 4));
        } else if (beta_kind == 2) {
            low = _mm256_fmadd_pd(beta, _mm256_loadu_pd(c), low);
            high = _mm256_fmadd_pd(beta, _mm256_loadu_pd(c + 4), high);
        }
        if (bias) {
            low = _mm256_add_pd(low, _mm256_loadu_pd(bias));
            high = _mm256_add_pd(high, _mm256_loadu_pd(bias + 4));
        }
        if (relu) {
            low = _mm256_max_pd(low, _mm256_setzero_pd());
            high = _mm256_max_pd(high, _mm256_setzero_pd());
        }
        _mm256_storeu_pd(c, low);
        _mm256_storeu_pd(c + 4, high);
        return;
    }
    double tile[8];
    _mm256_storeu_pd(tile, low);
    _mm256_storeu_pd(tile + 4, high);
    double b = _mm256_cvtsd_f64(beta);
    for (int j = 0; j < nr; j++) {
        double value = beta_kind == 0 ? tile[j] : tile[j] + b * c[j];
        if (bias) value += bias[j];
        if (relu) value = value > 0 ? value : 0;
        c[j] = value;
    }
}

// Row R of one step: an element of A, broadcast, times the step's row of B (b0, b1). Rows at
// or past `rows` (a constant) are compiled away.
#define DGEMM_ROW(R)                                                                                \
    if (rows > R) {                                                                                 \
        __m256d av = _mm256_broadcast_sd(a + R);                                                    \
        c##R##0 = _mm256_fmadd_pd(av, b0, c##R##0);                                                 \
        c##R##1 = _mm256_fmadd_pd(av, b1, c##R##1);                                                 \
    }

AVX2 static DESCENT_TILE_INLINE void
dgemm_tile(const int rows, ptrdiff_t kc, const double *restrict a, const double *restrict b, double *restrict c,
           ptrdiff_t ldc, double beta, int nr, const double *restrict bias, int activation) {
    __m256d c00 = _mm256_setzero_pd(), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00;
    __m256d c30 = c00, c31 = c00, c40 = c00, c41 = c00, c50 = c00, c51 = c00;
    for (int r = 0; r < rows; r++) {
        _mm_prefetch((const char *)(c + r * ldc), _MM_HINT_T0);
        _mm_prefetch((const char *)(c + r * ldc + 7), _MM_HINT_T0);
    }
    // One step per turn, as in sgemm_tile.
    for (ptrdiff_t p = 0; p < kc; p++) {
        __m256d b0 = _mm256_load_pd(b), b1 = _mm256_load_pd(b + 4);
        DGEMM_ROW(0) DGEMM_ROW(1) DGEMM_ROW(2) DGEMM_ROW(3) DGEMM_ROW(4) DGEMM_ROW(5)
        a += 6;
        b += 8;
    }
    int beta_kind = beta == 0 ? 0 : (beta == 1 ? 1 : 2);
    __m256d vbeta = _mm256_set1_pd(beta);
    int relu = activation == DESCENT_ACTIVATION_RELU;
    merge_row_d(c, c00, c01, vbeta, beta_kind, nr, bias, relu);
    if (rows > 1) merge_row_d(c + ldc, c10, c11, vbeta, beta_kind, nr, bias, relu);
    if (rows > 2) merge_row_d(c + 2 * ldc, c20, c21, vbeta, beta_kind, nr, bias, relu);
    if (rows > 3) merge_row_d(c + 3 * ldc, c30, c31, vbeta, beta_kind, nr, bias, relu);
    if (rows > 4) merge_row_d(c + 4 * ldc, c40, c41, vbeta, beta_kind, nr, bias, relu);
    if (rows > 5) merge_row_d(c + 5 * ldc, c50, c51, vbeta, beta_kind, nr, bias, relu);
}

AVX2 static inline __attribute__((always_inline)) void
dgemm_heights(ptrdiff_t kc, const double *restrict a, const double *restrict b, double *restrict c, ptrdiff_t ldc,
             double beta, int mr, int nr, const double *restrict bias, int activation) {
    // One copy of the loop per height, so that a ragged bottom tile (m = 128 leaves 2 rows)
    // costs its own rows' FMAs, not a full tile's.
    switch (mr) {
    case 6: dgemm_tile(6, kc, a, b, c, ldc, beta, nr, bias, activation); break;
    case 5: dgemm_tile(5, kc, a, b, c, ldc, beta, nr, bias, activation); break;
    case 4: dgemm_tile(4, kc, a, b, c, ldc, beta, nr, bias, activation); break;
    case 3: dgemm_tile(3, kc, a, b, c, ldc, beta, nr, bias, activation); break;
    case 2: dgemm_tile(2, kc, a, b, c, ldc, beta, nr, bias, activation); break;
    default: dgemm_tile(1, kc, a, b, c, ldc, beta, nr, bias, activation); break;
    }
}

AVX2 void descent_dgemm_kernel_avx2(ptrdiff_t kc, const double *restrict a, const double *restrict b,
                                    double *restrict c, ptrdiff_t ldc, double beta, int mr, int nr) {
    dgemm_heights(kc, a, b, c, ldc, beta, mr, nr, NULL, DESCENT_ACTIVATION_IDENTITY);
}

// One copy per epilogue (DESCENT_EPILOGUE_COPIES, gemm_kernels.h).
AVX2 void descent_dgemm_kernel_avx2_epilogue(ptrdiff_t kc, const double *restrict a, const double *restrict b,
                                             double *restrict c, ptrdiff_t ldc, double beta, int mr, int nr,
                                             const double *restrict bias, int activation) {
    DESCENT_EPILOGUE_COPIES(dgemm_heights);
}

#endif
