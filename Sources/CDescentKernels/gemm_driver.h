// The blocked, packed matrix multiply in the GotoBLAS/BLIS style, written once for both element
// types: gemm.c includes this file twice, after defining
//   GEMM_T (element type), GEMM_PREFIX(x) (a unique prefix for its functions), GEMM_MR/GEMM_NR
//   (the micro-tile), GEMM_MC/GEMM_KC/GEMM_NC (the cache blocks) and GEMM_KERNELS (the type of
//   the kernel set, from gemm_kernels.h).
// It defines GEMM_PREFIX(run), the whole multiply with a given kernel set and epilogue, and
// GEMM_PREFIX(pack_a_panel)/GEMM_PREFIX(pack_b_panel), the plain full-panel packers.
//
// Loop nest (outermost first): NC columns of B and C (B block kc×nc packed, lives in L2/L3),
// KC steps of the inner dimension, MC rows of A (A block mc×kc packed, lives in L2), NR-column
// micro-panels of B (kc×NR, lives in L1), MR-row micro-panels of A, one micro-kernel call.
// Packing copies op(A) and op(B) into the exact order the micro-kernel reads them, which also
// absorbs the transposes and the leading dimensions, and zero-pads ragged edges. A product with
// a single row or column skips all this for the kernel set's vector–matrix product.
//
// The epilogue (a bias per column, then an activation) rides on the micro-kernel's merge: the
// bias with the first block of the inner dimension, the activation with the last, so that C is
// written once per block and no pass over it follows. The paths without a micro-kernel start C
// as the bias and finish with one pass for the activation, as the unfused code did.

// Packs MR rows (mr ≤ MR of them real, the rest zero) of op(A) starting at `a`, kc steps long.
static void GEMM_PREFIX(pack_a_ragged)(int transpose, ptrdiff_t mr, ptrdiff_t kc, const GEMM_T *a,
                                       ptrdiff_t lda, GEMM_T *restrict dest) {
    if (!transpose) {
        // op(A)[i][p] = a[i*lda + p]: each row of the panel is contiguous in memory.
        for (ptrdiff_t r = 0; r < mr; r++) {
            const GEMM_T *src = a + r * lda;
            for (ptrdiff_t p = 0; p < kc; p++) dest[p * GEMM_MR + r] = src[p];
        }
    } else {
        // op(A)[i][p] = a[p*lda + i]: each step of the panel is contiguous in memory.
        for (ptrdiff_t p = 0; p < kc; p++) {
            const GEMM_T *src = a + p * lda;
            for (ptrdiff_t r = 0; r < mr; r++) dest[p * GEMM_MR + r] = src[r];
        }
    }
    for (ptrdiff_t r = mr; r < GEMM_MR; r++) {
        for (ptrdiff_t p = 0; p < kc; p++) dest[p * GEMM_MR + r] = 0;
    }
}

// Packs NR columns (nr ≤ NR of them real, the rest zero) of op(B) starting at `b`, kc steps long.
static void GEMM_PREFIX(pack_b_ragged)(int transpose, ptrdiff_t nr, ptrdiff_t kc, const GEMM_T *b,
                                       ptrdiff_t ldb, GEMM_T *restrict dest) {
    if (!transpose) {
        // op(B)[p][j] = b[p*ldb + j]: each step of the panel is contiguous in memory.
        for (ptrdiff_t p = 0; p < kc; p++) {
            const GEMM_T *src = b + p * ldb;
            for (ptrdiff_t j = 0; j < nr; j++) dest[p * GEMM_NR + j] = src[j];
            for (ptrdiff_t j = nr; j < GEMM_NR; j++) dest[p * GEMM_NR + j] = 0;
        }
    } else {
        // op(B)[p][j] = b[j*ldb + p]: each column of the panel is contiguous in memory.
        for (ptrdiff_t j = 0; j < nr; j++) {
            const GEMM_T *src = b + j * ldb;
            for (ptrdiff_t p = 0; p < kc; p++) dest[p * GEMM_NR + j] = src[p];
        }
        for (ptrdiff_t j = nr; j < GEMM_NR; j++) {
            for (ptrdiff_t p = 0; p < kc; p++) dest[p * GEMM_NR + j] = 0;
        }
    }
}

