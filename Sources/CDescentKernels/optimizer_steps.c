// The element-wise update rules of the common optimizers, over whole buffers: the loops that
// every training step runs over every parameter. The formulas, and the cases they cover, are
// documented in the Swift optimizers (Sources/DescentNN/Optimizers), which call these, through
// the CPU backend's fused step, for every setting (their tensor-operation form is the other
// path, `usesFusedStep`).
//
// Compiled twice, plain and with AVX2 + FMA enabled, and picked by CPU at run time. RMSProp and
// Adam are bound by their square root and division; 8-wide AVX instructions do them twice as
// fast as the 4-wide SSE ones that plain x86-64 code (and Swift) gets. Contraction into FMA is
// off, so that both builds round exactly as the Swift rules do, step by step.
#include "CDescentKernels.h"

#pragma clang fp contract(off)

// A square root without C's errno check, so that the loops vectorize: clang's elementwise
// builtin where it exists (Linux builds default to math-errno), else the plain one (Apple's
// toolchains default to no errno).
#if __has_builtin(__builtin_elementwise_sqrt)
#define SQUARE_ROOT(x) __builtin_elementwise_sqrt(x)
#else
#define SQUARE_ROOT(x) _Generic((x), float: __builtin_sqrtf, double: __builtin_sqrt)(x)
#endif

// Moving-average update a + w(b − a), rounded as PyTorch's lerp_: from a for small weights, from
// b for large ones.
#define LERP(a, b, w, small) ((small) ? (a) + (w) * ((b) - (a)) : (b) - ((b) - (a)) * (1 - (w)))

// The Adam loop of adam_* and adam_amsgrad_*, with AMSGrad fixed (0 or 1): v̂ ← max(v̂, v) as
// Swift's max (v̂ unless v ≥ v̂, so a NaN v̂ stays), and √v̂ for √v.
#define ADAM_LOOP(T, AMSGRAD)                                                                       \
    {                                                                                               \
        T shrink = (T)s->shrink, decay = (T)s->decay, w1 = (T)s->oneMinusBeta1;                     \
        int shrinks = s->shrinks, decays = s->decays;                                               \
        T beta2 = (T)s->beta2, w2 = (T)s->oneMinusBeta2, stepSize = (T)s->stepSize;                 \
        T correction = (T)s->biasCorrection2SquareRoot, epsilon = (T)s->epsilon;                    \
        int small = w1 < (T)0.5 && w1 > (T)-0.5;                                                    \
        for (ptrdiff_t i = 0; i < n; i++) {                                                         \
            T ti = shrinks ? theta[i] * shrink : theta[i];                                          \
            T gi = decays ? g[i] + decay * ti : g[i];                                               \
            T mi = LERP(m[i], gi, w1, small);                                                       \
            T vi = v[i] * beta2 + w2 * gi * gi;                                                     \
            m[i] = mi;                                                                              \
            v[i] = vi;                                                                              \
            T most = vi;                                                                            \
            if (AMSGRAD) {                                                                          \
                most = vi >= vMax[i] ? vi : vMax[i];                                                \
                vMax[i] = most;                                                                     \
            }                                                                                       \
            theta[i] = ti - stepSize * (mi / (SQUARE_ROOT(most) / correction + epsilon));           \
        }                                                                                           \
    }

// One RMSProp loop of rmsprop_general_* with centering and momentum fixed (0 or 1).
#define RMSPROP_LOOP(T, CENTERED, MOMENTUM)                                                         \
    {                                                                                               \
        for (ptrdiff_t i = 0; i < n; i++) {                                                         \
            T gi = decays ? g[i] + decay * theta[i] : g[i];                                         \
            T vi = v[i] * alpha + w * gi * gi;                                                      \
            v[i] = vi;                                                                              \
            T a;                                                                                    \
            if (CENTERED) {                                                                         \
                T ai = LERP(average[i], gi, w, small);                                              \
                average[i] = ai;                                                                    \
                a = SQUARE_ROOT(vi - ai * ai);                                                      \
            } else {                                                                                \
                a = SQUARE_ROOT(vi);                                                                \
            }                                                                                       \
            a += epsilon;                                                                           \
            if (MOMENTUM) {                                                                         \
                T bi = b[i] * mu + gi / a;                                                          \
                b[i] = bi;                                                                          \
                theta[i] -= eta * bi;                                                               \
            } else {                                                                                \
                theta[i] -= eta * (gi / a);                                                         \
            }                                                                                       \
        }                                                                                           \
    }

