/// Gradient clipping: limits how far one step can go when a batch produces an exploding
/// gradient, as PyTorch's `torch.nn.utils.clip_grad_norm_` and `clip_grad_value_` do.
extension Gradients {
    /// The L2 norm of all gradients together, ‖∇C‖ = √(Σ g²) over every element of every
    /// tensor, as if they were one long vector.
    ///
    /// Summed in `Double`, tensor by tensor in the order of their names, so the same gradients
    /// always give the same norm.
    public var globalNorm: Double {
        var sumOfSquares = 0.0
        for name in byName.keys.sorted() {
            let gradient = byName[name]!
            switch gradient.dtype {
            case .float32: sumOfSquares += Self.sumOfSquares(gradient, as: Float.self)
            case .float64: sumOfSquares += Self.sumOfSquares(gradient, as: Double.self)
            case .int32: preconditionFailure("Gradients.globalNorm: gradient '\(name)' is int32")
            }
        }
        return sumOfSquares.squareRoot()
    }

    /// These gradients scaled so that their ``globalNorm`` is at most `maxNorm`: every gradient
    /// is multiplied by min(1, maxNorm / (‖∇C‖ + 10⁻⁶)), which keeps the direction of the step
    /// and shortens it.
    public func clipped(byGlobalNorm maxNorm: Double) -> Gradients {
        precondition(maxNorm >= 0, "Gradients.clipped(byGlobalNorm:): max norm \(maxNorm) is negative")
        let scale = min(maxNorm / (globalNorm + 1e-6), 1)
        guard scale < 1 else { return self }
        return Gradients(byName.mapValues { $0 * scale })
    }

    /// These gradients with every element clamped to [−maxValue, maxValue].
    public func clipped(byValue maxValue: Double) -> Gradients {
        precondition(maxValue >= 0, "Gradients.clipped(byValue:): max value \(maxValue) is negative")
        return Gradients(byName.mapValues { $0.clamped(min: -maxValue, max: maxValue) })
    }

    private static func sumOfSquares<S: FloatingPointScalar>(_ tensor: Tensor, as type: S.Type) -> Double {
        tensor.withUnsafeBufferPointer(as: S.self) { elements in
            elements.reduce(0.0) { sum, element in
                let x = element.doubleValue
                return sum + x * x
            }
        }
    }
}