// Full-panel packers for kernel sets without faster ones.
static void GEMM_PREFIX(pack_a_panel)(int transpose, ptrdiff_t kc, const GEMM_T *a, ptrdiff_t lda,
                                      GEMM_T *dest) {
    GEMM_PREFIX(pack_a_ragged)(transpose, GEMM_MR, kc, a, lda, dest);
}

static void GEMM_PREFIX(pack_b_panel)(int transpose, ptrdiff_t kc, const GEMM_T *b, ptrdiff_t ldb,
                                      GEMM_T *dest) {
    GEMM_PREFIX(pack_b_ragged)(transpose, GEMM_NR, kc, b, ldb, dest);
}

// Packs the mc×kc block of op(A) whose top-left element is at `a` into MR-row micro-panels.
static void GEMM_PREFIX(pack_a)(const GEMM_KERNELS *kernels, int transpose, ptrdiff_t mc,
                                ptrdiff_t kc, const GEMM_T *a, ptrdiff_t lda, GEMM_T *dest) {
    for (ptrdiff_t ir = 0; ir < mc; ir += GEMM_MR, dest += GEMM_MR * kc) {
        const GEMM_T *src = transpose ? a + ir : a + ir * lda;
        if (mc - ir >= GEMM_MR) {
            kernels->pack_a(transpose, kc, src, lda, dest);
        } else if (kernels->pack_a_ragged) {
            kernels->pack_a_ragged(transpose, mc - ir, kc, src, lda, dest);
        } else {
            GEMM_PREFIX(pack_a_ragged)(transpose, mc - ir, kc, src, lda, dest);
        }
    }
}

// Packs the NR-column micro-panel of op(B) (ragged if nr < NR) whose top-left element is at `b`.
static void GEMM_PREFIX(pack_b)(const GEMM_KERNELS *kernels, int transpose, ptrdiff_t kc,
                                ptrdiff_t nr, const GEMM_T *b, ptrdiff_t ldb, GEMM_T *dest) {
    if (nr == GEMM_NR) {
        kernels->pack_b(transpose, kc, b, ldb, dest);
    } else if (kernels->pack_b_ragged) {
        kernels->pack_b_ragged(transpose, nr, kc, b, ldb, dest);
    } else {
        GEMM_PREFIX(pack_b_ragged)(transpose, nr, kc, b, ldb, dest);
    }
}

// C ← beta·C, for an empty inner dimension.
static void GEMM_PREFIX(scale)(ptrdiff_t m, ptrdiff_t n, GEMM_T *c, ptrdiff_t ldc, GEMM_T beta) {
    for (ptrdiff_t i = 0; i < m; i++) {
        for (ptrdiff_t j = 0; j < n; j++) c[i * ldc + j] = beta == 0 ? 0 : beta * c[i * ldc + j];
    }
}

// C ← beta·C + bias, where bias has n values (one per column; NULL for none): the start of the
// paths that accumulate onto C with beta 1 instead of merging in a micro-kernel. With beta 0, C
// becomes exactly the bias (no 0 + bias, which would turn a −0 into +0).
static void GEMM_PREFIX(start)(ptrdiff_t m, ptrdiff_t n, GEMM_T *c, ptrdiff_t ldc, GEMM_T beta,
                               const GEMM_T *bias) {
    if (!bias) {
        GEMM_PREFIX(scale)(m, n, c, ldc, beta);
        return;
    }
    for (ptrdiff_t i = 0; i < m; i++) {
        GEMM_T *row = c + i * ldc;
        if (beta == 0) {
            memcpy(row, bias, (size_t)n * sizeof(GEMM_T));
        } else {
            for (ptrdiff_t j = 0; j < n; j++) row[j] = beta * row[j] + bias[j];
        }
    }
}

