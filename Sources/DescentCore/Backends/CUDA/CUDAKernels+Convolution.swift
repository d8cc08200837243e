extension CUDAKernelSource {
    /// The 2-D convolution as matrix products (cuBLAS) between four moving kernels, and by its
    /// definition where each output sums few products.
    ///
    /// - `conv2d_direct`: the output, one thread per element, each summing its group's
    ///   `C/groups·kH·kW` products (in the order of the columns matrix's rows: channel, kernel
    ///   row, kernel column) and the bias; for a first layer's 1 or 3 channels (and depthwise
    ///   convolutions), where the route below would unfold the input, multiply with a depth of
    ///   9 or 27 and copy the product into place: three launches, and two copies of the output's
    ///   size, for a few multiply-adds per output (W3's epoch on an H200: 1.30–1.33 s this way,
    ///   1.34–1.38 s the other).
    ///
    /// Otherwise:
    ///
    /// The input is unfolded into a columns matrix of `C·kH·kW` rows (channel, kernel row, kernel
    /// column) and `count·oH·oW` columns (example, output row, output column) for a chunk of
    /// `count` examples starting at `first`; the product with the weights, read as
    /// `[groups][O/groups][C/groups·kH·kW]`, is then channel-major (`[O][count·oH·oW]`):
    ///
    /// - `im2col`: input → columns (zero where the window reaches into the padding), one thread
    ///   per column and input channel, writing that channel's `kH·kW` rows (a thread per
    ///   element took seven 64-bit divisions for each: W3's 10.6 million elements, 152 µs in the
    ///   profile of an H200, now 42);
    /// - `conv2d_output`: channel-major product → NCHW output, plus the bias;
    /// - `channels_major`: NCHW upstream gradient → channel-major, for both gradients' products;
    /// - `col2im`: columns' gradient → input gradient, each input element summing the columns
    ///   that read it, in a fixed order (no atomics: the result is the same from run to run),
    ///   dividing by the stride only where it is not 1.
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
        __device__ i64 positions() const { return outHeight * outWidth; }
    };

    #define CONVOLUTION(NAME, T) \\
    extern "C" __global__ void conv2d_direct_##NAME(const T *input, const T *weight, const T *bias, int hasBias, T *y, i64 n, \\
                                                    Dims d) { \\
        Geometry s(d); \\
        i64 groupChannels = s.inChannels / s.groups, groupOutputs = s.outChannels / s.groups; \\
        GRID_LOOP(index, n) { \\
            i64 j = index % s.outWidth, i = (index / s.outWidth) % s.outHeight; \\
            i64 o = (index / s.positions()) % s.outChannels, b = index / (s.positions() * s.outChannels); \\
            const T *w = weight + o * groupChannels * s.kernelHeight * s.kernelWidth; \\
            const T *planes = input + (b * s.inChannels + (o / groupOutputs) * groupChannels) * s.height * s.width; \\
            T sum = T(0); \\
            for (i64 c = 0; c < groupChannels; ++c) { \\
                for (i64 p = 0; p < s.kernelHeight; ++p) { \\
                    i64 row = i * s.strideY - s.padTop + p * s.dilationY; \\
                    for (i64 q = 0; q < s.kernelWidth; ++q) { \\
                        i64 column = j * s.strideX - s.padLeft + q * s.dilationX; \\
                        T value = row >= 0 && row < s.height && column >= 0 && column < s.width \\
                            ? planes[(c * s.height + row) * s.width + column] : T(0); \\
                        sum += w[(c * s.kernelHeight + p) * s.kernelWidth + q] * value; \\
                    } \\
                } \\
            } \\
            y[index] = hasBias ? sum + bias[o] : sum; \\
        } \\
    } \\
    extern "C" __global__ void im2col_##NAME(const T *input, T *columns, i64 first, i64 count, i64 n, Dims d) { \\
        Geometry s(d); \\
        i64 width = count * s.positions(); \\
        GRID_LOOP(index, n) { \\
            i64 column = index % width, c = index / width; \\
            i64 j = column % s.outWidth, i = (column / s.outWidth) % s.outHeight, b = first + column / s.positions(); \\
            const T *plane = input + (b * s.inChannels + c) * s.height * s.width; \\
            T *out = columns + c * s.kernelHeight * s.kernelWidth * width + column; \\
            for (i64 p = 0; p < s.kernelHeight; ++p) { \\
                i64 y = i * s.strideY - s.padTop + p * s.dilationY; \\
                for (i64 q = 0; q < s.kernelWidth; ++q) { \\
                    i64 x = j * s.strideX - s.padLeft + q * s.dilationX; \\
                    out[(p * s.kernelWidth + q) * width] = y >= 0 && y < s.height && x >= 0 && x < s.width \\
                        ? plane[y * s.width + x] : T(0); \\
                } \\
            } \\
        } \\
    } \\
    extern "C" __global__ void conv2d_output_##NAME(const T *product, const T *bias, int hasBias, T *y, i64 first, i64 count, \\
                                                    i64 n, Dims d) { \\
        Geometry s(d); \\
        GRID_LOOP(index, n) { \\
            i64 position = index % s.positions(), o = (index / s.positions()) % s.outChannels; \\
            i64 b = index / (s.positions() * s.outChannels); \\
            T value = product[o * count * s.positions() + b * s.positions() + position]; \\
            y[first * s.outChannels * s.positions() + index] = hasBias ? value + bias[o] : value; \\
        } \\
    } \\
    extern "C" __global__ void channels_major_##NAME(const T *upstream, T *gradient, i64 first, i64 count, i64 n, Dims d) { \\
        Geometry s(d); \\
        i64 width = count * s.positions(); \\
        GRID_LOOP(index, n) { \\
            i64 column = index % width, o = index / width; \\
            i64 b = first + column / s.positions(), position = column % s.positions(); \\
            gradient[index] = upstream[(b * s.outChannels + o) * s.positions() + position]; \\
        } \\
    } \\
    extern "C" __global__ void col2im_##NAME(const T *columns, T *x, i64 first, i64 count, i64 n, Dims d) { \\
        Geometry s(d); \\
        i64 width = count * s.positions(); \\
        GRID_LOOP(index, n) { \\
            i64 t = index % s.width, r = (index / s.width) % s.height; \\
            i64 c = (index / (s.width * s.height)) % s.inChannels, b = index / (s.width * s.height * s.inChannels); \\
            T sum = T(0); \\
            for (i64 p = 0; p < s.kernelHeight; ++p) { \\
                i64 rowNumerator = r + s.padTop - p * s.dilationY; \\
                if (rowNumerator < 0 || (s.strideY != 1 && rowNumerator % s.strideY != 0)) continue; \\
                i64 i = s.strideY == 1 ? rowNumerator : rowNumerator / s.strideY; \\
                if (i >= s.outHeight) continue; \\
                for (i64 q = 0; q < s.kernelWidth; ++q) { \\
                    i64 columnNumerator = t + s.padLeft - q * s.dilationX; \\
                    if (columnNumerator < 0 || (s.strideX != 1 && columnNumerator % s.strideX != 0)) continue; \\
                    i64 j = s.strideX == 1 ? columnNumerator : columnNumerator / s.strideX; \\
                    if (j >= s.outWidth) continue; \\
                    sum += columns[((c * s.kernelHeight + p) * s.kernelWidth + q) * width + b * s.positions() + i * s.outWidth + j]; \\
                } \\
            } \\
            x[first * s.inChannels * s.height * s.width + index] = sum; \\
        } \\
    }
    CONVOLUTION(f32, float)
    CONVOLUTION(f64, double)

    """
}
