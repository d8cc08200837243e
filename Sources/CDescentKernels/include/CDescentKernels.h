#ifndef CDESCENT_KERNELS_H
#define CDESCENT_KERNELS_H

#include <stddef.h>
#include <stdint.h>

/// Returns 1 when this CPU can run the AVX2 + FMA kernels, else 0.
int descent_cpu_has_avx2_fma(void);

/// Returns 1 when this CPU and its OS can run the AVX-512F kernels, else 0.
int descent_cpu_has_avx512(void);

/// Returns 1 on an AMD CPU of family 25 (Zen 3 and Zen 4; with AVX-512, Zen 4), else 0.
int descent_cpu_is_amd_family_25(void);

/// Tells the processor that the calling thread is polling in a spin loop: x86's PAUSE, ARM's
/// YIELD. Between two hyperthreads of one core, a loop without it competes for the core's
/// execution units with the thread doing the work, and on x86 its exit costs a pipeline flush
/// when the polled value changes. The worker pool's polling loops call it on every turn.
static inline void descent_spin_loop_hint(void) {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__) || defined(__arm__)
    __asm__ __volatile__("yield");
#endif
}

/// The micro-kernels `descent_sgemm` runs: "avx512", "avx2", "neon" or "portable" — the best
/// the CPU supports, or a lesser one named by the environment variable DESCENT_KERNELS
/// ("avx2" or "portable"), read once.
const char *descent_kernel_variant(void);

/// Makes the calling thread treat denormal numbers (below 1.2e-38 in float32) as zero, inputs
/// and results, and returns the previous floating-point control state for
/// `descent_flush_denormals_end`. Arithmetic on denormals takes a slow path in the CPU, up to
/// a hundred times slower; a network near convergence has many of them. Does nothing on CPUs
/// other than x86-64 and arm64.
unsigned long descent_flush_denormals_begin(void);

/// Makes the calling thread flush denormals to zero (`flush` nonzero) or keep them (zero), and
/// returns the previous control state for `descent_flush_denormals_end`. Threads inherit this
/// state from the thread that created them, so a worker started during training flushes until
/// told otherwise.
unsigned long descent_flush_denormals_set(int flush);

/// Restores the floating-point control state that `descent_flush_denormals_begin` or
/// `descent_flush_denormals_set` returned.
void descent_flush_denormals_end(unsigned long previous);

/// Nonzero when the calling thread treats denormal numbers as zero (between
/// `descent_flush_denormals_begin` and `descent_flush_denormals_end`, or set by other code).
int descent_denormals_are_flushed(void);

/// Copies `count` slices of `sliceBytes` bytes each to `destination`, one after another: slice i
/// is the slice numbered `indices[i]` of `source` (at byte indices[i]·sliceBytes). Every index
/// must lie inside `source` (the caller checks); the two buffers must not overlap.
void descent_gather_slices(const void *source, size_t sliceBytes, const ptrdiff_t *indices, ptrdiff_t count,
                           void *destination);

/// Max pooling of `planes` float32 planes of `height`×`width` with a 2×2 window, stride 2 and no
/// padding, into planes of `outHeight`×`outWidth` (at most half the input's each way), writing
/// each window's maximum and its flat position in its input plane; the first maximum wins a tie,
/// NaN wins over numbers. With `relu` nonzero each input is read as relu(x) (NaN and −0 as +0):
/// the pooling of a ReLU's output, without the ReLU's pass.
void descent_max_pool_2x2(const float *input, float *output, int32_t *indices, ptrdiff_t planes,
                          ptrdiff_t height, ptrdiff_t width, ptrdiff_t outHeight,
                          ptrdiff_t outWidth, int relu);

/// The geometry of a depthwise convolution's planes (see depthwise.c): an input plane of
/// `height`×`width`, an output plane of `outHeight`×`outWidth`, and the kernel's size, stride,
/// padding before (top, left; the padding after only sets the output's size) and dilation.
typedef struct {
    ptrdiff_t height, width, outHeight, outWidth;
    ptrdiff_t kernelHeight, kernelWidth, strideY, strideX, padTop, padLeft, dilationY, dilationX;
} descent_depthwise_geometry;

