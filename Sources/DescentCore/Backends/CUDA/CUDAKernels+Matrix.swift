extension CUDAKernelSource {
    /// What surrounds cuBLAS's products: the bias of `linear` (and its ReLU, as the unary
    /// kernel computes it: NaN becomes 0), and the fused softmax
    /// cross-entropy and its gradient (one thread per row: classes are few).
    static let matrix = """
    #define MATRIX(NAME, T) \\
    extern "C" __global__ void add_bias_##NAME(T *y, const T *bias, i64 n, i64 columns, int relu) { \\
        if (relu) { \\
            GRID_LOOP(i, n) { T z = y[i] + bias[i % columns]; y[i] = z > T(0) ? z : T(0); } \\
        } else { \\
            GRID_LOOP(i, n) y[i] += bias[i % columns]; \\
        } \\
    } \\
    extern "C" __global__ void softmax_cross_entropy_##NAME(const T *logits, const int *labels, T *losses, T *probabilities, \\
                                                            i64 rows, i64 classes) { \\
        GRID_LOOP(row, rows) { \\
            const T *x = logits + row * classes; \\
            T m = -infinity<T>(); \\
            for (i64 c = 0; c < classes; ++c) if (x[c] > m || is_nan(x[c])) m = x[c]; \\
            T s = T(0); \\
            for (i64 c = 0; c < classes; ++c) s += m_exp(x[c] - m); \\
            int label = labels[row]; \\
            losses[row] = label >= 0 && label < classes ? (m + m_log(s)) - x[label] : -(T(0) / T(0)); \\
            for (i64 c = 0; c < classes; ++c) probabilities[row * classes + c] = m_exp(x[c] - m) / s; \\
        } \\
    } \\
    extern "C" __global__ void softmax_cross_entropy_gradient_##NAME(const T *probabilities, const int *labels, const T *upstream, \\
                                                                     T *y, i64 n, i64 classes) { \\
        GRID_LOOP(i, n) { \\
            i64 row = i / classes, c = i % classes; \\
            T isLabel = labels[row] == c ? T(1) : T(0); \\
            y[i] = (probabilities[i] - isLabel) * upstream[row]; \\
        } \\
    }
    MATRIX(f32, float)
    MATRIX(f64, double)

    """
}
