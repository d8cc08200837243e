// The activations with a parameter in `BackendCrossCheck`: leaky ReLU, ELU and softplus, forward
// and backward, with two settings each, on the elementwise shapes, a run long enough to be split
// across threads, and the special values.

extension CrossCheckRun {
    /// PyTorch's defaults and another setting of each.
    static let parametricActivations: [ParametricActivation] = [
        .leakyReLU(negativeSlope: 0.01), .leakyReLU(negativeSlope: 0.2), .elu(alpha: 1), .elu(alpha: 0.5),
        .softplus(beta: 1, threshold: 20), .softplus(beta: 2, threshold: 1),
    ]

    /// Leaky ReLU is x or one product, rounded once on both devices: exact. ELU (α·expm1(x), or
    /// ḡ·α·eˣ) and softplus (ln(1 + e^(βx))/β, or ḡ·σ(βx)) are computed in double and rounded once
    /// on the reference; a few ulps elsewhere.
    static func tolerance(of function: ParametricActivation, _ dtype: DType) -> CrossCheckTolerance {
        switch function {
        case .leakyReLU: .exact
        case .elu, .softplus: .ulps(4, dtype)
        }
    }

    mutating func activation() {
        for dtype in [DType.float32, .float64] {
            for (index, function) in Self.parametricActivations.enumerated() {
                let tolerance = Self.tolerance(of: function, dtype)
                for (shapeIndex, shape) in (Self.elementwiseShapes + [Self.longShape]).enumerated() {
                    let x = Self.normal(shape, dtype, scale: 3, seed: 2100 + 10 * UInt64(index) + UInt64(shapeIndex))
                    check(.activation, "\(function) \(dtype) \(shape)", tolerance) { $0.backend.activation(function, x.to($0)) }
                }
                let x = Tensor(doubles: Self.specialValues + [-1e-9, -30, -120], shape: [Self.specialValues.count + 3], dtype: dtype)
                check(.activation, "\(function) \(dtype) special values", tolerance) { $0.backend.activation(function, x.to($0)) }
            }
        }
    }

    mutating func activationBackward() {
        for dtype in [DType.float32, .float64] {
            for (index, function) in Self.parametricActivations.enumerated() {
                let tolerance = Self.tolerance(of: function, dtype)
                for (shapeIndex, shape) in (Self.elementwiseShapes + [Self.longShape]).enumerated() {
                    let seed = 2200 + 20 * UInt64(index) + 2 * UInt64(shapeIndex)
                    let x = Self.normal(shape, dtype, scale: 3, seed: seed), upstream = Self.normal(shape, dtype, seed: seed + 1)
                    check(.activationBackward, "\(function) \(dtype) \(shape)", tolerance) {
                        $0.backend.activationBackward(function, upstream.to($0), input: x.to($0))
                    }
                }
                // Every pair of special values as (ḡ, x).
                let specials = Self.specialValues
                let upstream = Tensor(doubles: specials.flatMap { g in specials.map { _ in g } }, shape: [specials.count * specials.count], dtype: dtype)
                let x = Tensor(doubles: specials.flatMap { _ in specials }, shape: [specials.count * specials.count], dtype: dtype)
                check(.activationBackward, "\(function) \(dtype) special values", tolerance) {
                    $0.backend.activationBackward(function, upstream.to($0), input: x.to($0))
                }
            }
        }
    }
}
