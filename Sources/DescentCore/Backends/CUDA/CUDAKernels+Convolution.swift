extension CUDAKernelSource {
    /// The 2-D convolution and its two gradients by their definitions, one thread per output
    /// element (correct first; an implicit GEMM can replace them once a benchmark asks).
    ///
    /// `Dims` here: batch, C, H, W, O, kH, kW, strideY, strideX, padTop, padLeft, dilationY,
    /// dilationX, groups, outHeight, outWidth (v[0…15]).
    static let convolution = """
    struct Geometry {
        i64 batch, inChannels, height, width, outChannels, kernelHeight, kernelWidth;
        i64 strideY, strideX, padTop, padLeft, dilationY, dilationX, groups, outHeight, outWidth;
        __device__ Geometry(const Dims &d)
            : batch(d.v[0]), inChannels(d.v[1]), height(d.v[2]), width(d.v[3]), outChannels(d.v[4]),
              kernelHeight(d.v[5]), kernelWidth(d.v[6]), strideY(d.v[7]), strideX(d.v[8]), padTop(d.v[9]),
              padLeft(d.v[10]), dilationY(d.v[11]), dilationX(d.v[12]), groups(d.v[13]), outHeight(d.v[14]),
              outWidth(d.v[15]) {}
        __device__ i64 groupIn() const { return inChannels / groups; }
        __device__ i64 groupOut() const { return outChannels / groups; }
    };

    #define CONVOLUTION(NAME, T) \\
    extern "C" __global__ void conv2d_##NAME(const T *input, const T *weight, const T *bias, int hasBias, T *y, i64 n, Dims d) { \\
        Geometry s(d); \\
        GRID_LOOP(index, n) { \\
            i64 j = index % s.outWidth, i = (index / s.outWidth) % s.outHeight; \\
            i64 o = (index / (s.outWidth * s.outHeight)) % s.outChannels, b = index / (s.outWidth * s.outHeight * s.outChannels); \\
            i64 group = o / s.groupOut(); \\
            T sum = hasBias ? bias[o] : T(0); \\
            for (i64 c = 0; c < s.groupIn(); ++c) { \\
                for (i64 p = 0; p < s.kernelHeight; ++p) { \\
                    i64 row = i * s.strideY - s.padTop + p * s.dilationY; \\
                    if (row < 0 || row >= s.height) continue; \\
                    for (i64 q = 0; q < s.kernelWidth; ++q) { \\
                        i64 column = j * s.strideX - s.padLeft + q * s.dilationX; \\
                        if (column < 0 || column >= s.width) continue; \\
                        T x = input[((b * s.inChannels + group * s.groupIn() + c) * s.height + row) * s.width + column]; \\
                        T w = weight[((o * s.groupIn() + c) * s.kernelHeight + p) * s.kernelWidth + q]; \\
                        sum += x * w; \\
                    } \\
                } \\
            } \\
            y[index] = sum; \\
        } \\
    } \\
    extern "C" __global__ void conv2d_input_gradient_##NAME(const T *upstream, const T *weight, T *y, i64 n, Dims d) { \\
        Geometry s(d); \\
        GRID_LOOP(index, n) { \\
            i64 t = index % s.width, r = (index / s.width) % s.height; \\
            i64 channel = (index / (s.width * s.height)) % s.inChannels, b = index / (s.width * s.height * s.inChannels); \\
            i64 group = channel / s.groupIn(), c = channel % s.groupIn(); \\
            T sum = T(0); \\
            for (i64 o = group * s.groupOut(); o < (group + 1) * s.groupOut(); ++o) { \\
                for (i64 p = 0; p < s.kernelHeight; ++p) { \\
                    i64 rowNumerator = r + s.padTop - p * s.dilationY; \\
                    if (rowNumerator < 0 || rowNumerator % s.strideY != 0) continue; \\
                    i64 i = rowNumerator / s.strideY; \\
                    if (i >= s.outHeight) continue; \\
                    for (i64 q = 0; q < s.kernelWidth; ++q) { \\
                        i64 columnNumerator = t + s.padLeft - q * s.dilationX; \\
                        if (columnNumerator < 0 || columnNumerator % s.strideX != 0) continue; \\
                        i64 j = columnNumerator / s.strideX; \\
                        if (j >= s.outWidth) continue; \\
                        T g = upstream[((b * s.outChannels + o) * s.outHeight + i) * s.outWidth + j]; \\
                        T w = weight[((o * s.groupIn() + c) * s.kernelHeight + p) * s.kernelWidth + q]; \\
                        sum += g * w; \\
                    } \\
                } \\
            } \\
            y[index] = sum; \\
        } \\
    } \\
    extern "C" __global__ void conv2d_weight_gradient_##NAME(const T *upstream, const T *input, T *y, i64 n, Dims d) { \\
        Geometry s(d); \\
        GRID_LOOP(index, n) { \\
            i64 q = index % s.kernelWidth, p = (index / s.kernelWidth) % s.kernelHeight; \\
            i64 c = (index / (s.kernelWidth * s.kernelHeight)) % s.groupIn(), o = index / (s.kernelWidth * s.kernelHeight * s.groupIn()); \\
            i64 channel = (o / s.groupOut()) * s.groupIn() + c; \\
            T sum = T(0); \\
            for (i64 b = 0; b < s.batch; ++b) { \\
                for (i64 i = 0; i < s.outHeight; ++i) { \\
                    i64 row = i * s.strideY - s.padTop + p * s.dilationY; \\
                    if (row < 0 || row >= s.height) continue; \\
                    for (i64 j = 0; j < s.outWidth; ++j) { \\
                        i64 column = j * s.strideX - s.padLeft + q * s.dilationX; \\
                        if (column < 0 || column >= s.width) continue; \\
                        T g = upstream[((b * s.outChannels + o) * s.outHeight + i) * s.outWidth + j]; \\
                        T x = input[((b * s.inChannels + channel) * s.height + row) * s.width + column]; \\
                        sum += g * x; \\
                    } \\
                } \\
            } \\
            y[index] = sum; \\
        } \\
    }
    CONVOLUTION(f32, float)
    CONVOLUTION(f64, double)

    """
}