/// The elements (of `elementSize` bytes: 4 for float, 8 for double) of scratch memory that each
/// call below needs with `multiplier` filters per input channel: its `scratch` argument, aligned
/// as a pointer, for one thread's use at a time.
ptrdiff_t descent_depthwise_scratch_count(const descent_depthwise_geometry *geometry, ptrdiff_t multiplier,
                                          ptrdiff_t elementSize);

/// The `multiplier` output planes (consecutive) that read one input plane: each its `bias` value
/// (none where NULL) plus its `kernelHeight`×`kernelWidth` filter (consecutive in `weights`) slid
/// over the input plane, the padding zero; then ReLU where `relu` is nonzero (x > 0 ? x : +0).
void descent_depthwise_conv2d_f32(const descent_depthwise_geometry *geometry, const float *input,
                                  const float *weights, const float *bias, ptrdiff_t multiplier, int relu,
                                  float *output, float *scratch);
void descent_depthwise_conv2d_f64(const descent_depthwise_geometry *geometry, const double *input,
                                  const double *weights, const double *bias, ptrdiff_t multiplier, int relu,
                                  double *output, double *scratch);

/// One input plane's gradient (written, not accumulated) from the `multiplier` output planes
/// that read it (`upstream`, consecutive) and their filters (`weights`, consecutive).
void descent_depthwise_conv2d_input_gradient_f32(const descent_depthwise_geometry *geometry, const float *upstream,
                                                 const float *weights, ptrdiff_t multiplier, float *inputGradient,
                                                 float *scratch);
void descent_depthwise_conv2d_input_gradient_f64(const descent_depthwise_geometry *geometry, const double *upstream,
                                                 const double *weights, ptrdiff_t multiplier, double *inputGradient,
                                                 double *scratch);

/// The gradients (written, not accumulated) of `multiplier` filters that read one input channel,
/// over `examples` examples: in each, the filters' output planes' gradients (consecutive, from
/// `upstream`) and the input plane they read; examples are `upstreamStride` and `inputStride`
/// elements apart.
void descent_depthwise_conv2d_weight_gradient_f32(const descent_depthwise_geometry *geometry, const float *upstream,
                                                  ptrdiff_t upstreamStride, const float *input, ptrdiff_t inputStride,
                                                  ptrdiff_t examples, ptrdiff_t multiplier, float *weightGradient,
                                                  float *scratch);
void descent_depthwise_conv2d_weight_gradient_f64(const descent_depthwise_geometry *geometry, const double *upstream,
                                                  ptrdiff_t upstreamStride, const double *input, ptrdiff_t inputStride,
                                                  ptrdiff_t examples, ptrdiff_t multiplier, double *weightGradient,
                                                  double *scratch);

/// ReLU's backward pass with the sums of a bias's gradient (see relu_gradient.c), over `rows`
/// rows of `length` elements: kept[i] = output[i] > 0 ? upstream[i] : 0, and `rowSums[r]` the sum
/// of row r of `kept`.
void descent_relu_gradient_rows_f32(const float *upstream, const float *output, float *kept, ptrdiff_t rows,
                                    ptrdiff_t length, float *rowSums);
void descent_relu_gradient_rows_f64(const double *upstream, const double *output, double *kept, ptrdiff_t rows,
                                    ptrdiff_t length, double *rowSums);

/// Batch normalization in training mode (see batch_norm.c) of `x`, laid out [outer, channels,
/// inner], for the channels `first` ..< `first + count`: each channel's mean μ and biased variance
/// σ² over its outer·inner elements, written to `mean[c]` and `variance[c]`, and
/// y = (x − μ)·γ/√(σ² + ε) + β, with γ = `weight[c]` and β = `bias[c]` (1 and 0 where NULL);
/// with `relu` nonzero, y > 0 ? y : 0.
void descent_batch_norm_f32(const float *x, float *y, const float *weight, const float *bias, ptrdiff_t outer,
                            ptrdiff_t channels, ptrdiff_t inner, ptrdiff_t first, ptrdiff_t count,
                            double epsilon, int relu, float *mean, float *variance);