#define DEFINE_STEPS(SUFFIX, T, ATTRIBUTES)                                                         \
    ATTRIBUTES static void sgd_##SUFFIX(const T *g, T *theta, ptrdiff_t n, T eta) {                 \
        for (ptrdiff_t i = 0; i < n; i++) theta[i] -= eta * g[i];                                   \
    }                                                                                               \
    /* Two loops, with and without the momentum buffer, which is θ itself when unused. */           \
    ATTRIBUTES static void sgd_general_##SUFFIX(const T *restrict g, T *restrict theta, T *restrict b, \
                                                 ptrdiff_t n, const descent_sgd_settings *s) {      \
        T decay = (T)s->decay, mu = (T)s->momentum, oneMinusTau = (T)s->oneMinusDampening;          \
        T eta = (T)s->learningRate;                                                                 \
        int decays = s->decays, first = s->firstStep, nesterov = s->nesterov;                       \
        if (!s->hasMomentum) {                                                                      \
            for (ptrdiff_t i = 0; i < n; i++) {                                                     \
                T gi = decays ? g[i] + decay * theta[i] : g[i];                                     \
                theta[i] -= eta * gi;                                                               \
            }                                                                                       \
            return;                                                                                 \
        }                                                                                           \
        for (ptrdiff_t i = 0; i < n; i++) {                                                         \
            T gi = decays ? g[i] + decay * theta[i] : g[i];                                         \
            T bi = first ? gi : mu * b[i] + oneMinusTau * gi;                                       \
            b[i] = bi;                                                                              \
            theta[i] -= eta * (nesterov ? gi + mu * bi : bi);                                       \
        }                                                                                           \
    }                                                                                               \
    ATTRIBUTES static void rmsprop_##SUFFIX(const T *g, T *theta, T *v, ptrdiff_t n, T alpha,      \
                                             T oneMinusAlpha, T eta, T epsilon) {                   \
        for (ptrdiff_t i = 0; i < n; i++) {                                                         \
            T gi = g[i];                                                                            \
            T vi = v[i] * alpha + oneMinusAlpha * gi * gi;                                          \
            v[i] = vi;                                                                              \
            theta[i] -= eta * (gi / (SQUARE_ROOT(vi) + epsilon));                    \
        }                                                                                           \
    }                                                                                               \
    ATTRIBUTES static void adam_##SUFFIX(const T *g, T *theta, T *m, T *v, ptrdiff_t n,            \
                                          const descent_adam_settings *s) {                         \
        T *const vMax = NULL; /* never read without AMSGrad */                                      \
        ADAM_LOOP(T, 0)                                                                             \
    }                                                                                               \
    /* RMSProp's other settings, one loop per combination of centering and momentum (as one    \
       loop with branches, it ran scalar). Unused buffers are θ itself, never touched. */         \
    ATTRIBUTES static void rmsprop_general_##SUFFIX(const T *restrict g, T *restrict theta, T *restrict v,     \
                                                     T *restrict average, T *restrict b, ptrdiff_t n,         \
                                                     const descent_rmsprop_settings *s) {                     \
        T decay = (T)s->decay, alpha = (T)s->alpha, w = (T)s->oneMinusAlpha, epsilon = (T)s->epsilon;        \
        T mu = (T)s->momentum, eta = (T)s->learningRate;                                                     \
        int decays = s->decays, small = w < (T)0.5 && w > (T)-0.5;                                            \
        if (s->centered) {                                                                                    \
            if (s->hasMomentum) RMSPROP_LOOP(T, 1, 1) else RMSPROP_LOOP(T, 1, 0)                              \
        } else {                                                                                              \
            if (s->hasMomentum) RMSPROP_LOOP(T, 0, 1) else RMSPROP_LOOP(T, 0, 0)                              \
        }                                                                                                     \
    }                                                                                                         \
    /* Adam with AMSGrad: the plain rule with v̂ = max(v̂, v) in the denominator. */              \
    ATTRIBUTES static void adam_amsgrad_##SUFFIX(const T *restrict g, T *restrict theta, T *restrict m, \
                                                  T *restrict v, T *restrict vMax, ptrdiff_t n,     \
                                                  const descent_adam_settings *s) {                 \
        ADAM_LOOP(T, 1)                                                                             \
    }                                                                                               \
    ATTRIBUTES static void adagrad_##SUFFIX(const T *restrict g, T *restrict theta, T *restrict sum,         \
                                             ptrdiff_t n, const descent_adagrad_settings *s) {                \
        T decay = (T)s->decay, eta = (T)s->learningRate, epsilon = (T)s->epsilon;                             \
        int decays = s->decays;                                                                               \
        for (ptrdiff_t i = 0; i < n; i++) {                                                                   \
            T gi = decays ? g[i] + decay * theta[i] : g[i];                                                   \
            T si = sum[i] + gi * gi;                                                                          \
            sum[i] = si;                                                                                      \
            theta[i] -= eta * (gi / (SQUARE_ROOT(si) + epsilon));                                             \
        }                                                                                                     \
    }                                                                                                         \
    ATTRIBUTES static void adamax_##SUFFIX(const T *restrict g, T *restrict theta, T *restrict m,             \
                                            T *restrict u, ptrdiff_t n, const descent_adamax_settings *s) {   \
        T decay = (T)s->decay, w1 = (T)s->oneMinusBeta1, beta2 = (T)s->beta2, epsilon = (T)s->epsilon;       \
        T stepSize = (T)s->stepSize;                                                                          \
        int decays = s->decays, small = w1 < (T)0.5 && w1 > (T)-0.5;                                          \
        for (ptrdiff_t i = 0; i < n; i++) {                                                                   \
            T gi = decays ? g[i] + decay * theta[i] : g[i];                                                   \
            T mi = LERP(m[i], gi, w1, small);                                                                 \
            /* max(β₂u, |g| + ε) as the tensor `maximum`: a NaN on either side gives NaN. */            \
            T decayed = u[i] * beta2, fresh = (gi < 0 ? -gi : gi) + epsilon;                                  \
            T ui = decayed != decayed || decayed > fresh ? decayed : fresh;                                   \
            m[i] = mi;                                                                                        \
            u[i] = ui;                                                                                        \
            theta[i] -= stepSize * (mi / ui);                                                                 \
        }                                                                                                     \
    }                                                                                                         \
    ATTRIBUTES static void nadam_##SUFFIX(const T *restrict g, T *restrict theta, T *restrict m,              \
                                           T *restrict v, ptrdiff_t n, const descent_nadam_settings *s) {     \
        T shrink = (T)s->shrink, decay = (T)s->decay, w1 = (T)s->oneMinusBeta1;                               \
        T beta2 = (T)s->beta2, w2 = (T)s->oneMinusBeta2, correction = (T)s->biasCorrection2;                 \
        T epsilon = (T)s->epsilon, gradientStep = (T)s->gradientStep, averageStep = (T)s->averageStep;       \
        int shrinks = s->shrinks, decays = s->decays, small = w1 < (T)0.5 && w1 > (T)-0.5;                    \
        for (ptrdiff_t i = 0; i < n; i++) {                                                                   \
            T ti = shrinks ? theta[i] * shrink : theta[i];                                                    \
            T gi = decays ? g[i] + decay * ti : g[i];                                                         \
            T mi = LERP(m[i], gi, w1, small);                                                                 \
            T vi = v[i] * beta2 + w2 * gi * gi;                                                               \
            T d = SQUARE_ROOT(vi / correction) + epsilon;                                                     \
            m[i] = mi;                                                                                        \
            v[i] = vi;                                                                                        \
            ti = ti - gradientStep * (gi / d);                                                                \
            theta[i] = ti - averageStep * (mi / d);                                                           \
        }                                                                                                     \
    }                                                                                                         \
    ATTRIBUTES static void adadelta_##SUFFIX(const T *g, T *theta, T *v, T *u, ptrdiff_t n,        \
                                              int decays, T decay, T rho, T oneMinusRho, T eta,     \
                                              T epsilon) {                                          \
        for (ptrdiff_t i = 0; i < n; i++) {                                                         \
            T gi = decays ? g[i] + decay * theta[i] : g[i];                                         \
            T vi = v[i] * rho + oneMinusRho * gi * gi;                                              \
            T delta = SQUARE_ROOT(u[i] + epsilon) / SQUARE_ROOT(vi + epsilon) * gi;                 \
            v[i] = vi;                                                                              \
            u[i] = u[i] * rho + oneMinusRho * delta * delta;                                        \
            theta[i] -= eta * delta;                                                                \
        }                                                                                           \
    }

