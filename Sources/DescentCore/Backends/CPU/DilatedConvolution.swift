// Convolutions with a dilation of 2 as convolutions without one. Output row 2u + a of a 3×3
// filter dilated by 2 reads input rows 2u + a + 2p − pad: with an even padding, all of parity
// a, rows u + p − pad/2 of the input's rows of that parity. So split into its four phases (the
// rows and the columns of each parity), the input makes four images of half its height and
// width, each convolved with the filter undilated and padded by half as much, and the results
// are the output's four phases. The four phases of an example become four examples of a batch
// four times as large, and a convolution over that batch takes the Winograd path (which needs
// a dilation of 1): in a network of two such convolutions on MNIST, an epoch took about as long
// as the same network without dilation, where through im2col it took twice as long. The filter's
// gradient sums over the phases as over the examples; the bias's, over everything, is unchanged.

extension Conv2dGeometry {
    /// The convolution of the input's phases (a batch four times as large, images of half the
    /// height and width, padding halved, no dilation) when this convolution is computed as
    /// that: float32 callers only, dilation 2 both ways, stride 1, even sizes and paddings, and
    /// a phase convolution that takes the Winograd path (the reason for the detour).
    var phaseConvolution: Conv2dGeometry? {
        guard dilationY == 2, dilationX == 2, strideY == 1, strideX == 1, height % 2 == 0, width % 2 == 0,
              [padTop, padLeft, padBottom, padRight].allSatisfy({ $0 % 2 == 0 }) else { return nil }
        let phases = Conv2dGeometry(batch: batch * 4, inChannels: inChannels, height: height / 2, width: width / 2,
                                    outChannels: outChannels, kernelHeight: kernelHeight, kernelWidth: kernelWidth,
                                    strideY: 1, strideX: 1, padTop: padTop / 2, padLeft: padLeft / 2,
                                    padBottom: padBottom / 2, padRight: padRight / 2, dilationY: 1, dilationX: 1,
                                    groups: groups)
        return phases.usesWinograd ? phases : nil
    }
}

extension CPUBackend {
    /// [N, C, H, W] (H and W even) as its phases, [4N, C, H/2, W/2]: example 4n + 2a + b holds
    /// rows 2u + a and columns 2v + b of example n.
    func splitPhases(_ x: Tensor) -> Tensor {
        movePhases(x, splitting: true)
    }

    /// The reverse of ``splitPhases(_:)``: [4N, C, h, w] to [N, C, 2h, 2w].
    func mergePhases(_ phases: Tensor) -> Tensor {
        movePhases(phases, splitting: false)
    }

    private func movePhases(_ x: Tensor, splitting: Bool) -> Tensor {
        let (n, c) = splitting ? (x.shape[0], x.shape[1]) : (x.shape[0] / 4, x.shape[1])
        let (h, w) = splitting ? (x.shape[2] / 2, x.shape[3] / 2) : (x.shape[2], x.shape[3])
        let shape = splitting ? [n * 4, c, h, w] : [n, c, h * 2, w * 2]
        let output = TensorStorage(uninitializedCount: x.scalarCount, dtype: x.dtype, device: .cpu)
        func run<T: FloatingPointScalar>(_: T.Type) {
            let pointers = UncheckedSendable((x.storage.typed(T.self), output.typed(T.self)))
            // One task per (example, channel) plane of the image side.
            Parallel.forEachChunk(count: n * c, minimumChunk: Swift.max(1, (1 << 15) / Swift.max(1, 4 * h * w))) { planes in
                let (source, target) = pointers.value
                for plane in planes {
                    let (example, channel) = plane.quotientAndRemainder(dividingBy: c)
                    let image = (splitting ? source : target) + plane * 4 * h * w
                    for phase in 0..<4 {
                        let part = (splitting ? target : source) + ((example * 4 + phase) * c + channel) * h * w
                        let (a, b) = phase.quotientAndRemainder(dividingBy: 2)
                        for u in 0..<h {
                            let imageRow: Int = (2 &* u &+ a) &* 2 &* w
                            let row = image + (imageRow &+ b), line = part + u &* w
                            if splitting {
                                for v in 0..<w { line[v] = row[2 &* v] }
                            } else {
                                for v in 0..<w { row[2 &* v] = line[v] }
                            }
                        }
                    }
                }
            }
        }
        if x.dtype == .float32 { run(Float.self) } else { run(Double.self) }
        return Tensor(shape: shape, storage: output)
    }
}