void descent_batch_norm_f64(const double *x, double *y, const double *weight, const double *bias,
                            ptrdiff_t outer, ptrdiff_t channels, ptrdiff_t inner, ptrdiff_t first,
                            ptrdiff_t count, double epsilon, int relu, double *mean, double *variance);

/// The gradients of `descent_batch_norm_*` for the same channels, given the upstream gradient ḡ
/// (laid out as x) and the mean and variance it computed: x̄ into `inputGradient`,
/// γ̄ = Σ ḡ·x̂ into `weightGradient[c]` and β̄ = Σ ḡ into `biasGradient[c]`, where
/// x̂ = (x − μ)/√(σ² + ε) (`weight` NULL: γ = 1). With `relu` nonzero, ḡ is first kept only
/// where the forward pass's y (before ReLU), recomputed bit for bit from x, μ, σ², γ and β, is
/// positive; `bias` is read only then.
void descent_batch_norm_backward_f32(const float *g, const float *x, const float *mean, const float *variance,
                                     const float *weight, const float *bias, ptrdiff_t outer, ptrdiff_t channels,
                                     ptrdiff_t inner, ptrdiff_t first, ptrdiff_t count, double epsilon, int relu,
                                     float *inputGradient, float *weightGradient, float *biasGradient);
void descent_batch_norm_backward_f64(const double *g, const double *x, const double *mean,
                                     const double *variance, const double *weight, const double *bias,
                                     ptrdiff_t outer, ptrdiff_t channels, ptrdiff_t inner, ptrdiff_t first,
                                     ptrdiff_t count, double epsilon, int relu, double *inputGradient,
                                     double *weightGradient, double *biasGradient);

/// eˣ, tanh x and σ(x) = 1/(1 + e⁻ˣ) of `count` floats (see exponentials.c), within an ulp.
void descent_exp_f32(const float *x, float *y, ptrdiff_t count);
void descent_tanh_f32(const float *x, float *y, ptrdiff_t count);
void descent_sigmoid_f32(const float *x, float *y, ptrdiff_t count);

/// ELU (see activations.c) of `count` elements: y = x > 0 ? x : α·(eˣ − 1); and its derivative
/// rule, y = g·(x > 0 ? 1 : α·eˣ) for the upstream gradient `g`.
void descent_elu_f32(const float *x, float *y, ptrdiff_t count, double alpha);
void descent_elu_f64(const double *x, double *y, ptrdiff_t count, double alpha);
void descent_elu_backward_f32(const float *g, const float *x, float *y, ptrdiff_t count, double alpha);
void descent_elu_backward_f64(const double *g, const double *x, double *y, ptrdiff_t count, double alpha);

/// Softplus (see activations.c) of `count` elements: y = βx > threshold ? x : ln(1 + e^(βx))/β;
/// and its derivative rule, y = g·(βx > threshold ? 1 : σ(βx)) for the upstream gradient `g`.
void descent_softplus_f32(const float *x, float *y, ptrdiff_t count, double beta, double threshold);
void descent_softplus_f64(const double *x, double *y, ptrdiff_t count, double beta, double threshold);
void descent_softplus_backward_f32(const float *g, const float *x, float *y, ptrdiff_t count, double beta,
                                   double threshold);
void descent_softplus_backward_f64(const double *g, const double *x, double *y, ptrdiff_t count, double beta,
                                   double threshold);

/// GELU (see gelu.c) of `count` elements: y = x·Φ(x), or x·σ(2u) with u = √(2/π)(x + 0.044715x³)
/// when `tanhApproximation` is nonzero (PyTorch's `approximate='tanh'`).
void descent_gelu_f32(const float *x, float *y, ptrdiff_t count, int tanhApproximation);
void descent_gelu_f64(const double *x, double *y, ptrdiff_t count, int tanhApproximation);