DEFINE_STEPS(f32_portable, float, )
DEFINE_STEPS(f64_portable, double, )
#if defined(__x86_64__)
DEFINE_STEPS(f32_avx2, float, __attribute__((target("avx2,fma"))))
DEFINE_STEPS(f64_avx2, double, __attribute__((target("avx2,fma"))))
#define HAS_AVX2 descent_cpu_has_avx2_fma()
#else
#define sgd_f32_avx2 sgd_f32_portable
#define sgd_f64_avx2 sgd_f64_portable
#define sgd_general_f32_avx2 sgd_general_f32_portable
#define sgd_general_f64_avx2 sgd_general_f64_portable
#define rmsprop_f32_avx2 rmsprop_f32_portable
#define rmsprop_f64_avx2 rmsprop_f64_portable
#define adam_f32_avx2 adam_f32_portable
#define adam_f64_avx2 adam_f64_portable
#define rmsprop_general_f32_avx2 rmsprop_general_f32_portable
#define rmsprop_general_f64_avx2 rmsprop_general_f64_portable
#define adam_amsgrad_f32_avx2 adam_amsgrad_f32_portable
#define adam_amsgrad_f64_avx2 adam_amsgrad_f64_portable
#define adadelta_f32_avx2 adadelta_f32_portable
#define adagrad_f32_avx2 adagrad_f32_portable
#define adagrad_f64_avx2 adagrad_f64_portable
#define adamax_f32_avx2 adamax_f32_portable
#define adamax_f64_avx2 adamax_f64_portable
#define nadam_f32_avx2 nadam_f32_portable
#define nadam_f64_avx2 nadam_f64_portable
#define adadelta_f64_avx2 adadelta_f64_portable
#define HAS_AVX2 0
#endif

