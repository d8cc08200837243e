// Pooling as the textbook defines it: each output element looks at its window of the padded
// input; each input element's gradient collects what the windows that contain it sent back.

extension ReferenceBackend {
    /// The input positions of the window of output (`oh`, `ow`), row by row, without those in
    /// the padding: rows oh·s − p + i·d for i in 0..<k, and likewise for columns.
    private func maxWindow(_ oh: Int, _ ow: Int, _ pooling: Pooling2d) -> [(h: Int, w: Int)] {
        let window = pooling.window
        var positions: [(h: Int, w: Int)] = []
        for i in 0..<window.kernelSize.height {
            let h = oh * window.stride.height - window.padding.height + i * window.dilation.height
            for j in 0..<window.kernelSize.width {
                let w = ow * window.stride.width - window.padding.width + j * window.dilation.width
                if h >= 0 && h < pooling.input.height && w >= 0 && w < pooling.input.width { positions.append((h, w)) }
            }
        }
        return positions
    }

    func maxPool2d(_ x: Tensor, _ pooling: Pooling2d) -> (values: Tensor, indices: Tensor) {
        func run<T: FloatingPointScalar>(_: T.Type) -> (Tensor, Tensor) {
            let (n, c) = (x.shape[0], x.shape[1])
            let (height, width) = (pooling.input.height, pooling.input.width)
            let (outHeight, outWidth) = (pooling.output.height, pooling.output.width)
            var values: [T] = [], indices: [Int32] = []
            for plane in 0..<(n * c) {
                for oh in 0..<outHeight {
                    for ow in 0..<outWidth {
                        let positions = maxWindow(oh, ow, pooling)
                        let elements = positions.map { position -> T in
                            let value = x.element((plane * height + position.h) * width + position.w, as: T.self)
                            return pooling.appliesReLU ? (value > 0 ? value : 0) : value
                        }
                        // The maximum, NaN if there is one; its position is the first that holds
                        // it (PyTorch's choice on ties), or the last NaN (PyTorch keeps replacing).
                        var chosen: Int?
                        if let lastNaN = elements.lastIndex(where: \.isNaN) {
                            chosen = lastNaN
                        } else if let largest = elements.max() {
                            chosen = elements.firstIndex(of: largest)
                        }
                        if let chosen {
                            values.append(elements[chosen])
                            indices.append(Int32(positions[chosen].h * width + positions[chosen].w))
                        } else {
                            // No input under the window (only possible with dilation): −∞ at the
                            // window's first position past the padding, as PyTorch reports it.
                            let window = pooling.window
                            var h = oh * window.stride.height - window.padding.height
                            var w = ow * window.stride.width - window.padding.width
                            while h < 0 { h += window.dilation.height }
                            while w < 0 { w += window.dilation.width }
                            values.append(-T.infinity)
                            indices.append(Int32(truncatingIfNeeded: h * width + w))
                        }
                    }
                }
            }
            let shape = [n, c, outHeight, outWidth]
            return (make(shape, T.self) { values[$0] }, make(shape, Int32.self) { indices[$0] })
        }
        return floating(x.dtype) { run($0) }
    }

    func maxPool2dBackward(_ upstream: Tensor, indices: Tensor, inputShape: [Int], _ pooling: Pooling2d) -> Tensor {
        func run<T: FloatingPointScalar>(_: T.Type) -> Tensor {
            let planeSize = inputShape[2] * inputShape[3]
            let outputPlane = upstream.shape[2] * upstream.shape[3]
            var result = [T](repeating: 0, count: inputShape.reduce(1, *))
            // Each output's gradient goes to the one input that was its maximum.
            for i in 0..<upstream.scalarCount {
                let position = Int(indices.element(i, as: Int32.self))
                guard position >= 0 && position < planeSize else { continue }
                result[(i / outputPlane) * planeSize + position] += upstream.element(i, as: T.self)
            }
            return make(inputShape, T.self) { result[$0] }
        }
        return floating(upstream.dtype) { run($0) }
    }

    func avgPool2d(_ x: Tensor, _ pooling: Pooling2d) -> Tensor {
        func run<T: FloatingPointScalar>(_: T.Type) -> Tensor {
            let (n, c) = (x.shape[0], x.shape[1])
            let (height, width) = (pooling.input.height, pooling.input.width)
            let (outHeight, outWidth) = (pooling.output.height, pooling.output.width)
            let shape = [n, c, outHeight, outWidth]
            return make(shape, T.self) { i in
                let (plane, rest) = i.quotientAndRemainder(dividingBy: outHeight * outWidth)
                let window = pooling.divisor(rest / outWidth, rest % outWidth)
                guard window.divisor > 0 else { return 0 }
                var sum: T = 0
                for h in 0..<height where h >= window.rows.0 && h < window.rows.1 {
                    for w in 0..<width where w >= window.columns.0 && w < window.columns.1 {
                        sum += x.element((plane * height + h) * width + w, as: T.self)
                    }
                }
                return sum / T(window.divisor)
            }
        }
        return floating(x.dtype) { run($0) }
    }

    func avgPool2dBackward(_ upstream: Tensor, _ pooling: Pooling2d) -> Tensor {
        func run<T: FloatingPointScalar>(_: T.Type) -> Tensor {
            let (n, c) = (upstream.shape[0], upstream.shape[1])
            let (height, width) = (pooling.input.height, pooling.input.width)
            let (outHeight, outWidth) = (pooling.output.height, pooling.output.width)
            // Input element (h, w) receives ḡ / divisor from every window that covers it.
            return make([n, c, height, width], T.self) { i in
                let (plane, rest) = i.quotientAndRemainder(dividingBy: height * width)
                let (h, w) = rest.quotientAndRemainder(dividingBy: width)
                var sum: T = 0
                for oh in 0..<outHeight {
                    for ow in 0..<outWidth {
                        let window = pooling.divisor(oh, ow)
                        guard window.divisor > 0, h >= window.rows.0, h < window.rows.1,
                              w >= window.columns.0, w < window.columns.1 else { continue }
                        sum += upstream.element((plane * outHeight + oh) * outWidth + ow, as: T.self) / T(window.divisor)
                    }
                }
                return sum
            }
        }
        return floating(upstream.dtype) { run($0) }
    }
}