/// GELU's derivative rule: y = g·GELU′(x) for `count` elements of the upstream gradient `g` and
/// the input `x`.
void descent_gelu_backward_f32(const float *g, const float *x, float *y, ptrdiff_t count, int tanhApproximation);
void descent_gelu_backward_f64(const double *g, const double *x, double *y, ptrdiff_t count,
                               int tanhApproximation);

/// Winograd F(4×4, 3×3) (see winograd.c): the 3×3 filters [out][in][3][3] transformed to
/// U = G g Gᵀ, as [36][out][in] — or, when `flipped` is nonzero, each filter turned half a turn
/// and its channels swapped, as [36][in][out], the filters that carry an output's gradient back
/// to the input.
void descent_winograd_f43_filters(const float *weights, ptrdiff_t outChannels, ptrdiff_t inChannels, int flipped,
                                  float *transformed);

/// `descent_winograd_f43_filters` for the filters of output channels `firstOut` ..< `endOut`
/// only (the rest of `transformed` untouched): so that threads can share the work.
void descent_winograd_f43_filter_range(const float *weights, ptrdiff_t outChannels, ptrdiff_t inChannels, int flipped,
                                       ptrdiff_t firstOut, ptrdiff_t endOut, float *transformed);

/// Arrays of Winograd-transformed values hold, for each of the 36 positions ξ, a `channels`×`ld`
/// matrix whose columns are blocks, position ξ at ξ·`stride` (`stride` ≥ channels·ld); each
/// position's matrix is stored in panels of `panel` columns (`ld` a multiple of `panel`): column
/// t of channel c is at (t − t mod panel)·channels + c·panel + t mod panel, so that each panel is
/// a contiguous channels×panel matrix — the order the matrix multiply's micro-kernel reads (see
/// `descent_sgemm_panel_multiply`). With `panel` equal to `ld`, a position is an ordinary
/// row-major channels×ld matrix. One example's blocks take the `blocksHigh`·`blocksWide` columns
/// from `first`, block (i, j) in column `first` + i·blocksWide + j. (A `stride` that is not a
/// multiple of 4 KB keeps the 36 positions of a block out of each other's cache sets.)

/// Winograd F(4×4, 3×3): each 6×6 input patch d under a 4×4 output block, Bᵀ d B, for
/// `blocksHigh`×`blocksWide` blocks of one example's `channels` planes (zero outside the input;
/// block (i, j) reads rows from 4i − padTop, columns from 4j − padLeft), into `transformed`
/// [36][channels][ld] laid out as above.
void descent_winograd_f43_inputs(const float *input, ptrdiff_t channels, ptrdiff_t height, ptrdiff_t width,
                                 ptrdiff_t padTop, ptrdiff_t padLeft, ptrdiff_t blocksHigh, ptrdiff_t blocksWide,
                                 float *transformed, ptrdiff_t stride, ptrdiff_t first, ptrdiff_t panel);

/// Winograd F(4×4, 3×3): one example's products M [36][channels][ld] (laid out as above) back to
/// output blocks, Aᵀ M A plus the channel's bias (none when `bias` is NULL), then ReLU where
/// `relu` is nonzero (x > 0 ? x : +0), written into the example's output
/// [channels][outHeight][outWidth] (the part of a block past the edge is dropped).
void descent_winograd_f43_outputs(const float *products, ptrdiff_t channels, ptrdiff_t stride, ptrdiff_t first,
                                  ptrdiff_t panel, ptrdiff_t blocksHigh, ptrdiff_t blocksWide, const float *bias,
                                  int relu, float *output, ptrdiff_t outHeight, ptrdiff_t outWidth);