// 1 when the AVX2 builds run here, else 0; decided once.
static int use_avx2(void) {
    static int state = -1;
    if (state < 0) state = HAS_AVX2;
    return state;
}

void descent_sgd_step_f32(const float *g, float *theta, ptrdiff_t n, float eta) {
    (use_avx2() ? sgd_f32_avx2 : sgd_f32_portable)(g, theta, n, eta);
}

void descent_sgd_step_f64(const double *g, double *theta, ptrdiff_t n, double eta) {
    (use_avx2() ? sgd_f64_avx2 : sgd_f64_portable)(g, theta, n, eta);
}

void descent_sgd_general_step_f32(const float *g, float *theta, float *momentumBuffer, ptrdiff_t n,
                                  const descent_sgd_settings *settings) {
    (use_avx2() ? sgd_general_f32_avx2 : sgd_general_f32_portable)(g, theta, momentumBuffer, n, settings);
}

void descent_sgd_general_step_f64(const double *g, double *theta, double *momentumBuffer, ptrdiff_t n,
                                  const descent_sgd_settings *settings) {
    (use_avx2() ? sgd_general_f64_avx2 : sgd_general_f64_portable)(g, theta, momentumBuffer, n, settings);
}

void descent_rmsprop_step_f32(const float *g, float *theta, float *v, ptrdiff_t n, float alpha,
                              float oneMinusAlpha, float eta, float epsilon) {
    (use_avx2() ? rmsprop_f32_avx2 : rmsprop_f32_portable)(g, theta, v, n, alpha, oneMinusAlpha, eta, epsilon);
}

void descent_rmsprop_step_f64(const double *g, double *theta, double *v, ptrdiff_t n, double alpha,
                              double oneMinusAlpha, double eta, double epsilon) {
    (use_avx2() ? rmsprop_f64_avx2 : rmsprop_f64_portable)(g, theta, v, n, alpha, oneMinusAlpha, eta, epsilon);
}

void descent_adam_step_f32(const float *g, float *theta, float *m, float *v, ptrdiff_t n,
                           const descent_adam_settings *settings) {
    (use_avx2() ? adam_f32_avx2 : adam_f32_portable)(g, theta, m, v, n, settings);
}

