// Checks the C kernels of CDescentKernels against plain reference loops, on whatever CPU this is
// compiled for: natively (the AVX2 kernels where the CPU has them, and the portable ones), and
// cross-compiled for ARM64 under qemu-user (the NEON kernels), by Tests/CKernels/run.sh.
//
// It also prints a digest of the counter-based random streams: they must be the same numbers on
// every CPU, so run.sh compares the native and the emulated digests.
#include "CDescentKernels.h"
#include "gemm_kernels.h"

#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int failures = 0, checks = 0;

static void expect(int ok, const char *what) {
    checks++;
    if (!ok) {
        failures++;
        if (failures <= 20) printf("FAIL: %s\n", what);
    }
}

// A small deterministic generator for inputs (not the kernels' own).
static uint64_t state = 0x9E3779B97F4A7C15ull;
static double next_uniform(void) {
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    return (double)(state >> 11) / 9007199254740992.0 * 2 - 1;  // [-1, 1)
}

typedef void (*sgemm_fn)(int, int, ptrdiff_t, ptrdiff_t, ptrdiff_t, const float *, ptrdiff_t,
                         const float *, ptrdiff_t, float *, ptrdiff_t, float);
typedef void (*dgemm_fn)(int, int, ptrdiff_t, ptrdiff_t, ptrdiff_t, const double *, ptrdiff_t,
                         const double *, ptrdiff_t, double *, ptrdiff_t, double);

// C ← op(A)·op(B) + beta·C in both precisions, against a double-precision reference, for one
// shape: every micro-tile edge (m, n not multiples of the tile), k across a cache block, both
// transposes, beta 0 (C holds NaN, which must not leak), 1 and 0.5, and padded leading dimensions.
static void check_gemm(const char *name, sgemm_fn sgemm, dgemm_fn dgemm, ptrdiff_t m, ptrdiff_t n,
                       ptrdiff_t k, int ta, int tb, double beta) {
    ptrdiff_t lda = (ta ? m : k) + 3, ldb = (tb ? k : n) + 2, ldc = n + 5;
    ptrdiff_t rowsA = ta ? k : m, rowsB = tb ? n : k;
    double *a = malloc(sizeof(double) * rowsA * lda), *b = malloc(sizeof(double) * rowsB * ldb);
    double *c0 = malloc(sizeof(double) * m * ldc), *expected = malloc(sizeof(double) * m * ldc);
    float *af = malloc(sizeof(float) * rowsA * lda), *bf = malloc(sizeof(float) * rowsB * ldb);
    float *cf = malloc(sizeof(float) * m * ldc);
    double *cd = malloc(sizeof(double) * m * ldc);
    for (ptrdiff_t i = 0; i < rowsA * lda; i++) af[i] = (float)(a[i] = next_uniform());
    for (ptrdiff_t i = 0; i < rowsB * ldb; i++) bf[i] = (float)(b[i] = next_uniform());
    for (ptrdiff_t i = 0; i < m * ldc; i++) c0[i] = next_uniform();
    for (ptrdiff_t i = 0; i < m; i++) {
        for (ptrdiff_t j = 0; j < n; j++) {
            double sum = 0;
            for (ptrdiff_t p = 0; p < k; p++) {
                sum += (ta ? a[p * lda + i] : a[i * lda + p]) * (tb ? b[j * ldb + p] : b[p * ldb + j]);
            }
            expected[i * ldc + j] = sum + (beta == 0 ? 0 : beta * c0[i * ldc + j]);
        }
    }
    for (ptrdiff_t i = 0; i < m * ldc; i++) {
        cf[i] = beta == 0 ? NAN : (float)c0[i];
        cd[i] = beta == 0 ? NAN : c0[i];
    }
    sgemm(ta, tb, m, n, k, af, lda, bf, ldb, cf, ldc, (float)beta);
    dgemm(ta, tb, m, n, k, a, lda, b, ldb, cd, ldc, beta);
    double worstF = 0, worstD = 0;
    for (ptrdiff_t i = 0; i < m; i++) {
        for (ptrdiff_t j = 0; j < n; j++) {
            double e = expected[i * ldc + j];
            double df = fabs(cf[i * ldc + j] - e), dd = fabs(cd[i * ldc + j] - e);
            if (!(df <= worstF)) worstF = isnan(df) ? INFINITY : df;
            if (!(dd <= worstD)) worstD = isnan(dd) ? INFINITY : dd;
        }
    }
    // Sums of k products of numbers below 1: float rounding grows with √k at worst about k·ε.
    char what[160];
    snprintf(what, sizeof what, "%s sgemm %tdx%tdx%td ta=%d tb=%d beta=%g: error %g", name, m, n, k, ta, tb,
             beta, worstF);
    expect(worstF <= 1e-6 * (k + 4), what);
    snprintf(what, sizeof what, "%s dgemm %tdx%tdx%td ta=%d tb=%d beta=%g: error %g", name, m, n, k, ta, tb,
             beta, worstD);
    expect(worstD <= 1e-14 * (k + 4), what);
    // Padding columns of C are never written.
    int untouched = 1;
    for (ptrdiff_t i = 0; i < m; i++) {
        for (ptrdiff_t j = n; j < ldc; j++) {
            int nanF = isnan(cf[i * ldc + j]) && beta == 0;
            if (!nanF && cf[i * ldc + j] != (float)c0[i * ldc + j]) untouched = 0;
        }
    }
    snprintf(what, sizeof what, "%s gemm %tdx%tdx%td writes only its columns", name, m, n, k);
    expect(untouched, what);
    free(a); free(b); free(c0); free(expected); free(af); free(bf); free(cf); free(cd);
}

static void check_all_gemm(const char *name, sgemm_fn sgemm, dgemm_fn dgemm) {
    const ptrdiff_t sizes[][3] = {{1, 1, 1}, {1, 37, 19}, {29, 1, 23}, {6, 16, 8}, {7, 17, 5},
                                  {13, 33, 300}, {64, 48, 400}, {100, 70, 35}, {5, 3, 1000}, {97, 129, 64}};
    const double betas[] = {0, 1, 0.5};
    for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
        for (int ta = 0; ta < 2; ta++) {
            for (int tb = 0; tb < 2; tb++) {
                for (int bi = 0; bi < 3; bi++) {
                    check_gemm(name, sgemm, dgemm, sizes[s][0], sizes[s][1], sizes[s][2], ta, tb, betas[bi]);
                }
            }
        }
    }
}

