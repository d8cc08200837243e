// The 2-D convolution and its two gradients by their definitions: one sum per output element,
// over exactly the terms the definition names, with padding as positions that contribute nothing.

extension ReferenceBackend {
    /// y[n, o, i, j] = b[o] + Σ over c, p, q of x[n, g·C/G + c, i·sy − pt + p·dy, j·sx − pl + q·dx]·w[o, c, p, q],
    /// where g = o / (O/G) is the group of output channel o and c runs over that group's inputs;
    /// then the activation.
    func conv2d(_ input: Tensor, weight: Tensor, bias: Tensor?, _ geometry: Conv2dGeometry,
                activation: LinearActivation) -> Tensor {
        func run<T: FloatingPointScalar>(_: T.Type) -> Tensor {
            let s = geometry
            return make(s.outputShape, T.self) { index in
                let position = Positions.multiIndex(of: index, in: s.outputShape)
                let (n, o, i, j) = (position[0], position[1], position[2], position[3])
                let group = o / s.groupOutChannels
                var sum: T = bias?.element(o, as: T.self) ?? 0
                for c in 0..<s.groupInChannels {
                    for p in 0..<s.kernelHeight {
                        let row = i * s.strideY - s.padTop + p * s.dilationY
                        guard row >= 0 && row < s.height else { continue }
                        for q in 0..<s.kernelWidth {
                            let column = j * s.strideX - s.padLeft + q * s.dilationX
                            guard column >= 0 && column < s.width else { continue }
                            let x = input.element(Positions.linearIndex(of: [n, group * s.groupInChannels + c, row, column],
                                                                        in: s.inputShape), as: T.self)
                            let w = weight.element(Positions.linearIndex(of: [o, c, p, q], in: s.weightShape), as: T.self)
                            sum += x * w
                        }
                    }
                }
                switch activation {
                case .identity: return sum
                case .relu: return sum > 0 ? sum : 0
                }
            }
        }
        return floating(input.dtype) { run($0) }
    }

    /// x̄[n, C, r, t] = Σ ḡ[n, o, i, j]·w[o, c, p, q] over the outputs o of C's group and the
    /// (i, j, p, q) whose window put x[n, C, r, t] at kernel position (p, q): r = i·sy − pt + p·dy,
    /// t = j·sx − pl + q·dx.
    func conv2dInputGradient(_ upstream: Tensor, weight: Tensor, _ geometry: Conv2dGeometry) -> Tensor {
        func run<T: FloatingPointScalar>(_: T.Type) -> Tensor {
            let s = geometry
            return make(s.inputShape, T.self) { index in
                let position = Positions.multiIndex(of: index, in: s.inputShape)
                let (n, channel, r, t) = (position[0], position[1], position[2], position[3])
                let (group, c) = channel.quotientAndRemainder(dividingBy: s.groupInChannels)
                var sum: T = 0
                for o in group * s.groupOutChannels..<(group + 1) * s.groupOutChannels {
                    for p in 0..<s.kernelHeight {
                        // The output row i with i·sy = r + pt − p·dy, if there is one.
                        let (i, rowRemainder) = (r + s.padTop - p * s.dilationY).quotientAndRemainder(dividingBy: s.strideY)
                        guard rowRemainder == 0 && r + s.padTop - p * s.dilationY >= 0 && i < s.outHeight else { continue }
                        for q in 0..<s.kernelWidth {
                            let (j, columnRemainder) = (t + s.padLeft - q * s.dilationX).quotientAndRemainder(dividingBy: s.strideX)
                            guard columnRemainder == 0 && t + s.padLeft - q * s.dilationX >= 0 && j < s.outWidth else { continue }
                            let g = upstream.element(Positions.linearIndex(of: [n, o, i, j], in: s.outputShape), as: T.self)
                            let w = weight.element(Positions.linearIndex(of: [o, c, p, q], in: s.weightShape), as: T.self)
                            sum += g * w
                        }
                    }
                }
                return sum
            }
        }
        return floating(upstream.dtype) { run($0) }
    }

    /// w̄[o, c, p, q] = Σ over n, i, j of ḡ[n, o, i, j]·x[n, g·C/G + c, i·sy − pt + p·dy, j·sx − pl + q·dx].
    func conv2dWeightGradient(_ upstream: Tensor, input: Tensor, _ geometry: Conv2dGeometry) -> Tensor {
        func run<T: FloatingPointScalar>(_: T.Type) -> Tensor {
            let s = geometry
            return make(s.weightShape, T.self) { index in
                let position = Positions.multiIndex(of: index, in: s.weightShape)
                let (o, c, p, q) = (position[0], position[1], position[2], position[3])
                let channel = (o / s.groupOutChannels) * s.groupInChannels + c
                var sum: T = 0
                for n in 0..<s.batch {
                    for i in 0..<s.outHeight {
                        let row = i * s.strideY - s.padTop + p * s.dilationY
                        guard row >= 0 && row < s.height else { continue }
                        for j in 0..<s.outWidth {
                            let column = j * s.strideX - s.padLeft + q * s.dilationX
                            guard column >= 0 && column < s.width else { continue }
                            let g = upstream.element(Positions.linearIndex(of: [n, o, i, j], in: s.outputShape), as: T.self)
                            let x = input.element(Positions.linearIndex(of: [n, channel, row, column], in: s.inputShape), as: T.self)
                            sum += g * x
                        }
                    }
                }
                return sum
            }
        }
        return floating(upstream.dtype) { run($0) }
    }

    /// kept = output > 0 ? upstream : 0, element by element; channelSums[c] = Σ kept[n, c, …] over
    /// n and the trailing positions, in index order.
    func keepWherePositiveWithChannelSums(_ upstream: Tensor, output: Tensor) -> (kept: Tensor, channelSums: Tensor) {
        func run<T: FloatingPointScalar>(_: T.Type) -> (Tensor, Tensor) {
            let kept = make(upstream.shape, T.self) { i in
                output.element(i, as: T.self) > 0 ? upstream.element(i, as: T.self) : 0
            }
            let channels = upstream.shape[1], inner = upstream.shape.dropFirst(2).reduce(1, *)
            let sums = make([channels], T.self) { c in
                var sum: T = 0
                for n in 0..<upstream.shape[0] {
                    for j in 0..<inner { sum += kept.element((n * channels + c) * inner + j, as: T.self) }
                }
                return sum
            }
            return (kept, sums)
        }
        return floating(upstream.dtype) { run($0) }
    }
}
