/// The CUDA backend's kernels, in groups that NVRTC compiles one program each, at first use.
///
/// Each group's source is CUDA C with `extern "C"` kernels (so their names are not mangled) and
/// no `#include`: NVRTC needs no headers, and the compile test (which runs wherever NVRTC loads,
/// GPU or not) compiles every group for several architectures. Operation codes are generated
/// from the Swift enumerations, so the two cannot drift apart.
enum CUDAKernelModule: String, Sendable, CaseIterable {
    case elementwise, reduction, movement, matrix, random, optimizer, convolution, pooling

    /// The kernels the backend launches from this group, by name: what the compile test looks
    /// for in each CUBIN, so that a misspelt name is found without a GPU.
    var kernelNames: [String] {
        let floating = ["f32", "f64"]
        func each(_ stems: [String], _ suffixes: [String] = floating) -> [String] {
            stems.flatMap { stem in suffixes.map { "\(stem)_\($0)" } }
        }
        let dtypes = ["f32", "f64", "i32", "i64", "u8"]
        switch self {
        case .elementwise: return each(["unary", "binary", "activation", "activation_backward", "select"]) + each(dtypes.map { "cast_\($0)" }, dtypes)
        case .reduction: return each(["reduce", "arg_reduce", "linear_rows", "batch_norm", "batch_norm_backward"])
        case .movement: return each(["copy", "copy_strided", "gather"], ["b1", "b4", "b8"]) + each(["scatter_add"]) + ["fill_b8"]
        case .matrix: return each(["add_bias", "softmax_cross_entropy", "softmax_cross_entropy_gradient"])
        case .random: return each(["random_uniform", "bernoulli", "random_uniform_live", "bernoulli_live"])
        case .optimizer:
            let rules = ["sgd", "rmsprop", "adam", "adadelta", "adagrad", "adamax", "nadam"]
            return each(rules) + each(rules.map { "\($0)_live" }) + ["live_store"]
        case .convolution: return each(["conv2d_direct", "im2col", "conv2d_output", "channels_major", "col2im"])
        case .pooling: return each(["max_pool2d", "max_pool2d_backward", "max_pool2d_backward_windows", "avg_pool2d", "avg_pool2d_backward"])
        }
    }

    /// The whole program: the shared prelude, then this group's kernels.
    var source: String {
        let body = switch self {
        case .elementwise: CUDAKernelSource.elementwise
        case .reduction: CUDAKernelSource.reduction
        case .movement: CUDAKernelSource.movement
        case .matrix: CUDAKernelSource.matrix
        case .random: CUDAKernelSource.random
        case .optimizer: CUDAKernelSource.optimizer
        case .convolution: CUDAKernelSource.convolution
        case .pooling: CUDAKernelSource.pooling
        }
        return CUDAKernelSource.prelude + body
    }
}

/// The CUDA C of the kernels, one static string per group (in the `CUDAKernels+*.swift` files).
enum CUDAKernelSource {
    /// The most axes a shape passed in ``CUDAKernelArgument/dims(_:)`` may have.
    static let maximumRank = 8

    /// Types, the grid-stride loop, and the layout of `Dims`, shared by every group.
    ///
    /// `Dims` carries shapes and strides by value (a kernel parameter, no upload): `v[0]` is the
    /// rank, `v[1 + axis]` the output's shape, and `v[9 + 8·t + axis]` operand `t`'s stride along
    /// that axis (0 where it is broadcast).
    static let prelude = """
    typedef long long i64;
    typedef unsigned long long u64;
    typedef unsigned int u32;
    struct Dims { i64 v[48]; };
    struct Scalars { double v[16]; };

    #define GRID_LOOP(i, n) for (i64 i = (i64)blockIdx.x * blockDim.x + threadIdx.x; i < (n); i += (i64)blockDim.x * gridDim.x)

    template <typename T> __device__ __forceinline__ bool is_nan(T x) { return x != x; }
    template <typename T> __device__ __forceinline__ T infinity();
    template <> __device__ __forceinline__ float infinity<float>() { return __int_as_float(0x7f800000); }
    template <> __device__ __forceinline__ double infinity<double>() { return __longlong_as_double(0x7ff0000000000000LL); }

    __device__ __forceinline__ float m_exp(float x) { return expf(x); }
    __device__ __forceinline__ double m_exp(double x) { return exp(x); }
    __device__ __forceinline__ float m_log(float x) { return logf(x); }
    __device__ __forceinline__ double m_log(double x) { return log(x); }
    __device__ __forceinline__ float m_sqrt(float x) { return sqrtf(x); }
    __device__ __forceinline__ double m_sqrt(double x) { return sqrt(x); }
    __device__ __forceinline__ float m_abs(float x) { return fabsf(x); }
    __device__ __forceinline__ double m_abs(double x) { return fabs(x); }
    __device__ __forceinline__ float m_tanh(float x) { return tanhf(x); }
    __device__ __forceinline__ double m_tanh(double x) { return tanh(x); }
    __device__ __forceinline__ float m_log1p(float x) { return log1pf(x); }
    __device__ __forceinline__ double m_log1p(double x) { return log1p(x); }
    __device__ __forceinline__ float m_erf(float x) { return erff(x); }
    __device__ __forceinline__ double m_erf(double x) { return erf(x); }
    __device__ __forceinline__ float m_pow(float a, float b) { return powf(a, b); }
    __device__ __forceinline__ double m_pow(double a, double b) { return pow(a, b); }

    /// The element of operand `t` that output element `index` reads, by `d`'s shape and strides.
    __device__ __forceinline__ i64 operand_offset(const Dims &d, int t, i64 index) {
        i64 offset = 0;
        for (int axis = (int)d.v[0] - 1; axis >= 0; --axis) {
            i64 size = d.v[1 + axis];
            offset += (index % size) * d.v[9 + 8 * t + axis];
            index /= size;
        }
        return offset;
    }

    """
}