void descent_adam_step_f64(const double *g, double *theta, double *m, double *v, ptrdiff_t n,
                           const descent_adam_settings *settings) {
    (use_avx2() ? adam_f64_avx2 : adam_f64_portable)(g, theta, m, v, n, settings);
}

void descent_rmsprop_general_step_f32(const float *g, float *theta, float *v, float *average, float *momentumBuffer,
                                      ptrdiff_t n, const descent_rmsprop_settings *settings) {
    (use_avx2() ? rmsprop_general_f32_avx2 : rmsprop_general_f32_portable)(g, theta, v, average, momentumBuffer, n,
                                                                           settings);
}

void descent_rmsprop_general_step_f64(const double *g, double *theta, double *v, double *average,
                                      double *momentumBuffer, ptrdiff_t n, const descent_rmsprop_settings *settings) {
    (use_avx2() ? rmsprop_general_f64_avx2 : rmsprop_general_f64_portable)(g, theta, v, average, momentumBuffer, n,
                                                                           settings);
}

void descent_adam_amsgrad_step_f32(const float *g, float *theta, float *m, float *v, float *vMax, ptrdiff_t n,
                                   const descent_adam_settings *settings) {
    (use_avx2() ? adam_amsgrad_f32_avx2 : adam_amsgrad_f32_portable)(g, theta, m, v, vMax, n, settings);
}

void descent_adam_amsgrad_step_f64(const double *g, double *theta, double *m, double *v, double *vMax, ptrdiff_t n,
                                   const descent_adam_settings *settings) {
    (use_avx2() ? adam_amsgrad_f64_avx2 : adam_amsgrad_f64_portable)(g, theta, m, v, vMax, n, settings);
}

void descent_adadelta_step_f32(const float *g, float *theta, float *v, float *u, ptrdiff_t n,
                               int decays, float decay, float rho, float oneMinusRho, float eta,
                               float epsilon) {
    (use_avx2() ? adadelta_f32_avx2 : adadelta_f32_portable)(g, theta, v, u, n, decays, decay, rho,
                                                             oneMinusRho, eta, epsilon);
}

void descent_adadelta_step_f64(const double *g, double *theta, double *v, double *u, ptrdiff_t n,
                               int decays, double decay, double rho, double oneMinusRho, double eta,
                               double epsilon) {
    (use_avx2() ? adadelta_f64_avx2 : adadelta_f64_portable)(g, theta, v, u, n, decays, decay, rho,
                                                             oneMinusRho, eta, epsilon);
}

void descent_adagrad_step_f32(const float *g, float *theta, float *sum, ptrdiff_t n,
                              const descent_adagrad_settings *settings) {
    (use_avx2() ? adagrad_f32_avx2 : adagrad_f32_portable)(g, theta, sum, n, settings);
}

void descent_adagrad_step_f64(const double *g, double *theta, double *sum, ptrdiff_t n,
                              const descent_adagrad_settings *settings) {
    (use_avx2() ? adagrad_f64_avx2 : adagrad_f64_portable)(g, theta, sum, n, settings);
}

void descent_adamax_step_f32(const float *g, float *theta, float *m, float *u, ptrdiff_t n,
                             const descent_adamax_settings *settings) {
    (use_avx2() ? adamax_f32_avx2 : adamax_f32_portable)(g, theta, m, u, n, settings);
}

void descent_adamax_step_f64(const double *g, double *theta, double *m, double *u, ptrdiff_t n,
                             const descent_adamax_settings *settings) {
    (use_avx2() ? adamax_f64_avx2 : adamax_f64_portable)(g, theta, m, u, n, settings);
}

void descent_nadam_step_f32(const float *g, float *theta, float *m, float *v, ptrdiff_t n,
                            const descent_nadam_settings *settings) {
    (use_avx2() ? nadam_f32_avx2 : nadam_f32_portable)(g, theta, m, v, n, settings);
}

void descent_nadam_step_f64(const double *g, double *theta, double *m, double *v, ptrdiff_t n,
                            const descent_nadam_settings *settings) {
    (use_avx2() ? nadam_f64_avx2 : nadam_f64_portable)(g, theta, m, v, n, settings);
}
