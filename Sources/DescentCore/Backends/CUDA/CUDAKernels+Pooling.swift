extension CUDAKernelSource {
    /// Max and average pooling over the last two axes of [N, C, H, W], and their derivative
    /// rules, as the reference backend defines them: one thread per element of the result. Max
    /// pooling's backward pass gathers, for each input element, the gradients of the outputs that
    /// chose it, in the reference's order (so overlapping windows add up bit for bit as there):
    /// from the few windows that can hold it (`max_pool2d_backward_windows`), or — where some
    /// window holds no input at all, whose recorded position may lie outside it — by a scan of
    /// the whole output plane (`max_pool2d_backward`).
    ///
    /// `Dims` here: kH, kW, strideY, strideX, padY, padX, dilationY, dilationX, H, W, outH, outW,
    /// countIncludePad, relu (v[0…13]).
    static let pooling = """
    struct Window {
        i64 kh, kw, sy, sx, py, px, dy, dx, height, width, outHeight, outWidth, countIncludePad, relu;
        __device__ Window(const Dims &d)
            : kh(d.v[0]), kw(d.v[1]), sy(d.v[2]), sx(d.v[3]), py(d.v[4]), px(d.v[5]), dy(d.v[6]), dx(d.v[7]),
              height(d.v[8]), width(d.v[9]), outHeight(d.v[10]), outWidth(d.v[11]), countIncludePad(d.v[12]),
              relu(d.v[13]) {}
        /// Average pooling's window along one axis: [start, end) inside the input, and the
        /// padded count, as `Pooling2d.averageRange`.
        __device__ static void range(i64 o, i64 stride, i64 kernel, i64 padding, i64 length, i64 &start, i64 &end, i64 &padded) {
            i64 first = o * stride - padding;
            i64 paddedEnd = first + kernel < length + padding ? first + kernel : length + padding;
            start = first > 0 ? first : 0;
            end = paddedEnd < length ? paddedEnd : length;
            padded = paddedEnd - first;
        }
        __device__ i64 divisor(i64 oh, i64 ow, i64 &r0, i64 &r1, i64 &c0, i64 &c1) const {
            i64 rp, cp;
            range(oh, sy, kh, py, height, r0, r1, rp);
            range(ow, sx, kw, px, width, c0, c1, cp);
            if (countIncludePad) return rp * cp;
            return (r1 - r0 > 0 ? r1 - r0 : 0) * (c1 - c0 > 0 ? c1 - c0 : 0);
        }
    };

    #define POOLING(NAME, T) \\
    extern "C" __global__ void max_pool2d_##NAME(const T *x, T *y, int *indices, i64 n, Dims d) { \\
        Window s(d); \\
        GRID_LOOP(index, n) { \\
            i64 ow = index % s.outWidth, oh = (index / s.outWidth) % s.outHeight, plane = index / (s.outWidth * s.outHeight); \\
            const T *source = x + plane * s.height * s.width; \\
            bool any = false, sawNaN = false; \\
            T best = -infinity<T>(); \\
            i64 position = 0; \\
            for (i64 i = 0; i < s.kh; ++i) { \\
                i64 h = oh * s.sy - s.py + i * s.dy; \\
                if (h < 0 || h >= s.height) continue; \\
                for (i64 j = 0; j < s.kw; ++j) { \\
                    i64 w = ow * s.sx - s.px + j * s.dx; \\
                    if (w < 0 || w >= s.width) continue; \\
                    T value = source[h * s.width + w]; \\
                    if (s.relu) value = value > T(0) ? value : T(0); \\
                    if (is_nan(value)) { sawNaN = true; best = value; position = h * s.width + w; } \\
                    else if (!sawNaN && (!any || value > best)) { best = value; position = h * s.width + w; } \\
                    any = true; \\
                } \\
            } \\
            if (!any) { \\
                i64 h = oh * s.sy - s.py, w = ow * s.sx - s.px; \\
                while (h < 0) h += s.dy; \\
                while (w < 0) w += s.dx; \\
                best = -infinity<T>(); \\
                position = h * s.width + w; \\
            } \\
            y[index] = best; \\
            indices[index] = (int)position; \\
        } \\
    } \\
    extern "C" __global__ void max_pool2d_backward_##NAME(const T *upstream, const int *indices, T *y, i64 n, \\
                                                          i64 outputPlane, i64 planeSize) { \\
        GRID_LOOP(i, n) { \\
            i64 plane = i / planeSize, position = i % planeSize; \\
            const int *chosen = indices + plane * outputPlane; \\
            const T *gradient = upstream + plane * outputPlane; \\
            T sum = T(0); \\
            for (i64 o = 0; o < outputPlane; ++o) if (chosen[o] == position) sum += gradient[o]; \\
            y[i] = sum; \\
        } \\
    } \\
    extern "C" __global__ void max_pool2d_backward_windows_##NAME(const T *upstream, const int *indices, T *y, i64 n, \\
                                                                  Dims d) { \\
        Window s(d); \\
        GRID_LOOP(index, n) { \\
            i64 w = index % s.width, h = (index / s.width) % s.height, plane = index / (s.width * s.height); \\
            i64 position = h * s.width + w, outputPlane = s.outHeight * s.outWidth; \\
            const int *chosen = indices + plane * outputPlane; \\
            const T *gradient = upstream + plane * outputPlane; \\
            T sum = T(0); \\
            /* Kernel rows and columns from the last: the windows come in output order. */ \\
            for (i64 i = s.kh - 1; i >= 0; --i) { \\
                i64 rowNumerator = h + s.py - i * s.dy; \\
                if (rowNumerator < 0 || rowNumerator % s.sy != 0 || rowNumerator / s.sy >= s.outHeight) continue; \\
                for (i64 j = s.kw - 1; j >= 0; --j) { \\
                    i64 columnNumerator = w + s.px - j * s.dx; \\
                    if (columnNumerator < 0 || columnNumerator % s.sx != 0 || columnNumerator / s.sx >= s.outWidth) continue; \\
                    i64 o = (rowNumerator / s.sy) * s.outWidth + columnNumerator / s.sx; \\
                    if (chosen[o] == position) sum += gradient[o]; \\
                } \\
            } \\
            y[index] = sum; \\
        } \\
    } \\
    extern "C" __global__ void avg_pool2d_##NAME(const T *x, T *y, i64 n, Dims d) { \\
        Window s(d); \\
        GRID_LOOP(index, n) { \\
            i64 ow = index % s.outWidth, oh = (index / s.outWidth) % s.outHeight, plane = index / (s.outWidth * s.outHeight); \\
            i64 r0, r1, c0, c1; \\
            i64 divisor = s.divisor(oh, ow, r0, r1, c0, c1); \\
            if (divisor <= 0) { y[index] = T(0); continue; } \\
            T sum = T(0); \\
            for (i64 h = r0 > 0 ? r0 : 0; h < r1 && h < s.height; ++h) \\
                for (i64 w = c0 > 0 ? c0 : 0; w < c1 && w < s.width; ++w) sum += x[(plane * s.height + h) * s.width + w]; \\
            y[index] = sum / (T)divisor; \\
        } \\
    } \\
    extern "C" __global__ void avg_pool2d_backward_##NAME(const T *upstream, T *y, i64 n, Dims d) { \\
        Window s(d); \\
        GRID_LOOP(index, n) { \\
            i64 w = index % s.width, h = (index / s.width) % s.height, plane = index / (s.width * s.height); \\
            T sum = T(0); \\
            for (i64 oh = 0; oh < s.outHeight; ++oh) { \\
                for (i64 ow = 0; ow < s.outWidth; ++ow) { \\
                    i64 r0, r1, c0, c1; \\
                    i64 divisor = s.divisor(oh, ow, r0, r1, c0, c1); \\
                    if (divisor <= 0 || h < r0 || h >= r1 || w < c0 || w >= c1) continue; \\
                    sum += upstream[(plane * s.outHeight + oh) * s.outWidth + ow] / (T)divisor; \\
                } \\
            } \\
            y[index] = sum; \\
        } \\
    }
    POOLING(f32, float)
    POOLING(f64, double)

    """
}
