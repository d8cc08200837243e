// Micro-kernels and panel packers of the packed matrix multiply (private to this target).
//
// A micro-kernel computes one MR×NR tile of C from a packed micro-panel of A (kc steps of MR
// values: step p of the panel is a[p*MR ..< p*MR+MR]) and one of B (kc steps of NR values),
// then merges it into C: C ← tile + beta·C for the top-left mr×nr corner (mr ≤ MR, nr ≤ NR;
// the packed panels are zero-padded to full size). With beta == 0, C is only written.
//
// The merge is also the epilogue, applied while the tile is still in registers: when `bias` is
// not NULL (nr values, one per column of the tile) it is added after beta·C, and then
// `activation` (a descent_activation) is applied, so that a dense layer's output is written
// once. The driver passes the bias with the first block of the inner dimension only and the
// activation with the last only. The addition rounds as the unfused path did (the output set to
// the bias, then tile + 1·C), and ReLU is x > 0 ? x : 0 (NaN and −0 become +0), so fused and
// unfused results are the same bits.
//
// A panel packer fills one full micro-panel (MR rows of op(A), or NR columns of op(B)) from
// the matrix as stored; the driver packs ragged edge panels itself.
#ifndef DESCENT_GEMM_KERNELS_H
#define DESCENT_GEMM_KERNELS_H

#include <stddef.h>

// 6×16 floats (6×8 doubles) use 12 of the 16 ymm registers for accumulators, 2 for a row of B
// and 1 for a broadcast element of A: 12 independent FMA chains cover the FMA latency on Zen 2
// and Haswell-class cores (2 FMA units × 5 cycles).
#define DESCENT_SGEMM_MR 6
#define DESCENT_SGEMM_NR 16
#define DESCENT_DGEMM_MR 6
#define DESCENT_DGEMM_NR 8
// The AVX-512 float tile (gemm_kernels_avx512.c), with its own instance of the driver.
#define DESCENT_SGEMM512_MR 12
#define DESCENT_SGEMM512_NR 32

/// What the driver runs for one element type: a micro-kernel, plain and with the epilogue (two
/// entry points, so that the products without one, most of them, pay nothing for it), the
/// full-panel packers, and the vector–matrix product (gemv.c) for products with a single row
/// or column.
typedef struct {
    void (*multiply)(ptrdiff_t kc, const float *a, const float *b, float *c, ptrdiff_t ldc,
                     float beta, int mr, int nr);
    void (*multiply_epilogue)(ptrdiff_t kc, const float *a, const float *b, float *c, ptrdiff_t ldc,
                              float beta, int mr, int nr, const float *bias, int activation);
    void (*pack_a)(int transpose, ptrdiff_t kc, const float *a, ptrdiff_t lda, float *dest);
    void (*pack_b)(int transpose, ptrdiff_t kc, const float *b, ptrdiff_t ldb, float *dest);
    void (*gemv)(int transposeM, ptrdiff_t n, ptrdiff_t k, const float *x, ptrdiff_t incx,
                 const float *m, ptrdiff_t ldm, float *c, ptrdiff_t incc, float beta);
    // Packers of a ragged edge panel (mr < MR real rows, nr < NR real columns, zero-padded);
    // NULL where the driver's plain loops serve.
    void (*pack_a_ragged)(int transpose, ptrdiff_t mr, ptrdiff_t kc, const float *a, ptrdiff_t lda, float *dest);
    void (*pack_b_ragged)(int transpose, ptrdiff_t nr, ptrdiff_t kc, const float *b, ptrdiff_t ldb, float *dest);
    // A full-width tile (nr = NR) reading an untransposed B in place, row p at b + p·ldb, with
    // the epilogue; NULL where every B is packed.
    void (*multiply_in_place)(ptrdiff_t kc, const float *a, const float *b, ptrdiff_t ldb, float *c, ptrdiff_t ldc,
                              float beta, int mr, int nr, const float *bias, int activation);
} descent_sgemm_kernels;