/// Winograd F(4×4, 3×3), backward: one example's output gradient [channels][outHeight][outWidth]
/// as the products' gradient A ∂Y Aᵀ per block, into `transformed` [36][channels][ld] laid out as
/// above.
void descent_winograd_f43_output_gradients(const float *gradient, ptrdiff_t channels, ptrdiff_t outHeight,
                                           ptrdiff_t outWidth, ptrdiff_t blocksHigh, ptrdiff_t blocksWide,
                                           float *transformed, ptrdiff_t stride, ptrdiff_t first, ptrdiff_t panel);

/// Winograd F(4×4, 3×3), backward: the transformed filters' gradient ∂U [36][out][in] as the
/// filters' gradient Gᵀ ∂U G, written into `gradient` [out][in][3][3].
void descent_winograd_f43_filter_gradients(const float *transformed, ptrdiff_t outChannels, ptrdiff_t inChannels,
                                           float *gradient);

/// Single-precision matrix multiply on row-major matrices, on the calling thread:
/// C ← op(A)·op(B) + beta·C, where op(A) is m×k, op(B) is k×n and C is m×n; op(X) is Xᵀ when
/// the matching `transpose` flag is nonzero. `lda`, `ldb`, `ldc` are the distances between rows
/// of the matrices as stored. With beta == 0, C is only written (it may hold NaN or garbage).
/// Packed and cache-blocked, with an AVX-512 or AVX2 + FMA micro-kernel where the CPU has one
/// (NEON on ARM64); `descent_kernel_variant` names it.
void descent_sgemm(int transposeA, int transposeB, ptrdiff_t m, ptrdiff_t n, ptrdiff_t k,
                   const float *a, ptrdiff_t lda, const float *b, ptrdiff_t ldb,
                   float *c, ptrdiff_t ldc, float beta);

/// The float32 micro-kernel's tile in use (see `descent_kernel_variant`): `*rows` rows of A by
/// `*columns` columns of B per call — the panel sizes of the two functions below.
void descent_sgemm_panel_shape(int *rows, int *columns);

/// Packs the row-major m×k matrix `a` once for many `descent_sgemm_panel_multiply` calls, into
/// ⌈m / rows⌉·rows·k floats at `packed` (rows as `descent_sgemm_panel_shape` says; the last
/// panel padded with zeros).
void descent_sgemm_pack_a_panels(ptrdiff_t m, ptrdiff_t k, const float *a, ptrdiff_t lda, float *packed);

/// C ← A·B for A packed by `descent_sgemm_pack_a_panels` (m×k) and B one panel already in the
/// micro-kernel's order: a contiguous row-major k×`columns` matrix (`columns` as
/// `descent_sgemm_panel_shape` says), of which the first `used` columns are written to C
/// (m×used, rows `ldc` apart). B must start on a 64-byte boundary. No packing and no blocking: the caller keeps k small enough for
/// the panel to stay in cache (a Winograd product's k is the input's channels).
void descent_sgemm_panel_multiply(ptrdiff_t m, ptrdiff_t k, const float *packedA, const float *b, int used, float *c,
                                  ptrdiff_t ldc);

/// Double-precision matrix multiply; the same contract as `descent_sgemm`.
void descent_dgemm(int transposeA, int transposeB, ptrdiff_t m, ptrdiff_t n, ptrdiff_t k,
                   const double *a, ptrdiff_t lda, const double *b, ptrdiff_t ldb,
                   double *c, ptrdiff_t ldc, double beta);

/// `descent_sgemm` with the AVX2 + FMA micro-kernel where the CPU has it (else the portable one),
/// whatever better one it has: so that tests can check each variant on one machine.
void descent_sgemm_avx2(int transposeA, int transposeB, ptrdiff_t m, ptrdiff_t n, ptrdiff_t k,
                        const float *a, ptrdiff_t lda, const float *b, ptrdiff_t ldb,
                        float *c, ptrdiff_t ldc, float beta);

/// What `descent_sgemm_fused` applies to each element of its output after the sum and the bias.
enum {
    /// f(x) = x.
    DESCENT_ACTIVATION_IDENTITY = 0,
    /// f(x) = x > 0 ? x : 0 (NaN and −0 become +0), as Descent's `relu`.
    DESCENT_ACTIVATION_RELU = 1,
};