// The fused epilogue, C ← activation(op(A)·op(B) + bias), of one variant in one precision:
// (1) the same bits as the unfused path of the same variant (C set to the bias, the product
// accumulated with beta 1, then a separate ReLU pass x > 0 ? x : 0); (2) close to a
// double-precision reference; (3) C's padding columns untouched. Row 0 of A holds a NaN, so
// that row's sums are NaN, which ReLU turns into 0 on both paths.
#define DEFINE_CHECK_FUSED(NAME, T, FUSED, TOLERANCE)                                               \
    static void NAME(const char *name, int variant, ptrdiff_t m, ptrdiff_t n, ptrdiff_t k, int ta,  \
                     int tb, int withBias, int activation) {                                        \
        ptrdiff_t lda = (ta ? m : k) + 3, ldb = (tb ? k : n) + 2, ldc = n + 5;                      \
        ptrdiff_t rowsA = ta ? k : m, rowsB = tb ? n : k;                                           \
        T *a = malloc(sizeof(T) * rowsA * lda), *b = malloc(sizeof(T) * rowsB * ldb);               \
        T *bias = malloc(sizeof(T) * n), *fused = malloc(sizeof(T) * m * ldc);                      \
        T *unfused = malloc(sizeof(T) * m * ldc);                                                   \
        for (ptrdiff_t i = 0; i < rowsA * lda; i++) a[i] = (T)next_uniform();                       \
        for (ptrdiff_t i = 0; i < rowsB * ldb; i++) b[i] = (T)next_uniform();                       \
        for (ptrdiff_t j = 0; j < n; j++) bias[j] = (T)next_uniform();                              \
        if (m > 1) a[0] = (T)NAN; /* op(A)[0][0] or [0][0]: row 0 of op(A) either way */            \
        for (ptrdiff_t i = 0; i < m * ldc; i++) fused[i] = unfused[i] = (T)NAN;                     \
        const T *useBias = withBias ? bias : NULL;                                                  \
        FUSED(variant, ta, tb, m, n, k, a, lda, b, ldb, fused, ldc, 0, useBias, activation);        \
        for (ptrdiff_t i = 0; i < m; i++) {                                                         \
            for (ptrdiff_t j = 0; j < n; j++) unfused[i * ldc + j] = withBias ? bias[j] : 0;        \
        }                                                                                           \
        FUSED(variant, ta, tb, m, n, k, a, lda, b, ldb, unfused, ldc, 1, NULL,                      \
              DESCENT_ACTIVATION_IDENTITY);                                                         \
        if (activation == DESCENT_ACTIVATION_RELU) {                                                \
            for (ptrdiff_t i = 0; i < m; i++) {                                                     \
                for (ptrdiff_t j = 0; j < n; j++) {                                                 \
                    T v = unfused[i * ldc + j];                                                     \
                    unfused[i * ldc + j] = v > 0 ? v : 0;                                           \
                }                                                                                   \
            }                                                                                       \
        }                                                                                           \
        int same = 1, untouched = 1;                                                                \
        double worst = 0;                                                                           \
        for (ptrdiff_t i = 0; i < m; i++) {                                                         \
            for (ptrdiff_t j = 0; j < n; j++) {                                                     \
                T f = fused[i * ldc + j], u = unfused[i * ldc + j];                                 \
                if (memcmp(&f, &u, sizeof f) != 0 && !(isnan(f) && isnan(u))) same = 0;            \
                if (i == 0 && m > 1) continue;                                                      \
                double sum = withBias ? bias[j] : 0;                                                \
                for (ptrdiff_t p = 0; p < k; p++) {                                                 \
                    sum += (double)(ta ? a[p * lda + i] : a[i * lda + p])                           \
                           * (tb ? b[j * ldb + p] : b[p * ldb + j]);                                \
                }                                                                                   \
                if (activation == DESCENT_ACTIVATION_RELU) sum = sum > 0 ? sum : 0;                 \
                double error = fabs(f - sum);                                                       \
                if (!(error <= worst)) worst = isnan(error) ? INFINITY : error;                     \
            }                                                                                       \
            for (ptrdiff_t j = n; j < ldc; j++) {                                                   \
                if (!isnan(fused[i * ldc + j])) untouched = 0;                                      \
            }                                                                                       \
        }                                                                                           \
        if (m > 1 && activation == DESCENT_ACTIVATION_RELU) {                                       \
            for (ptrdiff_t j = 0; j < n; j++) {                                                     \
                if (fused[j] != 0 || signbit(fused[j])) same = 0; /* NaN row → +0 */                \
            }                                                                                       \
        }                                                                                           \
        char what[200];                                                                             \
        snprintf(what, sizeof what, "%s %s %tdx%tdx%td ta=%d tb=%d bias=%d relu=%d: fused = unfused", \
                 name, #T, m, n, k, ta, tb, withBias, activation);                                  \
        expect(same, what);                                                                         \
        snprintf(what, sizeof what, "%s %s %tdx%tdx%td ta=%d tb=%d bias=%d relu=%d: error %g",      \
                 name, #T, m, n, k, ta, tb, withBias, activation, worst);                           \
        expect(worst <= (TOLERANCE) * (k + 4), what);                                               \
        snprintf(what, sizeof what, "%s %s fused %tdx%tdx%td writes only its columns", name, #T,    \
                 m, n, k);                                                                          \
        expect(untouched, what);                                                                    \
        free(a); free(b); free(bias); free(fused); free(unfused);                                   \
    }

DEFINE_CHECK_FUSED(check_fused_s, float, descent_sgemm_fused, 1e-6)
DEFINE_CHECK_FUSED(check_fused_d, double, descent_dgemm_fused, 1e-14)

// Every shape kind of check_all_gemm (single rows and columns, ragged tiles of 6×16 and 12×32,
// k across several cache blocks) and a classifier's 10 outputs (a 12×32 tile's narrow half),
// both transposes, with and without bias and ReLU.
static void check_all_fused(const char *name, int variant) {
    const ptrdiff_t sizes[][3] = {{1, 1, 1}, {1, 37, 19}, {29, 1, 23}, {6, 16, 8}, {12, 32, 9}, {7, 17, 5},
                                  {13, 33, 300}, {25, 70, 1000}, {100, 70, 35}, {97, 129, 64},
                                  {32, 10, 128}};
    for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
        for (int t = 0; t < 4; t++) {
            for (int epilogue = 0; epilogue < 4; epilogue++) {
                int withBias = epilogue & 1, activation = epilogue >> 1;
                check_fused_s(name, variant, sizes[s][0], sizes[s][1], sizes[s][2], t & 1, t >> 1, withBias,
                              activation);
                check_fused_d(name, variant, sizes[s][0], sizes[s][1], sizes[s][2], t & 1, t >> 1, withBias,
                              activation);
            }
        }
    }
}

// The optimizer steps against their formulas, element by element (contraction is off in both).
static void check_optimizers(void) {
    enum { n = 1003 };
    static float g[n], theta[n], v[n], u[n], m[n], thetaR[n], vR[n], uR[n], mR[n];
    for (int i = 0; i < n; i++) {
        g[i] = (float)next_uniform();
        thetaR[i] = theta[i] = (float)next_uniform();
        vR[i] = v[i] = (float)(0.1 + 0.5 * fabs(next_uniform()));
        uR[i] = u[i] = (float)(0.1 + 0.5 * fabs(next_uniform()));
        mR[i] = m[i] = (float)(0.1 * next_uniform());
    }
    descent_adadelta_step_f32(g, theta, v, u, n, 1, 0.01f, 0.9f, 0.1f, 1.0f, 1e-6f);
    double worst = 0;
    for (int i = 0; i < n; i++) {
        float gi = g[i] + 0.01f * thetaR[i];
        float vi = vR[i] * 0.9f + 0.1f * gi * gi;
        float delta = sqrtf(uR[i] + 1e-6f) / sqrtf(vi + 1e-6f) * gi;
        float ui = uR[i] * 0.9f + 0.1f * delta * delta;
        float ti = thetaR[i] - 1.0f * delta;
        worst = fmax(worst, fmax(fabs(ti - theta[i]), fmax(fabs(vi - v[i]), fabs(ui - u[i]))));
    }
    expect(worst <= 1e-6, "adadelta f32 matches its formula");
    for (int i = 0; i < n; i++) { theta[i] = thetaR[i]; v[i] = vR[i]; }
    descent_rmsprop_step_f32(g, theta, v, n, 0.99f, 0.01f, 0.01f, 1e-8f);
    worst = 0;
    for (int i = 0; i < n; i++) {
        float vi = vR[i] * 0.99f + 0.01f * g[i] * g[i];
        float ti = thetaR[i] - 0.01f * (g[i] / (sqrtf(vi) + 1e-8f));
        worst = fmax(worst, fmax(fabs(ti - theta[i]), fabs(vi - v[i])));
    }
    expect(worst <= 1e-6, "rmsprop f32 matches its formula");
    for (int i = 0; i < n; i++) theta[i] = thetaR[i];
    descent_sgd_step_f32(g, theta, n, 0.1f);
    worst = 0;
    for (int i = 0; i < n; i++) worst = fmax(worst, fabs(thetaR[i] - 0.1f * g[i] - theta[i]));
    expect(worst <= 1e-7, "sgd f32 matches its formula");
    // With momentum 0.9, dampening 0.1 and weight decay 0.01, plain and Nesterov, a later step;
    // then weight decay alone. Bit for bit, as the Swift rule rounds.
    for (int nesterov = 0; nesterov <= 1; nesterov++) {
        for (int i = 0; i < n; i++) theta[i] = thetaR[i], m[i] = mR[i];
        descent_sgd_settings settings = {1, 0.01, 1, 0.9, 0.9, 0, nesterov, 0.1};
        descent_sgd_general_step_f32(g, theta, m, n, &settings);
        int exact = 1;
        for (int i = 0; i < n; i++) {
            float gi = g[i] + 0.01f * thetaR[i];
            float bi = 0.9f * mR[i] + 0.9f * gi;
            exact &= bi == m[i] && thetaR[i] - 0.1f * (nesterov ? gi + 0.9f * bi : bi) == theta[i];
        }
        expect(exact, nesterov ? "sgd f32 with Nesterov momentum and weight decay, bit for bit"
                               : "sgd f32 with momentum, dampening and weight decay, bit for bit");
    }
    for (int i = 0; i < n; i++) theta[i] = thetaR[i];
    descent_sgd_settings decayOnly = {1, 0.01, 0, 0, 1, 0, 0, 0.1};
    descent_sgd_general_step_f32(g, theta, theta, n, &decayOnly);
    int exact = 1;
    for (int i = 0; i < n; i++) exact &= thetaR[i] - 0.1f * (g[i] + 0.01f * thetaR[i]) == theta[i];
    expect(exact, "sgd f32 with weight decay alone, bit for bit");
    // RMSProp centered, with momentum 0.9 and weight decay 0.01 (u as ḡ, m as b).
    static float average[n], b[n];
    for (int i = 0; i < n; i++) theta[i] = thetaR[i], v[i] = vR[i], average[i] = 0.1f * mR[i], b[i] = mR[i];
    descent_rmsprop_settings rms = {1, 0.01, 0.99, 0.01, 1e-8, 1, 1, 0.9, 0.01};
    descent_rmsprop_general_step_f32(g, theta, v, average, b, n, &rms);
    exact = 1;
    for (int i = 0; i < n; i++) {
        float gi = g[i] + 0.01f * thetaR[i];
        float vi = vR[i] * 0.99f + 0.01f * gi * gi;
        float ai = 0.1f * mR[i] + 0.01f * (gi - 0.1f * mR[i]);
        float bi = mR[i] * 0.9f + gi / (sqrtf(vi - ai * ai) + 1e-8f);
        exact &= vi == v[i] && ai == average[i] && bi == b[i] && thetaR[i] - 0.01f * bi == theta[i];
    }
    expect(exact, "rmsprop f32 centered with momentum and weight decay, bit for bit");
    // Adam with AMSGrad, v̂ below v for half of the elements.
    for (int i = 0; i < n; i++) theta[i] = thetaR[i], m[i] = mR[i], v[i] = vR[i], u[i] = i % 2 ? 0.0f : 1.0f;
    descent_adam_settings adam = {0, 1, 0, 0, 0.1, 0.999, 0.001, 0.01, 0.5, 1e-8};
    descent_adam_amsgrad_step_f32(g, theta, m, v, u, n, &adam);
    exact = 1;
    for (int i = 0; i < n; i++) {
        float mi = mR[i] + 0.1f * (g[i] - mR[i]);
        float vi = vR[i] * 0.999f + 0.001f * g[i] * g[i];
        float most = i % 2 ? vi : 1.0f;
        exact &= mi == m[i] && vi == v[i] && most == u[i] && thetaR[i] - 0.01f * (mi / (sqrtf(most) / 0.5f + 1e-8f)) == theta[i];
    }
    expect(exact, "adam f32 with amsgrad, bit for bit");
    // Adagrad, Adamax and NAdam with weight decay (NAdam's decoupled), bit for bit.
    for (int i = 0; i < n; i++) theta[i] = thetaR[i], v[i] = vR[i];
    descent_adagrad_settings adagrad = {1, 0.01, 0.05, 1e-10};
    descent_adagrad_step_f32(g, theta, v, n, &adagrad);
    exact = 1;
    for (int i = 0; i < n; i++) {
        float gi = g[i] + 0.01f * thetaR[i], si = vR[i] + gi * gi;
        exact &= si == v[i] && thetaR[i] - 0.05f * (gi / (sqrtf(si) + 1e-10f)) == theta[i];
    }
    expect(exact, "adagrad f32 with weight decay, bit for bit");
    for (int i = 0; i < n; i++) theta[i] = thetaR[i], m[i] = mR[i], u[i] = uR[i];
    descent_adamax_settings adamax = {1, 0.01, 0.1, 0.999, 1e-8, 0.02};
    descent_adamax_step_f32(g, theta, m, u, n, &adamax);
    exact = 1;
    for (int i = 0; i < n; i++) {
        float gi = g[i] + 0.01f * thetaR[i], mi = mR[i] + 0.1f * (gi - mR[i]);
        float decayed = uR[i] * 0.999f, fresh = fabsf(gi) + 1e-8f, ui = decayed > fresh ? decayed : fresh;
        exact &= mi == m[i] && ui == u[i] && thetaR[i] - 0.02f * (mi / ui) == theta[i];
    }
    expect(exact, "adamax f32 with weight decay, bit for bit");
    for (int i = 0; i < n; i++) theta[i] = thetaR[i], m[i] = mR[i], v[i] = vR[i];
    descent_nadam_settings nadam = {1, 0.99, 0, 0, 0.1, 0.999, 0.001, 0.25, 1e-8, 2e-4, 1.9e-2};
    descent_nadam_step_f32(g, theta, m, v, n, &nadam);
    exact = 1;
    for (int i = 0; i < n; i++) {
        float ti = thetaR[i] * 0.99f, mi = mR[i] + 0.1f * (g[i] - mR[i]);
        float vi = vR[i] * 0.999f + 0.001f * g[i] * g[i], d = sqrtf(vi / 0.25f) + 1e-8f;
        ti = ti - 2e-4f * (g[i] / d);
        exact &= mi == m[i] && vi == v[i] && ti - 1.9e-2f * (mi / d) == theta[i];
    }
    expect(exact, "nadam f32 with decoupled weight decay, bit for bit");
}

// Max pooling 2×2 with stride 2 against a plain loop, ties and NaN included.
// Planes of h×w (odd sizes leave a row or column out; more than 16 windows a row take the
// AVX-512 kernel's loop twice, the second time ragged).
static void check_max_pool_size(int h, int w, int relu) {
    enum { planes = 3, most = 512 };
    int oh = h / 2, ow = w / 2;
    float x[planes * most], out[planes * most];
    int32_t idx[planes * most];
    if (h * w > most) { expect(0, "max pooling check: plane within the arrays"); return; }
    for (int i = 0; i < planes * h * w; i++) {
        double r = next_uniform();
        x[i] = r < -0.3 ? 0.0f : (float)r;  // many ties at 0, as after ReLU
    }
    x[5] = NAN;
    x[8] = -0.0f;
    descent_max_pool_2x2(x, out, idx, planes, h, w, oh, ow, relu);
    int ok = 1;
    for (int p = 0; p < planes; p++) {
        for (int i = 0; i < oh; i++) {
            for (int j = 0; j < ow; j++) {
                float best = -INFINITY;
                int bestIndex = 2 * i * w + 2 * j;
                for (int di = 0; di < 2; di++) {
                    for (int dj = 0; dj < 2; dj++) {
                        int position = (2 * i + di) * w + 2 * j + dj;
                        float value = x[p * h * w + position];
                        if (relu) value = value > 0 ? value : 0;
                        if (value > best || isnan(value)) { best = value; bestIndex = position; }
                    }
                }
                int o = (p * oh + i) * ow + j;
                int same = memcmp(&out[o], &best, sizeof best) == 0 || (isnan(out[o]) && isnan(best));
                if (idx[o] != bestIndex || !same) ok = 0;
            }
        }
    }
    expect(ok, relu ? "max pooling 2x2 of relu(x): the first maximum, NaN and -0 read as +0"
                    : "max pooling 2x2 picks the first maximum, NaN over numbers");
}

static void check_max_pool(void) {
    for (int relu = 0; relu <= 1; relu++) {
        check_max_pool_size(9, 7, relu);
        check_max_pool_size(6, 41, relu);
    }
}

// Gathering slices: short ones copied whole, long ones eight at a time a cache line each, with
// a partial last line, fewer than eight in the last group, and repeated indices.
static void check_gather(void) {
    enum { slices = 37, most = 1000 };
    static unsigned char source[slices * most], gathered[24 * most];
    for (int i = 0; i < slices * most; i++) source[i] = (unsigned char)(i * 7 + i / 251);
    const size_t sizes[] = {1, 4, 255, 256, 320, 576, 1000};
    const ptrdiff_t indices[] = {36, 0, 5, 5, 17, 2, 9, 30, 1, 11, 8, 8, 20, 25, 3, 4, 33, 6, 7, 10, 35, 12, 13, 14};
    for (int s = 0; s < (int)(sizeof sizes / sizeof sizes[0]); s++) {
        size_t bytes = sizes[s];
        for (ptrdiff_t count = 1; count <= 24; count += 7) {
            memset(gathered, 0xEE, sizeof gathered);
            descent_gather_slices(source, bytes, indices, count, gathered);
            int ok = 1;
            for (ptrdiff_t i = 0; i < count; i++) {
                if (memcmp(gathered + i * bytes, source + indices[i] * bytes, bytes) != 0) ok = 0;
            }
            if (gathered[count * bytes] != 0xEE) ok = 0;  // nothing written past the end
            expect(ok, "gathered slices are the indexed ones, in order");
        }
    }
}

#if defined(__x86_64__)
// The AVX-512 build of the vector–matrix product gives the AVX2 build's bits (the same FMAs in
// the same lanes, only wider), both ways round, for lengths around every vector width.
static void check_gemv_avx512(void) {
    enum { most = 700 };
    static float x[most], m[most * most], avx2[most], avx512[most];
    for (int i = 0; i < most; i++) x[i] = (float)(next_uniform() - 0.5);
    for (int i = 0; i < most * most; i++) m[i] = (float)(next_uniform() - 0.5);
    const ptrdiff_t sizes[] = {1, 3, 15, 16, 17, 63, 64, 513, 700};
    for (int transpose = 0; transpose < 2; transpose++) {
        for (int a = 0; a < 9; a++) {
            for (int b = 0; b < 9; b++) {
                ptrdiff_t n = sizes[a], k = sizes[b];
                for (ptrdiff_t j = 0; j < n; j++) avx2[j] = avx512[j] = (float)j;
                descent_sgemv_avx2(transpose, n, k, x, 1, m, transpose ? k : n, avx2, 1, 0.5f);
                descent_sgemv_avx512(transpose, n, k, x, 1, m, transpose ? k : n, avx512, 1, 0.5f);
                expect(memcmp(avx2, avx512, sizeof(float) * (size_t)n) == 0, "AVX-512 gemv gives AVX2's bits");
            }
        }
    }
}
#endif

// Winograd F(4×4, 3×3): the transforms around a plain product per position against the direct
// 3×3 convolution, with padding that differs by side and an output that is not a multiple of 4
// (the splitting of rows into phase planes has a NEON path and an x86 one); once with each
// position a plain channels×blocks matrix, once in panels of 8 columns with the example's
// blocks starting at column 3 and padded position strides (the micro-kernel's order).
static void check_winograd_layout(int panel, int first, const char *what) {
    enum { cin = 3, cout = 2, h = 19, w = 22, top = 1, left = 2, bottom = 0, right = 1 };
    enum { oh = h + top + bottom - 2, ow = w + left + right - 2, bh = (oh + 3) / 4, bw = (ow + 3) / 4, blocks = bh * bw };
    enum { ldMax = blocks + 16, inStrideMax = cin * ldMax + 5, outStrideMax = cout * ldMax + 5 };
    int ld = panel ? (first + blocks + panel - 1) / panel * panel : blocks;
    if (!panel) panel = ld;
    int inStride = cin * ld + (first ? 5 : 0), outStride = cout * ld + (first ? 5 : 0);
    static float x[cin * h * w], weights[cout * cin * 9], u[36 * cout * cin], v[36 * inStrideMax];
    static float m[36 * outStrideMax], y[cout * oh * ow];
    float bias[cout] = {0.25f, -0.5f};
    for (int i = 0; i < cin * h * w; i++) x[i] = (float)next_uniform();
    for (int i = 0; i < cout * cin * 9; i++) weights[i] = (float)next_uniform();
    descent_winograd_f43_filters(weights, cout, cin, 0, u);
    descent_winograd_f43_inputs(x, cin, h, w, top, left, bh, bw, v, inStride, first, panel);
    for (int xi = 0; xi < 36; xi++) {
        for (int o = 0; o < cout; o++) {
            for (int b = 0; b < blocks; b++) {
                int t = first + b, inPanel = t % panel, base = (t - inPanel);
                float sum = 0;
                for (int c = 0; c < cin; c++) sum += u[(xi * cout + o) * cin + c] * v[xi * inStride + base * cin + c * panel + inPanel];
                m[xi * outStride + base * cout + o * panel + inPanel] = sum;
            }
        }
    }
    descent_winograd_f43_outputs(m, cout, outStride, first, panel, bh, bw, bias, 0, y, oh, ow);
    double worst = 0;
    for (int o = 0; o < cout; o++) {
        for (int i = 0; i < oh; i++) {
            for (int j = 0; j < ow; j++) {
                double sum = bias[o];
                for (int c = 0; c < cin; c++) {
                    for (int p = 0; p < 3; p++) {
                        for (int q = 0; q < 3; q++) {
                            int r = i - top + p, s = j - left + q;
                            if (r >= 0 && r < h && s >= 0 && s < w) sum += (double)x[(c * h + r) * w + s] * weights[((o * cin + c) * 3 + p) * 3 + q];
                        }
                    }
                }
                double error = fabs(sum - y[(o * oh + i) * ow + j]);
                if (error > worst) worst = error;
            }
        }
    }
    expect(worst < 1e-4, what);
    // With ReLU, and biases that leave about half the outputs negative: the same bits as ReLU
    // applied afterwards.
    static float plain[cout * oh * ow], rectified[cout * oh * ow];
    float lowered[cout] = {-7.0f, -6.0f};
    descent_winograd_f43_outputs(m, cout, outStride, first, panel, bh, bw, lowered, 0, plain, oh, ow);
    descent_winograd_f43_outputs(m, cout, outStride, first, panel, bh, bw, lowered, 1, rectified, oh, ow);
    int reluRight = 1, negatives = 0;
    for (int i = 0; i < cout * oh * ow; i++) {
        float expected = plain[i] > 0 ? plain[i] : 0;
        negatives += plain[i] < 0;
        reluRight &= memcmp(&expected, &rectified[i], sizeof(float)) == 0;
    }
    char withReLU[160];
    snprintf(withReLU, sizeof withReLU, "%s, with ReLU (%d negative outputs zeroed)", what, negatives);
    expect(reluRight && negatives > 0, withReLU);
}

// The packed-once product (Winograd's): A packed into the variant's row panels, B one panel
// already in the micro-kernel's order, a ragged last row panel and fewer used columns than
// the panel's.
static void check_panel_multiply_using(int used) {
    enum { m = 29, k = 7, most = 64 };
    int rows, columns;
    descent_sgemm_panel_shape(&rows, &columns);
    if (used <= 0) used += columns;  // counted from the panel's width
    int padded = (m + rows - 1) / rows * rows;
    static float a[m * k], packed[most * k], c[m * most];
    static float b[k * most] __attribute__((aligned(64)));  // the kernels load B aligned
    for (int i = 0; i < m * k; i++) a[i] = (float)next_uniform();
    for (int i = 0; i < k * columns; i++) b[i] = (float)next_uniform();
    for (int i = 0; i < m * most; i++) c[i] = NAN;
    expect(padded <= most && columns <= most, "the panel shape is within the check's arrays");
    descent_sgemm_pack_a_panels(m, k, a, k, packed);
    descent_sgemm_panel_multiply(m, k, packed, b, used, c, most);
    double worst = 0;
    int outside = 1;
    for (int i = 0; i < m; i++) {
        for (int j = 0; j < used; j++) {
            double sum = 0;
            for (int p = 0; p < k; p++) sum += (double)a[i * k + p] * b[p * columns + j];
            double error = fabs(sum - c[i * most + j]);
            if (!(error <= worst)) worst = error;
        }
        for (int j = used; j < most; j++) outside &= isnan(c[i * most + j]);
    }
    expect(worst < 1e-5, "the packed-once panel product equals the plain sum");
    expect(outside, "the packed-once panel product writes only the used columns");
}

// Most of the panel used, and few of it (AVX-512 then runs its half-width tile).
static void check_panel_multiply(void) {
    check_panel_multiply_using(-3);
    check_panel_multiply_using(5);
}

// The filter transform G·g·Gᵀ of every filter at its place, both ways round: more filters than
// the transform's runs of 16 in either direction, so that full and partial runs are both stored.
static void check_winograd_filters(int flipped) {
    enum { cout = 20, cin = 17 };
    static const double G[6][3] = {{1.0 / 4, 0, 0}, {-1.0 / 6, -1.0 / 6, -1.0 / 6}, {-1.0 / 6, 1.0 / 6, -1.0 / 6},
                                   {1.0 / 24, 1.0 / 12, 1.0 / 6}, {1.0 / 24, -1.0 / 12, 1.0 / 6}, {0, 0, 1}};
    static float weights[cout * cin * 9], u[36 * cout * cin];
    for (int i = 0; i < cout * cin * 9; i++) weights[i] = (float)next_uniform();
    descent_winograd_f43_filters(weights, cout, cin, flipped, u);
    int rows = flipped ? cin : cout, columns = flipped ? cout : cin;
    double worst = 0;
    for (int o = 0; o < cout; o++) {
        for (int i = 0; i < cin; i++) {
            const float *w = weights + (o * cin + i) * 9;
            for (int r = 0; r < 6; r++) {
                for (int t = 0; t < 6; t++) {
                    double sum = 0;
                    for (int p = 0; p < 3; p++) {
                        for (int q = 0; q < 3; q++) {
                            double tap = flipped ? w[(2 - p) * 3 + (2 - q)] : w[p * 3 + q];
                            sum += G[r][p] * tap * G[t][q];
                        }
                    }
                    int row = flipped ? i : o, column = flipped ? o : i;
                    double error = fabs(sum - u[((r * 6 + t) * rows + row) * columns + column]);
                    if (!(error <= worst)) worst = error;
                }
            }
        }
    }
    expect(worst < 1e-6, flipped ? "winograd filter transform, flipped, puts G g G^T of every filter at its place"
                                 : "winograd filter transform puts G g G^T of every filter at its place");
}

static void check_winograd(void) {
    check_winograd_filters(0);
    check_winograd_filters(1);
    check_winograd_layout(0, 0, "winograd F(4x4, 3x3) forward equals the direct convolution");
    check_winograd_layout(8, 3, "winograd F(4x4, 3x3) in panels of 8 columns equals the direct convolution");
}

// FNV-1a over the bytes of the random streams at a few offsets: the same on every CPU.
static void print_random_digest(void) {
    enum { count = 1000 };
    static float uniform[count], mask[count];
    uint64_t digest = 1469598103934665603ull;
    const uint64_t offsets[] = {0, 1, 7, 63, 64, 1000};
    for (size_t o = 0; o < sizeof offsets / sizeof offsets[0]; o++) {
        descent_random_uniform_f32(42, offsets[o], count, uniform);
        descent_bernoulli_f32(42, offsets[o], count, 0x80000000u, 2.0f, mask);
        const unsigned char *bytes = (const unsigned char *)uniform;
        for (size_t i = 0; i < sizeof uniform; i++) digest = (digest ^ bytes[i]) * 1099511628211ull;
        bytes = (const unsigned char *)mask;
        for (size_t i = 0; i < sizeof mask; i++) digest = (digest ^ bytes[i]) * 1099511628211ull;
    }
    printf("random streams digest: %016llx\n", (unsigned long long)digest);
}

// Batch normalization in training mode, forward and backward, against the formulas summed in
// long double; and a digest of every output's bits, which run.sh compares between the AVX2 and
// the portable builds (DESCENT_KERNELS=portable): they add the same numbers in the same order.
static uint64_t batch_norm_digest = 14695981039346656037ull;
static void digest_floats(const float *values, ptrdiff_t count) {
    const unsigned char *bytes = (const unsigned char *)values;
    for (size_t i = 0; i < (size_t)count * sizeof(float); i++) batch_norm_digest = (batch_norm_digest ^ bytes[i]) * 1099511628211ull;
}

// With ReLU: the same bits as ReLU applied to the output without it, and as the gradients
// without it of ḡ kept where that output is positive (what the two steps compute).
static void check_batch_norm_relu(const float *x, const float *y, const float *g, const float *weight,
                                  const float *bias, ptrdiff_t outer, ptrdiff_t channels, ptrdiff_t inner,
                                  double shift) {
    const ptrdiff_t count = outer * channels * inner;
    const double epsilon = 1e-5;
    float *fused = malloc(sizeof(float) * count), *kept = malloc(sizeof(float) * count);
    float *dx = malloc(sizeof(float) * count), *fusedDx = malloc(sizeof(float) * count);
    float mean[8], variance[8], dWeight[8], dBias[8], fusedDWeight[8], fusedDBias[8];
    descent_batch_norm_f32(x, fused, weight, bias, outer, channels, inner, 0, channels, epsilon, 1, mean, variance);
    int same = 1;
    for (ptrdiff_t i = 0; i < count; i++) {
        float relu = y[i] > 0 ? y[i] : 0;
        same &= memcmp(&relu, &fused[i], sizeof(float)) == 0;
        kept[i] = y[i] > 0 ? g[i] : 0;
    }
    descent_batch_norm_backward_f32(kept, x, mean, variance, weight, bias, outer, channels, inner, 0, channels, epsilon,
                                    0, dx, dWeight, dBias);
    descent_batch_norm_backward_f32(g, x, mean, variance, weight, bias, outer, channels, inner, 0, channels, epsilon,
                                    1, fusedDx, fusedDWeight, fusedDBias);
    int sameGradients = memcmp(dx, fusedDx, sizeof(float) * count) == 0
        && memcmp(dWeight, fusedDWeight, sizeof(float) * channels) == 0
        && memcmp(dBias, fusedDBias, sizeof(float) * channels) == 0;
    char what[128];
    snprintf(what, sizeof what, "batch norm + relu [%td, %td, %td] + %g: relu of its output, bit for bit", outer,
             channels, inner, shift);
    expect(same, what);
    snprintf(what, sizeof what, "batch norm + relu backward [%td, %td, %td] + %g: the kept gradient's, bit for bit",
             outer, channels, inner, shift);
    expect(sameGradients, what);
    digest_floats(fused, count);
    digest_floats(fusedDx, count);
    free(fused), free(kept), free(dx), free(fusedDx);
}

static void check_batch_norm_shape(ptrdiff_t outer, ptrdiff_t channels, ptrdiff_t inner, double shift) {
    const ptrdiff_t count = outer * channels * inner, n = outer * inner;
    const double epsilon = 1e-5;
    float *x = malloc(sizeof(float) * count), *y = malloc(sizeof(float) * count), *g = malloc(sizeof(float) * count);
    float *dx = malloc(sizeof(float) * count), weight[8], bias[8], mean[8], variance[8], dWeight[8], dBias[8];
    for (ptrdiff_t i = 0; i < count; i++) x[i] = (float)(2 * next_uniform() + shift);
    for (ptrdiff_t i = 0; i < count; i++) g[i] = (float)next_uniform();
    for (ptrdiff_t c = 0; c < channels; c++) weight[c] = (float)next_uniform(), bias[c] = (float)next_uniform();
    // Two calls, as two threads would make them: the channels before and after the first.
    descent_batch_norm_f32(x, y, weight, bias, outer, channels, inner, 0, 1, epsilon, 0, mean, variance);
    descent_batch_norm_f32(x, y, weight, bias, outer, channels, inner, 1, channels - 1, epsilon, 0, mean, variance);
    descent_batch_norm_backward_f32(g, x, mean, variance, weight, bias, outer, channels, inner, 0, channels, epsilon, 0,
                                    dx, dWeight, dBias);
    double worst = 0, worstGradient = 0;
    for (ptrdiff_t c = 0; c < channels; c++) {
        long double sum = 0, squares = 0, sumG = 0, sumGXHat = 0;
        for (ptrdiff_t o = 0; o < outer; o++)
            for (ptrdiff_t i = 0; i < inner; i++) sum += x[(o * channels + c) * inner + i];
        long double mu = sum / n;
        for (ptrdiff_t o = 0; o < outer; o++)
            for (ptrdiff_t i = 0; i < inner; i++) squares += (x[(o * channels + c) * inner + i] - mu) * (x[(o * channels + c) * inner + i] - mu);
        long double sigma = sqrtl(squares / n + epsilon);
        worst = fmax(worst, fabs((double)(mu - mean[c])) + fabs((double)(squares / n - variance[c])));
        for (ptrdiff_t o = 0; o < outer; o++) {
            for (ptrdiff_t i = 0; i < inner; i++) {
                ptrdiff_t k = (o * channels + c) * inner + i;
                long double xHat = (x[k] - mu) / sigma;
                worst = fmax(worst, fabs((double)(xHat * weight[c] + bias[c] - y[k])));
                sumG += g[k];
                sumGXHat += g[k] * xHat;
            }
        }
        for (ptrdiff_t o = 0; o < outer; o++) {
            for (ptrdiff_t i = 0; i < inner; i++) {
                ptrdiff_t k = (o * channels + c) * inner + i;
                long double xHat = (x[k] - mu) / sigma;
                long double expected = weight[c] / sigma * (g[k] - sumG / n - xHat * sumGXHat / n);
                worstGradient = fmax(worstGradient, fabs((double)(expected - dx[k])));
            }
        }
        worstGradient = fmax(worstGradient, fabs((double)(sumGXHat - dWeight[c])) / n + fabs((double)(sumG - dBias[c])) / n);
    }
    char what[128];
    snprintf(what, sizeof what, "batch norm [%td, %td, %td] + %g matches its formula", outer, channels, inner, shift);
    expect(worst <= 1e-5 * (1 + fabs(shift)), what);
    snprintf(what, sizeof what, "batch norm backward [%td, %td, %td] + %g matches its formula", outer, channels, inner, shift);
    expect(worstGradient <= 1e-5 * (1 + fabs(shift)), what);
    digest_floats(y, count);
    digest_floats(dx, count);
    digest_floats(mean, channels);
    digest_floats(variance, channels);
    digest_floats(dWeight, channels);
    digest_floats(dBias, channels);
    check_batch_norm_relu(x, y, g, weight, bias, outer, channels, inner, shift);
    free(x), free(y), free(g), free(dx);
}

static void check_batch_norm(void) {
    state = 0x2545F4914F6CDD1Dull;  // the same inputs whatever the checks before drew
    // Dense features (one value per example and channel), odd runs around the 8 lanes, images.
    check_batch_norm_shape(16, 3, 1, 0);
    check_batch_norm_shape(3, 4, 7, 0);
    check_batch_norm_shape(5, 2, 33, 100);
    check_batch_norm_shape(4, 8, 196, 0);
    printf("batch norm digest: %016llx\n", (unsigned long long)batch_norm_digest);
}

// GELU and its derivative, exact and tanh forms, against their formulas in long double: GELU
// within 8 ulps of float (below the smallest normal number, within that number, as the
// cross-check allows), the derivative within 4 ulps of 1 or of itself where larger (it is zero
// at x ≈ −0.75); and a digest of the outputs' bits, which run.sh compares between the builds.
static uint64_t gelu_digest = 14695981039346656037ull;
static double float_ulp(double v) {
    int exponent;
    frexp(fabs(v), &exponent);
    return fmax(ldexp(1.0, exponent - 24), ldexp(1.0, -149));
}

static void check_gelu(void) {
    enum { COUNT = 20011 };  // odd: the vector loops' remainders run too
    float *x = malloc(sizeof(float) * COUNT), *g = malloc(sizeof(float) * COUNT), *y = malloc(sizeof(float) * COUNT);
    float *dx = malloc(sizeof(float) * COUNT);
    for (ptrdiff_t i = 0; i < COUNT; i++) x[i] = (float)(-16 + 26.0 * i / (COUNT - 1)), g[i] = 1;
    for (int tanhForm = 0; tanhForm <= 1; tanhForm++) {
        descent_gelu_f32(x, y, COUNT, tanhForm);
        descent_gelu_backward_f32(g, x, dx, COUNT, tanhForm);
        double worst = 0, worstGradient = 0;
        for (ptrdiff_t i = 0; i < COUNT; i++) {
            long double v = x[i], value, derivative;
            if (tanhForm) {
                long double slope = sqrtl(2 / acosl(-1)), u = slope * (v + 0.044715L * v * v * v);
                long double s = 1 / (1 + expl(-2 * u));
                value = v * s;
                derivative = s + v * s * (1 - s) * 2 * slope * (1 + 3 * 0.044715L * v * v);
            } else {
                long double cdf = erfcl(-v / sqrtl(2)) / 2;
                value = v * cdf;
                derivative = cdf + v * expl(-v * v / 2) / sqrtl(2 * acosl(-1));
            }
            // In ulps of the value, beyond the smallest normal number (for subnormal values).
            double excess = fmax(fabs((double)(y[i] - value)) - 0x1p-126, 0);
            worst = fmax(worst, excess / float_ulp((double)value));
            worstGradient = fmax(worstGradient, fabs((double)(dx[i] - derivative)) / float_ulp(fmax(fabs((double)derivative), 1)));
        }
        expect(worst <= 8, tanhForm ? "gelu (tanh) within 8 ulps of its formula" : "gelu within 8 ulps of its formula");
        expect(worstGradient <= 4, tanhForm ? "gelu (tanh) backward within 4 ulps of its formula"
                                            : "gelu backward within 4 ulps of its formula");
        const unsigned char *bytes = (const unsigned char *)y, *gradientBytes = (const unsigned char *)dx;
        for (size_t i = 0; i < COUNT * sizeof(float); i++) gelu_digest = (gelu_digest ^ bytes[i]) * 1099511628211ull;
        for (size_t i = 0; i < COUNT * sizeof(float); i++) gelu_digest = (gelu_digest ^ gradientBytes[i]) * 1099511628211ull;
    }
    printf("gelu digest: %016llx\n", (unsigned long long)gelu_digest);
    free(x), free(g), free(y), free(dx);
}

// eˣ, tanh x, σ(x), ELU (α = ½), softplus (β = 1, threshold 20) and their derivatives of floats
// against long double, within 1 ulp (below the smallest normal number, within that number), over the whole range where they are neither 0 nor ±1 nor ∞, with
// the special values; and a digest of the bits, which run.sh compares between the builds.
static uint64_t exponentials_digest = 14695981039346656037ull;
static void check_exponentials(void) {
    enum { COUNT = 40009 };
    float *x = malloc(sizeof(float) * COUNT), *y = malloc(sizeof(float) * COUNT), *ones = malloc(sizeof(float) * COUNT);
    for (ptrdiff_t i = 0; i < COUNT; i++) ones[i] = 1;
    const float specials[] = {NAN, INFINITY, -INFINITY, 0.0f, -0.0f, 1e-30f, -1e-30f, 1e-4f, -2e-4f, 88.7f, 89.0f, -104.0f};
    const ptrdiff_t specialCount = sizeof specials / sizeof specials[0];
    for (ptrdiff_t i = 0; i < COUNT - specialCount; i++) x[i] = (float)(-104 + 192.7 * i / (COUNT - specialCount - 1));
    memcpy(x + COUNT - specialCount, specials, sizeof specials);
    const char *names[] = {"exp", "tanh", "sigmoid", "elu", "elu backward", "softplus", "softplus backward"};
    for (int function = 0; function < 7; function++) {
        if (function == 0) descent_exp_f32(x, y, COUNT);
        if (function == 1) descent_tanh_f32(x, y, COUNT);
        if (function == 2) descent_sigmoid_f32(x, y, COUNT);
        if (function == 3) descent_elu_f32(x, y, COUNT, 0.5);
        if (function == 4) descent_elu_backward_f32(ones, x, y, COUNT, 0.5);
        if (function == 5) descent_softplus_f32(x, y, COUNT, 1, 20);
        if (function == 6) descent_softplus_backward_f32(ones, x, y, COUNT, 1, 20);
        double worst = 0;
        int specialsRight = 1;
        for (ptrdiff_t i = 0; i < COUNT; i++) {
            long double v = x[i];
            long double value = function == 0 ? expl(v) : function == 1 ? tanhl(v) : function == 2 ? 1 / (1 + expl(-v))
                              : function == 3 ? (v > 0 ? v : expm1l(v) / 2) : function == 4 ? (v > 0 ? 1 : expl(v) / 2)
                              : function == 5 ? (v > 20 ? v : log1pl(expl(v))) : (v > 20 ? 1 : 1 / (1 + expl(-v)));
            if (isnan(x[i]) || isinf((float)value)) {
                specialsRight &= isnan(x[i]) ? isnan(y[i]) : y[i] == (float)value;
                continue;
            }
            double excess = fmax(fabs((double)(y[i] - value)) - 0x1p-126, 0);
            worst = fmax(worst, excess / float_ulp((double)value));
        }
        // tanh keeps the sign of zero.
        if (function == 1) specialsRight &= signbit(y[COUNT - specialCount + 4]) && y[COUNT - specialCount + 6] == -1e-30f;
        char what[96];
        snprintf(what, sizeof what, "%s within 1 ulp of its value in long double", names[function]);
        expect(worst <= 1, what);
        snprintf(what, sizeof what, "%s of NaN, infinities and signed zeros", names[function]);
        expect(specialsRight, what);
        const unsigned char *bytes = (const unsigned char *)y;
        for (size_t i = 0; i < COUNT * sizeof(float); i++) exponentials_digest = (exponentials_digest ^ bytes[i]) * 1099511628211ull;
    }
    printf("exponentials digest: %016llx\n", (unsigned long long)exponentials_digest);
    free(x), free(y), free(ones);
}

// Depthwise convolutions, forward and both gradients, against the textbook sums in long double
// over geometries that reach every path (stride 1, 2 and 3, dilation, padding that differs by
// side or reaches past the kernel, two filters per channel); and a digest of the outputs' bits,
// which run.sh compares between the builds and with ARM64.
static uint64_t depthwise_digest = 14695981039346656037ull;
static void check_depthwise_shape(ptrdiff_t h, ptrdiff_t w, ptrdiff_t kh, ptrdiff_t kw, ptrdiff_t sy, ptrdiff_t sx,
                                  ptrdiff_t padTop, ptrdiff_t padLeft, ptrdiff_t padBottom, ptrdiff_t padRight,
                                  ptrdiff_t dy, ptrdiff_t dx, ptrdiff_t multiplier) {
    const ptrdiff_t examples = 3;
    descent_depthwise_geometry s = {h, w, (h + padTop + padBottom - dy * (kh - 1) - 1) / sy + 1,
                                    (w + padLeft + padRight - dx * (kw - 1) - 1) / sx + 1, kh, kw, sy, sx, padTop,
                                    padLeft, dy, dx};
    const ptrdiff_t in = h * w, out = s.outHeight * s.outWidth, taps = kh * kw;
    float *x = malloc(sizeof(float) * examples * in), *g = malloc(sizeof(float) * examples * multiplier * out);
    float *y = malloc(sizeof(float) * examples * multiplier * out), *xGradient = malloc(sizeof(float) * examples * in);
    float *weights = malloc(sizeof(float) * multiplier * taps), *wGradient = malloc(sizeof(float) * multiplier * taps);
    float *scratch = malloc(sizeof(float) * (size_t)descent_depthwise_scratch_count(&s, multiplier, sizeof(float)));
    for (ptrdiff_t i = 0; i < examples * in; i++) x[i] = (float)(2 * next_uniform() - 1);
    for (ptrdiff_t i = 0; i < examples * multiplier * out; i++) g[i] = (float)(2 * next_uniform() - 1);
    for (ptrdiff_t i = 0; i < multiplier * taps; i++) weights[i] = (float)(2 * next_uniform() - 1);
    const float bias = 0.25f;
    // One input channel's planes: example n's output planes are (n, m) for the m filters. The
    // filters' gradient in two calls, as two threads would make them: the first filter, then
    // the others.
    const float biases[2] = {bias, bias};
    // With ReLU: the same bits as ReLU applied to the output afterwards.
    float *rectified = malloc(sizeof(float) * multiplier * out);
    int reluRight = 1;
    for (ptrdiff_t n = 0; n < examples; n++) {
        descent_depthwise_conv2d_f32(&s, x + n * in, weights, biases, multiplier, 0, y + n * multiplier * out, scratch);
        descent_depthwise_conv2d_f32(&s, x + n * in, weights, biases, multiplier, 1, rectified, scratch);
        for (ptrdiff_t i = 0; i < multiplier * out; i++) {
            float plain = y[n * multiplier * out + i], expected = plain > 0 ? plain : 0;
            reluRight &= memcmp(&expected, &rectified[i], sizeof(float)) == 0;
        }
        descent_depthwise_conv2d_input_gradient_f32(&s, g + n * multiplier * out, weights, multiplier, xGradient + n * in,
                                                    scratch);
    }
    free(rectified);
    descent_depthwise_conv2d_weight_gradient_f32(&s, g, multiplier * out, x, in, examples, 1, wGradient, scratch);
    if (multiplier > 1) {
        descent_depthwise_conv2d_weight_gradient_f32(&s, g + out, multiplier * out, x, in, examples, multiplier - 1,
                                                     wGradient + taps, scratch);
    }
    long double *expectedX = calloc((size_t)(examples * in), sizeof(long double));
    long double *expectedW = calloc((size_t)(multiplier * taps), sizeof(long double));
    // The weight gradient sums up to examples·out products in float: held to its sum of sizes.
    long double *sizesW = calloc((size_t)(multiplier * taps), sizeof(long double));
    double worst = 0;
    for (ptrdiff_t n = 0; n < examples; n++) {
        for (ptrdiff_t m = 0; m < multiplier; m++) {
            for (ptrdiff_t oy = 0; oy < s.outHeight; oy++) {
                for (ptrdiff_t ox = 0; ox < s.outWidth; ox++) {
                    long double sum = bias;
                    float upstream = g[(n * multiplier + m) * out + oy * s.outWidth + ox];
                    for (ptrdiff_t p = 0; p < kh; p++) {
                        for (ptrdiff_t q = 0; q < kw; q++) {
                            ptrdiff_t iy = oy * sy + p * dy - padTop, ix = ox * sx + q * dx - padLeft;
                            if (iy < 0 || iy >= h || ix < 0 || ix >= w) continue;
                            sum += (long double)weights[m * taps + p * kw + q] * x[n * in + iy * w + ix];
                            expectedX[n * in + iy * w + ix] += (long double)weights[m * taps + p * kw + q] * upstream;
                            expectedW[m * taps + p * kw + q] += (long double)upstream * x[n * in + iy * w + ix];
                            sizesW[m * taps + p * kw + q] += fabsl((long double)upstream * x[n * in + iy * w + ix]);
                        }
                    }
                    worst = fmax(worst, fabs((double)(sum - y[(n * multiplier + m) * out + oy * s.outWidth + ox])));
                }
            }
        }
    }
    double worstX = 0, worstW = 0;
    for (ptrdiff_t i = 0; i < examples * in; i++) worstX = fmax(worstX, fabs((double)(expectedX[i] - xGradient[i])));
    for (ptrdiff_t i = 0; i < multiplier * taps; i++) {
        worstW = fmax(worstW, fabs((double)(expectedW[i] - wGradient[i])) / (double)(1 + sizesW[i]));
    }
    char what[160];
    snprintf(what, sizeof what, "depthwise %tdx%td kernel %tdx%td stride (%td, %td) dilation (%td, %td) ×%td: forward",
             h, w, kh, kw, sy, sx, dy, dx, multiplier);
    expect(worst <= 1e-5, what);
    snprintf(what, sizeof what, "depthwise %tdx%td kernel %tdx%td stride (%td, %td): forward with ReLU", h, w, kh, kw, sy, sx);
    expect(reluRight, what);
    snprintf(what, sizeof what, "depthwise %tdx%td kernel %tdx%td stride (%td, %td): input gradient", h, w, kh, kw, sy, sx);
    expect(worstX <= 1e-5, what);
    snprintf(what, sizeof what, "depthwise %tdx%td kernel %tdx%td stride (%td, %td): weight gradient", h, w, kh, kw, sy, sx);
    expect(worstW <= 1e-6, what);
    const float *outputs[] = {y, xGradient, wGradient};
    const ptrdiff_t counts[] = {examples * multiplier * out, examples * in, multiplier * taps};
    for (int k = 0; k < 3; k++) {
        const unsigned char *bytes = (const unsigned char *)outputs[k];
        for (size_t i = 0; i < (size_t)counts[k] * sizeof(float); i++) {
            depthwise_digest = (depthwise_digest ^ bytes[i]) * 1099511628211ull;
        }
    }
    free(x), free(g), free(y), free(xGradient), free(weights), free(wGradient), free(scratch), free(expectedX),
        free(expectedW), free(sizesW);
}

static void check_depthwise(void) {
    state = 0x853C49E6748FEA9Bull;  // the same inputs whatever the checks before drew
    check_depthwise_shape(28, 28, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1);
    check_depthwise_shape(7, 9, 3, 3, 1, 1, 2, 0, 1, 2, 2, 2, 2);
    check_depthwise_shape(14, 13, 5, 5, 2, 2, 2, 2, 2, 2, 1, 1, 1);
    check_depthwise_shape(15, 16, 3, 3, 2, 2, 1, 0, 1, 1, 1, 1, 1);
    check_depthwise_shape(11, 10, 2, 4, 3, 2, 1, 2, 0, 3, 1, 2, 1);
    check_depthwise_shape(5, 6, 3, 3, 2, 2, 4, 4, 4, 4, 1, 1, 2);
    check_depthwise_shape(7, 7, 1, 3, 2, 2, 0, 1, 0, 1, 1, 1, 1);
    check_depthwise_shape(3, 70, 1, 3, 1, 1, 0, 1, 0, 1, 1, 1, 1);
    check_depthwise_shape(13, 12, 5, 3, 4, 40, 2, 1, 2, 1, 2, 1, 2);
    printf("depthwise digest: %016llx\n", (unsigned long long)depthwise_digest);
}

// ReLU's backward pass with each row's sum: the kept gradient exactly (NaN, −0 and +0 outputs
// keep nothing), the sums against long double, on rows shorter and longer than the 16 lanes;
// and a digest of the bits, which run.sh compares between the builds and with ARM64.
static void check_relu_gradient(void) {
    state = 0x2545F4914F6CDD1Dull;
    uint64_t digest = 14695981039346656037ull;
    const ptrdiff_t lengths[] = {1, 7, 16, 49, 196, 300};
    for (int k = 0; k < 6; k++) {
        const ptrdiff_t rows = 5, length = lengths[k], count = rows * length;
        float *u = malloc(sizeof(float) * count), *y = malloc(sizeof(float) * count), *g = malloc(sizeof(float) * count);
        float sums[5];
        for (ptrdiff_t i = 0; i < count; i++) {
            u[i] = (float)(2 * next_uniform() - 1);
            y[i] = (float)(2 * next_uniform() - 1);
        }
        y[0] = NAN;
        if (count > 2) y[1] = -0.0f, y[2] = 0.0f;
        descent_relu_gradient_rows_f32(u, y, g, rows, length, sums);
        int keptRight = 1;
        double worst = 0;
        for (ptrdiff_t r = 0; r < rows; r++) {
            long double sum = 0;
            for (ptrdiff_t i = r * length; i < (r + 1) * length; i++) {
                float expected = y[i] > 0 ? u[i] : 0.0f;
                keptRight &= memcmp(&expected, &g[i], sizeof(float)) == 0;
                sum += expected;
            }
            worst = fmax(worst, fabs((double)(sum - sums[r])));
        }
        char what[120];
        snprintf(what, sizeof what, "relu gradient rows of %td: the kept gradient", length);
        expect(keptRight, what);
        snprintf(what, sizeof what, "relu gradient rows of %td: the sums", length);
        expect(worst <= 2 * (double)length * FLT_EPSILON * (double)length, what);
        const unsigned char *bytes[] = {(const unsigned char *)g, (const unsigned char *)sums};
        const size_t sizes[] = {sizeof(float) * (size_t)count, sizeof sums};
        for (int b = 0; b < 2; b++) {
            for (size_t i = 0; i < sizes[b]; i++) digest = (digest ^ bytes[b][i]) * 1099511628211ull;
        }
        free(u), free(y), free(g);
    }
    printf("relu gradient digest: %016llx\n", (unsigned long long)digest);
}

int main(void) {
    check_all_gemm(descent_kernel_variant(), descent_sgemm, descent_dgemm);
#if defined(__x86_64__)
    if (descent_cpu_has_avx2_fma()) check_all_gemm("avx2", descent_sgemm_avx2, descent_dgemm);
#endif
    check_all_gemm("portable", descent_sgemm_portable, descent_dgemm_portable);
#if defined(__x86_64__)
    if (descent_cpu_has_avx512()) check_all_fused("fused avx512", DESCENT_KERNELS_AVX512);
    if (descent_cpu_has_avx2_fma()) check_all_fused("fused avx2", DESCENT_KERNELS_AVX2);
    check_all_fused("fused portable", DESCENT_KERNELS_PORTABLE);
#else
    check_all_fused("fused neon", DESCENT_KERNELS_BEST);
#endif
#if defined(__x86_64__)
    if (descent_cpu_has_avx512()) check_gemv_avx512();
#endif
    check_optimizers();
    check_max_pool();
    check_gather();
    check_winograd();
    check_panel_multiply();
    check_batch_norm();
    check_gelu();
    check_exponentials();
    check_depthwise();
    check_relu_gradient();
    print_random_digest();
#if defined(__x86_64__)
    printf("kernels checked: %s%s, portable; skipped: %s\n", descent_kernel_variant(),
           strcmp(descent_kernel_variant(), "avx512") == 0 ? ", avx2" : "",
           descent_cpu_has_avx512() ? "none" : descent_cpu_has_avx2_fma() ? "avx512 (not on this CPU)"
                                                                          : "avx512, avx2 (not on this CPU)");
#else
    printf("kernels checked: %s, portable\n", descent_kernel_variant());
#endif
    printf("%d checks, %d failed\n", checks, failures);
    return failures == 0 ? 0 : 1;
}