typedef struct {
    void (*multiply)(ptrdiff_t kc, const double *a, const double *b, double *c, ptrdiff_t ldc,
                     double beta, int mr, int nr);
    void (*multiply_epilogue)(ptrdiff_t kc, const double *a, const double *b, double *c, ptrdiff_t ldc,
                              double beta, int mr, int nr, const double *bias, int activation);
    void (*pack_a)(int transpose, ptrdiff_t kc, const double *a, ptrdiff_t lda, double *dest);
    void (*pack_b)(int transpose, ptrdiff_t kc, const double *b, ptrdiff_t ldb, double *dest);
    void (*gemv)(int transposeM, ptrdiff_t n, ptrdiff_t k, const double *x, ptrdiff_t incx,
                 const double *m, ptrdiff_t ldm, double *c, ptrdiff_t incc, double beta);
    // Packers of a ragged edge panel (mr < MR real rows, nr < NR real columns, zero-padded);
    // NULL where the driver's plain loops serve.
    void (*pack_a_ragged)(int transpose, ptrdiff_t mr, ptrdiff_t kc, const double *a, ptrdiff_t lda, double *dest);
    void (*pack_b_ragged)(int transpose, ptrdiff_t nr, ptrdiff_t kc, const double *b, ptrdiff_t ldb, double *dest);
    void (*multiply_in_place)(ptrdiff_t kc, const double *a, const double *b, ptrdiff_t ldb, double *c, ptrdiff_t ldc,
                              double beta, int mr, int nr, const double *bias, int activation);
} descent_dgemm_kernels;

void descent_sgemm_kernel_portable(ptrdiff_t kc, const float *a, const float *b, float *c, ptrdiff_t ldc,
                                   float beta, int mr, int nr);
void descent_sgemm_kernel_portable_epilogue(ptrdiff_t kc, const float *a, const float *b, float *c, ptrdiff_t ldc,
                                            float beta, int mr, int nr, const float *bias, int activation);
void descent_dgemm_kernel_portable(ptrdiff_t kc, const double *a, const double *b, double *c, ptrdiff_t ldc,
                                   double beta, int mr, int nr);
void descent_dgemm_kernel_portable_epilogue(ptrdiff_t kc, const double *a, const double *b, double *c, ptrdiff_t ldc,
                                            double beta, int mr, int nr, const double *bias, int activation);

void descent_sgemv_portable(int transposeM, ptrdiff_t n, ptrdiff_t k, const float *x, ptrdiff_t incx,
                            const float *m, ptrdiff_t ldm, float *c, ptrdiff_t incc, float beta);
void descent_dgemv_portable(int transposeM, ptrdiff_t n, ptrdiff_t k, const double *x, ptrdiff_t incx,
                            const double *m, ptrdiff_t ldm, double *c, ptrdiff_t incc, double beta);

#if defined(__x86_64__)
void descent_sgemv_avx2(int transposeM, ptrdiff_t n, ptrdiff_t k, const float *x, ptrdiff_t incx,
                        const float *m, ptrdiff_t ldm, float *c, ptrdiff_t incc, float beta);
void descent_dgemv_avx2(int transposeM, ptrdiff_t n, ptrdiff_t k, const double *x, ptrdiff_t incx,
                        const double *m, ptrdiff_t ldm, double *c, ptrdiff_t incc, double beta);
void descent_sgemv_avx512(int transposeM, ptrdiff_t n, ptrdiff_t k, const float *x, ptrdiff_t incx,
                          const float *m, ptrdiff_t ldm, float *c, ptrdiff_t incc, float beta);
void descent_sgemm_kernel_avx2(ptrdiff_t kc, const float *a, const float *b, float *c, ptrdiff_t ldc,
                               float beta, int mr, int nr);
void descent_sgemm_kernel_avx2_epilogue(ptrdiff_t kc, const float *a, const float *b, float *c, ptrdiff_t ldc,
                                        float beta, int mr, int nr, const float *bias, int activation);
void descent_dgemm_kernel_avx2(ptrdiff_t kc, const double *a, const double *b, double *c, ptrdiff_t ldc,
                               double beta, int mr, int nr);
void descent_dgemm_kernel_avx2_epilogue(ptrdiff_t kc, const double *a, const double *b, double *c, ptrdiff_t ldc,
                                        double beta, int mr, int nr, const double *bias, int activation);
void descent_sgemm_pack_a_avx2(int transpose, ptrdiff_t kc, const float *a, ptrdiff_t lda,
                               float *dest);