/// The micro-kernel variants a caller of `descent_sgemm_fused` may ask for. One the CPU lacks
/// gets the best one below it that it has; DESCENT_KERNELS_BEST gets the variant that
/// `descent_kernel_variant` names.
enum {
    DESCENT_KERNELS_BEST = -1,
    DESCENT_KERNELS_PORTABLE = 0,
    DESCENT_KERNELS_AVX2 = 1,
    DESCENT_KERNELS_AVX512 = 2,
};

/// Matrix multiply with an epilogue, on the calling thread:
/// C ← activation(op(A)·op(B) + beta·C + bias), where `bias` (NULL for none) has n values, one
/// per column of C, and `activation` is a DESCENT_ACTIVATION_ value. The bias and the
/// activation are applied by the micro-kernel while the tile is in its registers (paths without
/// one, for a single row or column, make one pass), so that a dense layer writes its output
/// once. With beta == 0 and a bias the result has the same bits as C set to the bias and then
/// `descent_sgemm` with beta 1, followed by a separate ReLU pass. `variant` is a
/// DESCENT_KERNELS_ value (on ARM64 every request gets NEON). Otherwise the contract of
/// `descent_sgemm`.
void descent_sgemm_fused(int variant, int transposeA, int transposeB, ptrdiff_t m, ptrdiff_t n,
                         ptrdiff_t k, const float *a, ptrdiff_t lda, const float *b, ptrdiff_t ldb,
                         float *c, ptrdiff_t ldc, float beta, const float *bias, int activation);

/// `descent_sgemm_fused` in double precision (the AVX2 kernel serves an AVX-512 request).
void descent_dgemm_fused(int variant, int transposeA, int transposeB, ptrdiff_t m, ptrdiff_t n,
                         ptrdiff_t k, const double *a, ptrdiff_t lda, const double *b, ptrdiff_t ldb,
                         double *c, ptrdiff_t ldc, double beta, const double *bias, int activation);

/// `descent_sgemm` and `descent_dgemm` with the portable micro-kernel whatever the CPU: what
/// CPUs without AVX2 + FMA run, callable everywhere so that tests can check it.
void descent_sgemm_portable(int transposeA, int transposeB, ptrdiff_t m, ptrdiff_t n, ptrdiff_t k,
                            const float *a, ptrdiff_t lda, const float *b, ptrdiff_t ldb,
                            float *c, ptrdiff_t ldc, float beta);
void descent_dgemm_portable(int transposeA, int transposeB, ptrdiff_t m, ptrdiff_t n, ptrdiff_t k,
                            const double *a, ptrdiff_t lda, const double *b, ptrdiff_t ldb,
                            double *c, ptrdiff_t ldc, double beta);

// The element-wise rules of the common optimizers (optimizer_steps.c), over n elements, in
// place. Each is PyTorch's formula for its optimizer's plain settings, as documented in the
// Swift optimizers that call them; AVX2 is used where the CPU has it.

/// SGD without momentum or weight decay: θ ← θ − η·g.
void descent_sgd_step_f32(const float *g, float *theta, ptrdiff_t n, float eta);
void descent_sgd_step_f64(const double *g, double *theta, ptrdiff_t n, double eta);

/// The settings of an SGD step with momentum or weight decay (in double; each kernel rounds them
/// to its element type).
typedef struct {
    int decays;               ///< weight decay: g ← g + decay·θ
    double decay;
    int hasMomentum;          ///< b ← μ·b + (1 − τ)·g (b ← g on the first step); else b is unused
    double momentum;          ///< μ
    double oneMinusDampening; ///< 1 − τ
    int firstStep;
    int nesterov;             ///< step along g + μ·b instead of b
    double learningRate;      ///< θ ← θ − η·step
} descent_sgd_settings;

/// SGD with momentum or weight decay, PyTorch's rule in the order of rounding written above;
/// `momentumBuffer` may be `theta` when there is no momentum (it is then never read).
void descent_sgd_general_step_f32(const float *g, float *theta, float *momentumBuffer, ptrdiff_t n,
                                  const descent_sgd_settings *settings);
