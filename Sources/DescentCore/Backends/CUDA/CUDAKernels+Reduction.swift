extension CUDAKernelSource {
    /// Sums, maxima and minima over axes (one block per output element), arg-reductions,
    /// `linear` for a few rows (a block per output element), and batch normalization (a block
    /// per channel).
    ///
    /// Each thread folds one contiguous run of the reduced elements, and the block combines the
    /// runs neighbour with neighbour, so that a maximum or minimum picks the element the
    /// reference's left-to-right fold picks (ties and signed zeros included; the first NaN wins).
    ///
    /// `Dims` here: `v[0]` rank, `v[1 + axis]` the output's shape (reduced axes 1), `v[9 + axis]`
    /// the input's strides, `v[17 + axis]` the reduced shape (kept axes 1).
    static let reduction = cEnum(ReductionOperation.self, prefix: "R") + cEnum(ArgReductionOperation.self, prefix: "A") + """

    template <typename T> __device__ __forceinline__ T combine(int op, T a, T b) {
        switch (op) {
        case R_sum: return a + b;
        case R_max: return is_nan(a) || a > b ? a : b;
        default: return is_nan(a) || a < b ? a : b;
        }
    }

    template <typename T> __device__ __forceinline__ T identity(int op) {
        return op == R_sum ? T(0) : (op == R_max ? -infinity<T>() : infinity<T>());
    }

    #define REDUCE_THREADS 256
    template <typename T> __device__ void reduce_block(int op, const T *x, T *y, i64 outputs, i64 reduced, const Dims &d) {
        __shared__ T partial[REDUCE_THREADS];
        for (i64 o = blockIdx.x; o < outputs; o += gridDim.x) {
            // Where this output's reduced elements start.
            i64 base = 0, rest = o;
            for (int axis = (int)d.v[0] - 1; axis >= 0; --axis) {
                base += (rest % d.v[1 + axis]) * d.v[9 + axis];
                rest /= d.v[1 + axis];
            }
            i64 run = (reduced + REDUCE_THREADS - 1) / REDUCE_THREADS;
            i64 begin = (i64)threadIdx.x * run, end = begin + run < reduced ? begin + run : reduced;
            T value = identity<T>(op);
            if (begin < end) {
                // The run's first element by division, then the next ones by stepping an odometer
                // over the reduced axes. A division per axis and element had W3's bias gradients
                // (43,264 elements each, 32 and 64 channels) at 122 and 102 µs in the profile of
                // an H200; this way, 52 and 42.
                i64 digit[8], offset = 0, r = begin;
                for (int axis = (int)d.v[0] - 1; axis >= 0; --axis) {
                    digit[axis] = r % d.v[17 + axis];
                    offset += digit[axis] * d.v[9 + axis];
                    r /= d.v[17 + axis];
                }
                for (i64 j = begin; j < end; ++j) {
                    value = combine<T>(op, value, x[base + offset]);
                    for (int axis = (int)d.v[0] - 1; axis >= 0; --axis) {
                        offset += d.v[9 + axis];
                        if (++digit[axis] < d.v[17 + axis]) break;
                        offset -= digit[axis] * d.v[9 + axis];
                        digit[axis] = 0;
                    }
                }
            }
            partial[threadIdx.x] = value;
            __syncthreads();
            for (int step = 1; step < REDUCE_THREADS; step *= 2) {
                if (threadIdx.x % (2 * step) == 0) partial[threadIdx.x] = combine<T>(op, partial[threadIdx.x], partial[threadIdx.x + step]);
                __syncthreads();
            }
            if (threadIdx.x == 0) y[o] = partial[0];
            __syncthreads();
        }
    }

    /// The index of the first extreme element along an axis of length `length`, elements
    /// `inner` apart; NaN counts as the extreme.
    template <typename T> __device__ void arg_reduce(int op, const T *x, int *y, i64 outputs, i64 length, i64 inner) {
        GRID_LOOP(o, outputs) {
            const T *row = x + (o / inner) * length * inner + (o % inner);
            T best = row[0];
            i64 bestIndex = 0;
            for (i64 c = 1; c < length && !is_nan(best); ++c) {
                T value = row[c * inner];
                if (is_nan(value) || (op == A_argmax ? value > best : value < best)) { best = value; bestIndex = c; }
            }
            y[o] = (int)bestIndex;
        }
    }

    // `linear` for a few rows (`x·Wᵀ + b`, then ReLU when `relu`): each output is one block's
    // dot product, thread `t` summing elements `t, t + 256, …` (coalesced reads of a row of W),
    // then the block's 256 sums pairwise. One kernel where cuBLAS's product and the bias kernel
    // were two, with every load of a row in flight at once: batch-1 inference is a chain of
    // these (on an H200, W4's graphed call took 18 µs this way, 21 µs with a warp per output).
    #define LINEAR_ROWS_THREADS 256
    template <typename T> __device__ void linear_rows(const T *x, const T *w, const T *bias, int hasBias, int relu, T *y,
                                                      i64 rows, i64 outputs, i64 k) {
        __shared__ T partial[LINEAR_ROWS_THREADS];
        const i64 n = rows * outputs;
        for (i64 index = blockIdx.x; index < n; index += gridDim.x) {
            const i64 o = index % outputs;
            const T *row = x + (index / outputs) * k, *weights = w + o * k;
            T sum = T(0);
            for (i64 j = threadIdx.x; j < k; j += LINEAR_ROWS_THREADS) sum += row[j] * weights[j];
            partial[threadIdx.x] = sum;
            __syncthreads();
            for (int step = LINEAR_ROWS_THREADS / 2; step > 0; step /= 2) {
                if (threadIdx.x < step) partial[threadIdx.x] += partial[threadIdx.x + step];
                __syncthreads();
            }
            if (threadIdx.x == 0) {
                T z = partial[0];
                if (hasBias) z += bias[o];
                // As add_bias: NaN becomes 0 under ReLU.
                y[index] = relu ? (z > T(0) ? z : T(0)) : z;
            }
            __syncthreads();
        }
    }

    // Batch normalization in training mode, forward and backward (the CPU's batch_norm.c): one
    // block per channel, whose threads sum the channel's elements t, t + 256, … in double, the
    // block adding the 256 sums pairwise. A channel's element j is example j / inner, position
    // j % inner; the cursor steps through them without a division per element.
    #define BATCH_NORM_THREADS 256
    struct ChannelCursor {
        i64 outer, inner, length, outerStep, innerStep;
        // `length` 0 (an empty channel) is read as 1: no element is visited then anyway.
        __device__ ChannelCursor(i64 start, i64 step, i64 runLength)
            : length(runLength > 0 ? runLength : 1) {
            outer = start / length; inner = start % length;
            outerStep = step / length; innerStep = step % length;
        }
        __device__ void advance() {
            outer += outerStep;
            inner += innerStep;
            if (inner >= length) { inner -= length; ++outer; }
        }
        // The element's offset from the channel's first, examples `stride` apart.
        __device__ i64 at(i64 stride) const { return outer * stride + inner; }
    };
    #define CHANNEL_LOOP(k) for (ChannelCursor k(threadIdx.x, BATCH_NORM_THREADS, inner); n > 0 && k.outer < outer; k.advance())

    __device__ double block_sum(double value, double *partial) {
        partial[threadIdx.x] = value;
        __syncthreads();
        for (int step = BATCH_NORM_THREADS / 2; step > 0; step /= 2) {
            if (threadIdx.x < step) partial[threadIdx.x] += partial[threadIdx.x + step];
            __syncthreads();
        }
        double total = partial[0];
        __syncthreads();
        return total;
    }

    // γ/√(σ² + ε) rounded to T, from the variance as stored: both passes compute it alike, so
    // that the backward pass recomputes the forward pass's output bit for bit for ReLU.
    template <typename T> __device__ T batch_norm_scale(T variance, const T *weight, i64 c, double epsilon) {
        const double inverse = 1 / m_sqrt((double)variance + epsilon);
        return (T)(weight ? (double)weight[c] * inverse : inverse);
    }

    // ḡ, or 0 with ReLU where the output before it, (x − μ)·scale + shift, is not positive.
    template <typename T> __device__ T batch_norm_kept(T g, T x, T mu, T scale, T shift, int relu) {
        if (!relu) return g;
        const T z = (x - mu) * scale + shift;
        return z > 0 ? g : T(0);
    }

    template <typename T> __device__ void batch_norm(const T *x, T *y, const T *weight, const T *bias, i64 outer,
                                                     i64 channels, i64 inner, double epsilon, int relu, T *mean,
                                                     T *variance) {
        __shared__ double partial[BATCH_NORM_THREADS];
        const i64 n = outer * inner, stride = channels * inner;
        for (i64 c = blockIdx.x; c < channels; c += gridDim.x) {
            const T *xc = x + c * inner;
            T *yc = y + c * inner;
            double sum = 0;
            CHANNEL_LOOP(k) sum += (double)xc[k.at(stride)];
            const T mu = (T)(block_sum(sum, partial) / (double)n);
            double squares = 0;
            CHANNEL_LOOP(k) {
                double d = (double)xc[k.at(stride)] - (double)mu;
                squares += d * d;
            }
            const T sigma2 = (T)(block_sum(squares, partial) / (double)n);
            const T scale = batch_norm_scale(sigma2, weight, c, epsilon);
            const T shift = bias ? bias[c] : T(0);
            CHANNEL_LOOP(k) {
                const i64 j = k.at(stride);
                const T z = (xc[j] - mu) * scale + shift;
                yc[j] = relu && !(z > 0) ? T(0) : z;
            }
            if (threadIdx.x == 0) {
                mean[c] = mu;
                variance[c] = sigma2;
            }
        }
    }

    template <typename T> __device__ void batch_norm_backward(const T *g, const T *x, const T *mean, const T *variance,
                                                              const T *weight, const T *bias, i64 outer, i64 channels,
                                                              i64 inner, double epsilon, int relu, T *dx, T *dWeight,
                                                              T *dBias) {
        __shared__ double partial[BATCH_NORM_THREADS];
        const i64 n = outer * inner, stride = channels * inner;
        for (i64 c = blockIdx.x; c < channels; c += gridDim.x) {
            const T *gc = g + c * inner, *xc = x + c * inner;
            T *dxc = dx + c * inner;
            const T mu = mean[c];
            const double inverse = 1 / m_sqrt((double)variance[c] + epsilon);
            const T scale = batch_norm_scale(variance[c], weight, c, epsilon), shift = bias ? bias[c] : T(0);
            // Σ ḡ and Σ ḡ·x̂, x̂ = (x − μ)/√(σ² + ε) (ḡ kept where the output was positive, with ReLU).
            double sums = 0, products = 0;
            CHANNEL_LOOP(k) {
                const i64 j = k.at(stride);
                const T kept = batch_norm_kept(gc[j], xc[j], mu, scale, shift, relu);
                sums += (double)kept;
                products += (double)kept * (((double)xc[j] - (double)mu) * inverse);
            }
            const double sum = block_sum(sums, partial), product = block_sum(products, partial);
            // x̄ = a·ḡ + b·(x − μ) + d, as batch_norm.c computes it.
            const double gamma = weight ? (double)weight[c] : 1;
            const T a = (T)(gamma * inverse);
            const T b = (T)(-gamma * inverse * inverse * product / (double)n);
            const T d = (T)(-gamma * inverse * sum / (double)n);
            CHANNEL_LOOP(k) {
                const i64 j = k.at(stride);
                dxc[j] = a * batch_norm_kept(gc[j], xc[j], mu, scale, shift, relu) + (b * (xc[j] - mu) + d);
            }
            if (threadIdx.x == 0) {
                dWeight[c] = (T)product;
                dBias[c] = (T)sum;
            }
        }
    }

    #define REDUCTIONS(NAME, T) \\
    extern "C" __global__ void reduce_##NAME(int op, const T *x, T *y, i64 outputs, i64 reduced, Dims d) { \\
        reduce_block<T>(op, x, y, outputs, reduced, d); \\
    } \\
    extern "C" __global__ void linear_rows_##NAME(const T *x, const T *w, const T *bias, int hasBias, int relu, T *y, \\
                                                  i64 rows, i64 outputs, i64 k) { \\
        linear_rows<T>(x, w, bias, hasBias, relu, y, rows, outputs, k); \\
    } \\
    extern "C" __global__ void arg_reduce_##NAME(int op, const T *x, int *y, i64 outputs, i64 length, i64 inner) { \\
        arg_reduce<T>(op, x, y, outputs, length, inner); \\
    } \\
    extern "C" __global__ void batch_norm_##NAME(const T *x, T *y, const T *weight, const T *bias, i64 outer, \\
                                                 i64 channels, i64 inner, double epsilon, int relu, T *mean, \\
                                                 T *variance) { \\
        batch_norm<T>(x, y, weight, bias, outer, channels, inner, epsilon, relu, mean, variance); \\
    } \\
    extern "C" __global__ void batch_norm_backward_##NAME(const T *g, const T *x, const T *mean, const T *variance, \\
                                                          const T *weight, const T *bias, i64 outer, i64 channels, \\
                                                          i64 inner, double epsilon, int relu, T *dx, T *dWeight, \\
                                                          T *dBias) { \\
        batch_norm_backward<T>(g, x, mean, variance, weight, bias, outer, channels, inner, epsilon, relu, dx, dWeight, \\
                               dBias); \\
    }
    REDUCTIONS(f32, float)
    REDUCTIONS(f64, double)

    """
}
