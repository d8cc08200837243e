extension CUDAKernelSource {
    /// Copies that only move elements, for elements of 1, 4 and 8 bytes (every dtype): a plain
    /// copy (between a GPU's memory and pinned host memory, where a kernel's few microseconds
    /// beat a copy engine's: CUDAInferenceGraph), a strided copy (permute, broadcast, one input
    /// of a concatenation), a gather along an axis, and the scatter-add that is a gather's
    /// gradient (floating point only); and `fill_b8`, which sets 8-byte elements to a value
    /// passed as its argument (the driver's memset sets at most 4).
    ///
    /// `copy_strided`: element `i` of a tensor of `Dims`'s shape is read at operand 0's strides
    /// and written at operand 1's.
    static let movement = """
    #define MOVEMENT(NAME, T) \\
    extern "C" __global__ void copy_##NAME(const T *x, T *y, i64 n) { \\
        GRID_LOOP(i, n) y[i] = x[i]; \\
    } \\
    extern "C" __global__ void copy_strided_##NAME(const T *x, T *y, i64 n, Dims d) { \\
        GRID_LOOP(i, n) y[operand_offset(d, 1, i)] = x[operand_offset(d, 0, i)]; \\
    } \\
    extern "C" __global__ void gather_##NAME(const T *x, T *y, const i64 *indices, i64 n, i64 count, i64 inner, i64 length) { \\
        GRID_LOOP(i, n) { \\
            i64 r = i % inner, j = (i / inner) % count, o = i / (inner * count); \\
            y[i] = x[(o * length + indices[j]) * inner + r]; \\
        } \\
    }
    MOVEMENT(b1, unsigned char)
    MOVEMENT(b4, unsigned int)
    MOVEMENT(b8, u64)

    #define SCATTER_ADD(NAME, T) \\
    extern "C" __global__ void scatter_add_##NAME(const T *x, T *y, const i64 *indices, i64 n, i64 count, i64 inner, i64 length) { \\
        GRID_LOOP(i, n) { \\
            i64 r = i % inner, j = (i / inner) % count, o = i / (inner * count); \\
            atomicAdd(&y[(o * length + indices[j]) * inner + r], x[i]); \\
        } \\
    }
    SCATTER_ADD(f32, float)
    SCATTER_ADD(f64, double)

    extern "C" __global__ void fill_b8(u64 *y, i64 n, u64 value) {
        GRID_LOOP(i, n) y[i] = value;
    }

    """
}