void descent_sgd_general_step_f64(const double *g, double *theta, double *momentumBuffer, ptrdiff_t n,
                                  const descent_sgd_settings *settings);

/// Adadelta: g ← g + λθ (when `decays`), v ← ρv + (1 − ρ)g², Δ ← √(u + ε) / √(v + ε) · g,
/// u ← ρu + (1 − ρ)Δ², θ ← θ − ηΔ, element by element in that order of rounding.
void descent_adadelta_step_f32(const float *g, float *theta, float *v, float *u, ptrdiff_t n,
                               int decays, float decay, float rho, float oneMinusRho, float eta,
                               float epsilon);
void descent_adadelta_step_f64(const double *g, double *theta, double *v, double *u, ptrdiff_t n,
                               int decays, double decay, double rho, double oneMinusRho, double eta,
                               double epsilon);

/// RMSProp without weight decay, momentum or centering: v ← α·v + (1 − α)·g²,
/// θ ← θ − η·g / (√v + ε).
void descent_rmsprop_step_f32(const float *g, float *theta, float *v, ptrdiff_t n, float alpha,
                              float oneMinusAlpha, float eta, float epsilon);
void descent_rmsprop_step_f64(const double *g, double *theta, double *v, ptrdiff_t n, double alpha,
                              double oneMinusAlpha, double eta, double epsilon);

/// The settings of an RMSProp step with weight decay, momentum or centering (in double; each
/// kernel rounds them to its element type).
typedef struct {
    int decays;            ///< weight decay: g ← g + decay·θ
    double decay;
    double alpha;          ///< v ← α·v + (1 − α)·g²
    double oneMinusAlpha;
    double epsilon;
    int centered;          ///< ḡ ← lerp(ḡ, g, 1 − α) and √(v − ḡ²) for √v; else ḡ is unused
    int hasMomentum;       ///< b ← μ·b + g/(√v + ε) and θ ← θ − η·b; else b is unused
    double momentum;
    double learningRate;
} descent_rmsprop_settings;

/// RMSProp with weight decay, momentum or centering, in the order of rounding written above;
/// the buffers of options that are off may be `theta` (they are then never read).
void descent_rmsprop_general_step_f32(const float *g, float *theta, float *v, float *average, float *momentumBuffer,
                                      ptrdiff_t n, const descent_rmsprop_settings *settings);
void descent_rmsprop_general_step_f64(const double *g, double *theta, double *v, double *average,
                                      double *momentumBuffer, ptrdiff_t n, const descent_rmsprop_settings *settings);

/// The settings of one Adam step (scalars already computed for the step, in double).
typedef struct {
    int shrinks;                      ///< decoupled weight decay (AdamW): θ ← θ·shrink first
    double shrink;
    int decays;                       ///< L2 weight decay (Adam): g ← g + decay·θ
    double decay;
    double oneMinusBeta1;             ///< m ← lerp(m, g, 1 − β₁)
    double beta2, oneMinusBeta2;      ///< v ← β₂·v + (1 − β₂)·g²
    double stepSize;                  ///< η / (1 − β₁ᵗ)
    double biasCorrection2SquareRoot; ///< √(1 − β₂ᵗ)
    double epsilon;
} descent_adam_settings;

/// Adam and AdamW without AMSGrad: θ ← θ − stepSize·m / (√v / √(1 − β₂ᵗ) + ε).
void descent_adam_step_f32(const float *g, float *theta, float *m, float *v, ptrdiff_t n,
                           const descent_adam_settings *settings);
void descent_adam_step_f64(const double *g, double *theta, double *m, double *v, ptrdiff_t n,
                           const descent_adam_settings *settings);

/// Adam and AdamW with AMSGrad: v̂ ← max(v̂, v), then θ ← θ − stepSize·m / (√v̂ / √(1 − β₂ᵗ) + ε).
void descent_adam_amsgrad_step_f32(const float *g, float *theta, float *m, float *v, float *vMax, ptrdiff_t n,
                                   const descent_adam_settings *settings);