void descent_sgemm_pack_b_avx2(int transpose, ptrdiff_t kc, const float *b, ptrdiff_t ldb,
                               float *dest);
void descent_sgemm_kernel_avx512(ptrdiff_t kc, const float *a, const float *b, float *c, ptrdiff_t ldc,
                                 float beta, int mr, int nr);
void descent_sgemm_kernel_avx512_epilogue(ptrdiff_t kc, const float *a, const float *b, float *c, ptrdiff_t ldc,
                                          float beta, int mr, int nr, const float *bias, int activation);
void descent_sgemm_kernel_avx512_in_place(ptrdiff_t kc, const float *a, const float *b, ptrdiff_t ldb, float *c,
                                          ptrdiff_t ldc, float beta, int mr, int nr, const float *bias, int activation);
void descent_sgemm_pack_a_avx512(int transpose, ptrdiff_t kc, const float *a, ptrdiff_t lda,
                                 float *dest);
void descent_sgemm_pack_b_avx512(int transpose, ptrdiff_t kc, const float *b, ptrdiff_t ldb,
                                 float *dest);
void descent_sgemm_pack_a_ragged_avx512(int transpose, ptrdiff_t mr, ptrdiff_t kc, const float *a, ptrdiff_t lda,
                                        float *dest);
void descent_sgemm_pack_b_ragged_avx512(int transpose, ptrdiff_t nr, ptrdiff_t kc, const float *b, ptrdiff_t ldb,
                                        float *dest);
#endif

#if defined(__aarch64__)
void descent_sgemm_kernel_neon(ptrdiff_t kc, const float *a, const float *b, float *c, ptrdiff_t ldc,
                               float beta, int mr, int nr);
void descent_sgemm_kernel_neon_epilogue(ptrdiff_t kc, const float *a, const float *b, float *c, ptrdiff_t ldc,
                                        float beta, int mr, int nr, const float *bias, int activation);
void descent_dgemm_kernel_neon(ptrdiff_t kc, const double *a, const double *b, double *c, ptrdiff_t ldc,
                               double beta, int mr, int nr);
void descent_dgemm_kernel_neon_epilogue(ptrdiff_t kc, const double *a, const double *b, double *c, ptrdiff_t ldc,
                                        double beta, int mr, int nr, const double *bias, int activation);
#endif

// How a micro-kernel's tile function is inlined. Optimized, each call is an inlined copy in
// which the tile's height and its epilogue are constants, so that unused rows and tests vanish.
// Unoptimized (a debug build), every inlined copy keeps its own stack slots for every vector
// temporary: the AVX-512 epilogue kernel's frame was 4.2 MB, which overflows a thread with a
// smaller stack (macOS gives secondary threads 512 KB). There the tile is one function, called
// with its height at run time: slow, as everything is at -O0, and its frame is small.
#if defined(__OPTIMIZE__)
#define DESCENT_TILE_INLINE inline __attribute__((always_inline))
#else
#define DESCENT_TILE_INLINE __attribute__((noinline))
#endif

// The body of an `…_epilogue` entry: calls `heights(kc, a, b, c, ldc, beta, mr, nr, bias,
// activation)` with the bias's presence and the activation as constants the compiler sees, one
// inlined copy per combination, so that the merge tests neither.
#define DESCENT_EPILOGUE_COPIES(heights)                                                            \
    do {                                                                                            \
        int relu = activation == DESCENT_ACTIVATION_RELU;                                           \
        if (bias && relu) {                                                                         \
            heights(kc, a, b, c, ldc, beta, mr, nr, bias, DESCENT_ACTIVATION_RELU);                 \
        } else if (bias) {                                                                          \
            heights(kc, a, b, c, ldc, beta, mr, nr, bias, DESCENT_ACTIVATION_IDENTITY);             \
        } else if (relu) {                                                                          \
            heights(kc, a, b, c, ldc, beta, mr, nr, NULL, DESCENT_ACTIVATION_RELU);                 \
        } else {                                                                                    \
            heights(kc, a, b, c, ldc, beta, mr, nr, NULL, DESCENT_ACTIVATION_IDENTITY);             \
        }                                                                                           \
    } while (0)

#endif
