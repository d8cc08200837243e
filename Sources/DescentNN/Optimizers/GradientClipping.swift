/// Gradient clipping: limits how far one step can go when a batch produces an exploding
/// gradient, as PyTorch's `torch.nn.utils.clip_grad_norm_` and `clip_grad_value_` do.
extension Gradients {
    /// The L2 norm of all gradients together, ‖∇C‖ = √(Σ g²) over every element of every
    /// tensor, as if they were one long vector (one read-back; see ``globalNormTensor``).
    public var globalNorm: Double { globalNormTensor.doubleValue }

    /// ``globalNorm`` as a float64 scalar tensor on the gradients' device, without reading it
    /// back. Summed in float64, tensor by tensor in the order of their names, so the same
    /// gradients always give the same norm.
    public var globalNormTensor: Tensor {
        let squares = byName.keys.sorted().map { name in byName[name]!.cast(to: .float64).squared().sum() }
        guard let first = squares.first else { return Tensor(0.0) }
        return squares.dropFirst().reduce(first, +).squareRoot()
    }

    /// These gradients scaled so that their ``globalNorm`` is at most `maxNorm`: every gradient
    /// is multiplied by min(1, maxNorm / (‖∇C‖ + 10⁻⁶)), which keeps the direction of the step
    /// and shortens it. Computed on the gradients' device, with no read-back (as PyTorch's
    /// `clip_grad_norm_`).
    public func clipped(byGlobalNorm maxNorm: Double) -> Gradients {
        precondition(maxNorm >= 0, "Gradients.clipped(byGlobalNorm:): max norm \(maxNorm) is negative")
        guard !byName.isEmpty else { return self }
        let scale = minimum(maxNorm / (globalNormTensor + 1e-6), 1)
        return Gradients(byName.mapValues { $0 * scale.cast(to: $0.dtype) })
    }

    /// These gradients with every element clamped to [−maxValue, maxValue].
    public func clipped(byValue maxValue: Double) -> Gradients {
        precondition(maxValue >= 0, "Gradients.clipped(byValue:): max value \(maxValue) is negative")
        return Gradients(byName.mapValues { $0.clamped(min: -maxValue, max: maxValue) })
    }
}