void descent_adam_amsgrad_step_f64(const double *g, double *theta, double *m, double *v, double *vMax, ptrdiff_t n,
                                   const descent_adam_settings *settings);

/// Adagrad (η′ the step's decayed rate): g ← g + λθ (when `decays`), s ← s + g²,
/// θ ← θ − η′·g/(√s + ε).
typedef struct {
    int decays;
    double decay;
    double learningRate;
    double epsilon;
} descent_adagrad_settings;

void descent_adagrad_step_f32(const float *g, float *theta, float *sum, ptrdiff_t n,
                              const descent_adagrad_settings *settings);
void descent_adagrad_step_f64(const double *g, double *theta, double *sum, ptrdiff_t n,
                              const descent_adagrad_settings *settings);

/// Adamax: g ← g + λθ (when `decays`), m ← lerp(m, g, 1 − β₁), u ← max(β₂u, |g| + ε),
/// θ ← θ − stepSize·m/u.
typedef struct {
    int decays;
    double decay;
    double oneMinusBeta1;
    double beta2;
    double epsilon;
    double stepSize;                  ///< η / (1 − β₁ᵗ)
} descent_adamax_settings;

void descent_adamax_step_f32(const float *g, float *theta, float *m, float *u, ptrdiff_t n,
                             const descent_adamax_settings *settings);
void descent_adamax_step_f64(const double *g, double *theta, double *m, double *u, ptrdiff_t n,
                             const descent_adamax_settings *settings);

/// NAdam: θ ← θ·shrink (when `shrinks`) or g ← g + λθ (when `decays`), m ← lerp(m, g, 1 − β₁),
/// v ← β₂v + (1 − β₂)g², d = √(v / (1 − β₂ᵗ)) + ε, θ ← θ − gradientStep·g/d, then
/// θ ← θ − averageStep·m/d.
typedef struct {
    int shrinks;
    double shrink;
    int decays;
    double decay;
    double oneMinusBeta1;
    double beta2, oneMinusBeta2;
    double biasCorrection2;           ///< 1 − β₂ᵗ
    double epsilon;
    double gradientStep;
    double averageStep;
} descent_nadam_settings;

void descent_nadam_step_f32(const float *g, float *theta, float *m, float *v, ptrdiff_t n,
                            const descent_nadam_settings *settings);
void descent_nadam_step_f64(const double *g, double *theta, double *m, double *v, ptrdiff_t n,
                            const descent_nadam_settings *settings);

// Counter-based random numbers (random_streams.c): out[i] is the number at position offset + i
// of the Philox4x32-10 stream of `seed`, laid out as Sources/DescentCore/Tensor/CounterRandom.swift
// defines; AVX2 is used where the CPU has it.

/// Uniform numbers in [0, 1): a 32-bit number's top 24 bits (float) or all 32 bits (double).
void descent_random_uniform_f32(uint64_t seed, uint64_t offset, ptrdiff_t count, float *out);
void descent_random_uniform_f64(uint64_t seed, uint64_t offset, ptrdiff_t count, double *out);

/// A dropout mask: `value` where the 16-bit number is below `threshold`, else 0.
void descent_bernoulli_f32(uint64_t seed, uint64_t offset, ptrdiff_t count, uint32_t threshold, float value,
                           float *out);
void descent_bernoulli_f64(uint64_t seed, uint64_t offset, ptrdiff_t count, uint32_t threshold, double value,
                           double *out);

/// Swaps the files or folders at `first` and `second` in one atomic step (Linux's renameat2 with
/// RENAME_EXCHANGE, macOS's renamex_np with RENAME_SWAP). Returns 0, or -1 with errno set; errno
/// is EINVAL or ENOSYS (or ENOTSUP) where the file system or the system cannot do it.
int descent_exchange_paths(const char *first, const char *second);

#endif