// The activation applied to C in place, for the paths without a micro-kernel's epilogue.
static void GEMM_PREFIX(activate)(ptrdiff_t m, ptrdiff_t n, GEMM_T *c, ptrdiff_t ldc, int activation) {
    if (activation != DESCENT_ACTIVATION_RELU) return;
    for (ptrdiff_t i = 0; i < m; i++) {
        GEMM_T *row = c + i * ldc;
        for (ptrdiff_t j = 0; j < n; j++) row[j] = row[j] > 0 ? row[j] : 0;
    }
}

// Splits `total` into the fewest blocks of at most `limit`, of nearly equal size rounded up to
// a multiple of `unit`: k = 300 becomes 2×150 rather than 256 + 44.
static ptrdiff_t GEMM_PREFIX(block_size)(ptrdiff_t total, ptrdiff_t limit, ptrdiff_t unit) {
    ptrdiff_t blocks = (total + limit - 1) / limit;
    ptrdiff_t size = (total + blocks - 1) / blocks;
    return (size + unit - 1) / unit * unit;
}

// C ← activation(op(A)·op(B) + beta·C + bias) with the given kernel set, on the calling
// thread; `bias` (NULL for none) has n values, one per column of C.
static void GEMM_PREFIX(run)(const GEMM_KERNELS *kernels, int transposeA, int transposeB,
                             ptrdiff_t m, ptrdiff_t n, ptrdiff_t k, const GEMM_T *a, ptrdiff_t lda,
                             const GEMM_T *b, ptrdiff_t ldb, GEMM_T *c, ptrdiff_t ldc, GEMM_T beta,
                             const GEMM_T *bias, int activation) {
    if (m <= 0 || n <= 0) return;
    if (k <= 0 || m == 1 || n == 1) {
        // Without a bias the vector–matrix product applies beta itself; with one, it accumulates
        // onto C started as beta·C + bias.
        GEMM_T gemvBeta = beta;
        if (bias || k <= 0) {
            GEMM_PREFIX(start)(m, n, c, ldc, beta, bias);
            gemvBeta = 1;
        }
        if (k > 0 && m == 1) {
            // One row: c = op(A)[0, :] · op(B).
            kernels->gemv(transposeB, n, k, a, transposeA ? lda : 1, b, ldb, c, 1, gemvBeta);
        } else if (k > 0) {
            // One column: cᵀ = op(B)[:, 0]ᵀ · op(A)ᵀ, where op(A)ᵀ is transposed unless A was.
            kernels->gemv(!transposeA, m, k, b, transposeB ? 1 : ldb, a, lda, c, ldc, gemvBeta);
        }
        GEMM_PREFIX(activate)(m, n, c, ldc, activation);
        return;
    }
    ptrdiff_t kcMax = GEMM_PREFIX(block_size)(k, GEMM_KC, 1);
    ptrdiff_t mcMax = GEMM_PREFIX(block_size)(m, GEMM_MC, GEMM_MR);
    ptrdiff_t ncMax = GEMM_PREFIX(block_size)(n, GEMM_NC, GEMM_NR);
    // Both packed blocks live in this thread's workspace; A's size is a multiple of 16 elements,
    // so B's block starts on a cache line too.
    size_t sizeA = (size_t)(mcMax * kcMax + 15) / 16 * 16;
    GEMM_T *packedA = descent_workspace((sizeA + (size_t)(ncMax * kcMax)) * sizeof(GEMM_T));
    if (!packedA) {
        // Out of memory for the packed copies: slower, but still the right answer.
        GEMM_PREFIX(start)(m, n, c, ldc, beta, bias);
        for (ptrdiff_t i = 0; i < m; i++) {
            for (ptrdiff_t p = 0; p < k; p++) {
                GEMM_T aip = transposeA ? a[p * lda + i] : a[i * lda + p];
                for (ptrdiff_t j = 0; j < n; j++) {
                    c[i * ldc + j] += aip * (transposeB ? b[j * ldb + p] : b[p * ldb + j]);
                }
            }
        }
        GEMM_PREFIX(activate)(m, n, c, ldc, activation);
        return;
    }
    GEMM_T *packedB = packedA + sizeA;
    // With few rows of A, each micro-panel of B serves few tiles and copying it costs more than
    // reading it where it lies: where the kernel set can (gemm.c chooses where), an untransposed
    // B's full-width panels are read in place (the sums are the same, in the same order) when A
    // has at most two blocks of MC rows. Many rows of A (a weight gradient's 784) reuse each
    // panel enough for the copy, which then stays in L1, to pay.
    int bInPlace = !transposeB && kernels->multiply_in_place && m <= 2 * GEMM_MC;
    for (ptrdiff_t jc = 0; jc < n; jc += ncMax) {
        ptrdiff_t nc = n - jc < ncMax ? n - jc : ncMax;
        for (ptrdiff_t pc = 0; pc < k; pc += kcMax) {
            ptrdiff_t kc = k - pc < kcMax ? k - pc : kcMax;
            // The first block of the inner dimension applies beta and adds the bias; the later
            // ones accumulate; the last applies the activation.
            GEMM_T blockBeta = pc == 0 ? beta : 1;
            const GEMM_T *blockBias = pc == 0 ? bias : NULL;
            int blockActivation = pc + kc == k ? activation : DESCENT_ACTIVATION_IDENTITY;
            for (ptrdiff_t ic = 0; ic < m; ic += mcMax) {
                ptrdiff_t mc = m - ic < mcMax ? m - ic : mcMax;
                GEMM_PREFIX(pack_a)(kernels, transposeA, mc, kc,
                                    transposeA ? a + pc * lda + ic : a + ic * lda + pc, lda, packedA);
                for (ptrdiff_t jr = 0; jr < nc; jr += GEMM_NR) {
                    int nr = (int)(nc - jr < GEMM_NR ? nc - jr : GEMM_NR);
                    ptrdiff_t j = jc + jr;
                    if (bInPlace && nr == GEMM_NR) {
                        for (ptrdiff_t ir = 0; ir < mc; ir += GEMM_MR) {
                            int mr = (int)(mc - ir < GEMM_MR ? mc - ir : GEMM_MR);
                            kernels->multiply_in_place(kc, packedA + ir * kc, b + pc * ldb + j, ldb,
                                                       c + (ic + ir) * ldc + j, ldc, blockBeta, mr, nr,
                                                       blockBias ? blockBias + j : NULL, blockActivation);
                        }
                        continue;
                    }
                    if (ic == 0) {
                        // B is packed one micro-panel at a time, just before its first use:
                        // the copy is still in L1 when the micro-kernel reads it, and when A
                        // fits one block (small batches) B is read from memory exactly once.
                        GEMM_PREFIX(pack_b)(kernels, transposeB, kc, nr,
                                            transposeB ? b + j * ldb + pc : b + pc * ldb + j, ldb,
                                            packedB + jr * kc);
                    }
                    for (ptrdiff_t ir = 0; ir < mc; ir += GEMM_MR) {
                        int mr = (int)(mc - ir < GEMM_MR ? mc - ir : GEMM_MR);
                        GEMM_T *tile = c + (ic + ir) * ldc + jc + jr;
                        if (blockBias || blockActivation != DESCENT_ACTIVATION_IDENTITY) {
                            kernels->multiply_epilogue(kc, packedA + ir * kc, packedB + jr * kc, tile, ldc,
                                                       blockBeta, mr, nr, blockBias ? blockBias + jc + jr : NULL,
                                                       blockActivation);
                        } else {
                            kernels->multiply(kc, packedA + ir * kc, packedB + jr * kc, tile, ldc, blockBeta,
                                              mr, nr);
                        }
                    }
                }
            }
        }
    }
}
