extension CUDAKernelSource {
    /// `enum { U_negate = 0, … }`: the C names of a Swift enumeration's cases, by position.
    static func cEnum<E: CaseIterable & RawRepresentable>(_: E.Type, prefix: String) -> String where E.RawValue == String {
        "enum { " + E.allCases.enumerated().map { "\(prefix)_\($0.element.rawValue) = \($0.offset)" }.joined(separator: ", ") + " };\n"
    }

    /// Unary and binary operations, select, and casts between every pair of dtypes.
    static let elementwise = cEnum(UnaryOperation.self, prefix: "U") + cEnum(BinaryOperation.self, prefix: "B") + """

    // GELU as the reference backend writes it, in double for both dtypes: Φ(x) = ½erfc(−x/√2),
    // which keeps its precision where Φ is tiny (in float, the rounding of x/√2 alone would cost
    // erfc dozens of ulps there), and the tanh approximation as x·σ(2u), u = √(2/π)(x + 0.044715x³).
    __device__ __forceinline__ double normal_cdf(double x) { return 0.5 * erfc(-x * 0.70710678118654752440); }
    __device__ __forceinline__ double gelu_tanh_gate(double x) {
        double u = 0.79788456080286535588 * (x + 0.044715 * x * x * x);
        return 1.0 / (1.0 + exp(-2.0 * u));
    }
    __device__ __forceinline__ double gelu_derivative(double x) {
        return normal_cdf(x) + x * (exp(-0.5 * x * x) * 0.39894228040143267794);
    }
    __device__ __forceinline__ double gelu_tanh_derivative(double x) {
        double s = gelu_tanh_gate(x), slope = 0.79788456080286535588 * (1.0 + 3.0 * 0.044715 * x * x);
        return s + x * (s * (1.0 - s) * (2.0 * slope));
    }

    template <typename T> __device__ __forceinline__ T apply_unary(int op, T x) {
        switch (op) {
        case U_negate: return -x;
        case U_exp: return m_exp(x);
        case U_log: return m_log(x);
        case U_sqrt: return m_sqrt(x);
        case U_abs: return m_abs(x);
        case U_tanh: return m_tanh(x);
        case U_sigmoid: return x >= T(0) ? T(1) / (T(1) + m_exp(-x)) : m_exp(x) / (T(1) + m_exp(x));
        case U_relu: return x > T(0) ? x : T(0);
        case U_sign: return x > T(0) ? T(1) : (x < T(0) ? T(-1) : T(0));
        case U_log1p: return m_log1p(x);
        case U_erf: return m_erf(x);
        case U_reciprocal: return T(1) / x;
        case U_square: return x * x;
        case U_gelu: return T((double)x * normal_cdf((double)x));
        case U_geluTanh: return T((double)x * gelu_tanh_gate((double)x));
        }
        return x;
    }

    template <typename T> __device__ __forceinline__ T apply_binary(int op, T a, T b) {
        switch (op) {
        case B_add: return a + b;
        case B_subtract: return a - b;
        case B_multiply: return a * b;
        case B_divide: return a / b;
        case B_maximum: return is_nan(a) || a > b ? a : b;
        case B_minimum: return is_nan(a) || a < b ? a : b;
        case B_pow: return m_pow(a, b);
        case B_equal: return a == b ? T(1) : T(0);
        case B_notEqual: return a != b ? T(1) : T(0);
        case B_less: return a < b ? T(1) : T(0);
        case B_lessOrEqual: return a <= b ? T(1) : T(0);
        case B_greater: return a > b ? T(1) : T(0);
        case B_greaterOrEqual: return a >= b ? T(1) : T(0);
        case B_keepWherePositive: return b > T(0) ? a : T(0);
        case B_tanhBackward: return a * ((T(1) - b) * (T(1) + b));
        case B_sigmoidBackward: return a * (b * (T(1) - b));
        case B_geluBackward: return T((double)a * gelu_derivative((double)b));
        case B_geluTanhBackward: return T((double)a * gelu_tanh_derivative((double)b));
        }
        return a;
    }

    // Leaky ReLU (kind 0: the product in T, as the CPU's), ELU (kind 1: α·expm1(x) in double) and
    // softplus (kind 2, β = p and threshold = q: x above it, else (max(z, 0) + log1p(e^−|z|))/β
    // with z = βx, in double).
    template <typename T> __device__ __forceinline__ T apply_activation(int kind, double p, double q, T x) {
        if (kind == 2) {
            double z = p * (double)x;
            return z > q ? x : T((fmax(z, 0.0) + log1p(exp(-fabs(z)))) / p);
        }
        if (x > T(0)) return x;
        return kind == 0 ? x * T(p) : T(p * expm1((double)x));
    }
    template <typename T> __device__ __forceinline__ T activation_derivative(int kind, double p, double q, T g, T x) {
        if (kind == 2) {
            double z = p * (double)x;
            return z > q ? g : T((double)g / (1.0 + exp(-z)));
        }
        if (x > T(0)) return g;
        return kind == 0 ? g * T(p) : T((double)g * (p * exp((double)x)));
    }

    #define ELEMENTWISE(NAME, T) \\
    extern "C" __global__ void unary_##NAME(int op, const T *x, T *y, i64 n) { \\
        GRID_LOOP(i, n) y[i] = apply_unary<T>(op, x[i]); \\
    } \\
    extern "C" __global__ void binary_##NAME(int op, const T *a, const T *b, T *y, i64 n, Dims d) { \\
        GRID_LOOP(i, n) y[i] = apply_binary<T>(op, a[operand_offset(d, 0, i)], b[operand_offset(d, 1, i)]); \\
    } \\
    extern "C" __global__ void activation_##NAME(int kind, double p, double q, const T *x, T *y, i64 n) { \\
        GRID_LOOP(i, n) y[i] = apply_activation<T>(kind, p, q, x[i]); \\
    } \\
    extern "C" __global__ void activation_backward_##NAME(int kind, double p, double q, const T *g, const T *x, T *y, i64 n) { \\
        GRID_LOOP(i, n) y[i] = activation_derivative<T>(kind, p, q, g[i], x[i]); \\
    } \\
    extern "C" __global__ void select_##NAME(const T *c, const T *a, const T *b, T *y, i64 n, Dims d) { \\
        GRID_LOOP(i, n) y[i] = c[operand_offset(d, 0, i)] != T(0) ? a[operand_offset(d, 1, i)] : b[operand_offset(d, 2, i)]; \\
    }
    ELEMENTWISE(f32, float)
    ELEMENTWISE(f64, double)

    // Casts: through double (each conversion rounds once), floating point to integers toward
    // zero and saturating, NaN to 0 — as the reference backend's `converted`.
    __device__ __forceinline__ float to_f32(double v) { return (float)v; }
    __device__ __forceinline__ double to_f64(double v) { return v; }
    __device__ __forceinline__ int to_i32(double v) {
        if (is_nan(v)) return 0;
        if (v <= -2147483648.0) return (int)0x80000000;
        if (v >= 2147483647.0) return 0x7fffffff;
        return (int)v;
    }
    __device__ __forceinline__ i64 to_i64(double v) {
        if (is_nan(v)) return 0;
        if (v <= -9223372036854775808.0) return (i64)0x8000000000000000ULL;
        if (v >= 9223372036854775807.0) return 0x7fffffffffffffffLL;
        return (i64)v;
    }
    __device__ __forceinline__ unsigned char to_u8(double v) {
        if (is_nan(v)) return 0;
        if (v <= 0.0) return 0;
        if (v >= 255.0) return 255;
        return (unsigned char)v;
    }

    #define CAST(SN, S, DN, D) \\
    extern "C" __global__ void cast_##SN##_##DN(const S *x, D *y, i64 n) { GRID_LOOP(i, n) y[i] = to_##DN((double)x[i]); }
    #define CASTS_FROM(SN, S) \\
    CAST(SN, S, f32, float) CAST(SN, S, f64, double) CAST(SN, S, i32, int) CAST(SN, S, i64, i64) CAST(SN, S, u8, unsigned char)
    CASTS_FROM(f32, float)
    CASTS_FROM(f64, double)
    CASTS_FROM(i32, int)
    CASTS_FROM(u8, unsigned char)
    CAST(i64, i64, f64, double) CAST(i64, i64, i32, int) CAST(i64, i64, i64, i64) CAST(i64, i64, u8, unsigned char)
    // int64 to float32 rounds directly: through double, 2^60 + 2^36 + 1 would round twice.
    extern "C" __global__ void cast_i64_f32(const i64 *x, float *y, i64 n) { GRID_LOOP(i, n) y[i] = (float)x[i]; }

    """
}
