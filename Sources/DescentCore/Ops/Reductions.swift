// Reductions: sum, mean, max, min, argmax, log-sum-exp, over all elements or chosen axes.
// `alongAxes:` keeps the reduced axes with size 1 (so the result broadcasts against the input);
// `squeezingAxes:` removes them. Negative axes count from the end (-1 is the last).

extension Tensor {
    /// `axis` as a non-negative index (−1 is the last axis).
    func normalized(axis: Int, op: String) -> Int {
        let result = axis < 0 ? axis + rank : axis
        precondition(result >= 0 && result < Swift.max(rank, 1),
                     "\(op): axis \(axis) is out of range for shape \(shape)")
        return result
    }

    func normalized(axes: [Int], op: String) -> [Int] {
        // One axis (a training step's every reduction) needs no set to drop repeats.
        if axes.count == 1 { return [normalized(axis: axes[0], op: op)] }
        return Array(Set(axes.map { normalized(axis: $0, op: op) })).sorted()
    }

    private func reduced(_ operation: ReductionOperation, alongAxes axes: [Int]) -> Tensor {
        let axes = normalized(axes: axes, op: operation.rawValue)
        if rank == 0 { return self }
        precondition(dtype.isFloatingPoint, "\(operation): needs a floating-point tensor, got \(dtype) \(shape)")
        let y = device.backend.reduce(operation, self, axes: axes)
        guard gradientNode != nil else { return y }
        let rule = operation == .sum ? DerivativeRules.sum(self)
                                     : DerivativeRules.extremum(self.detached(), y, axes: axes)
        return y.recorded(operation.rawValue, self, pullback: rule)
    }

    private func squeezing(_ axes: [Int], op: String) -> [Int] {
        let removed = normalized(axes: axes, op: op)
        return shape.indices.filter { !removed.contains($0) }.map { shape[$0] }
    }

    /// The sum of all elements (a scalar tensor).
    public func sum() -> Tensor {
        if rank == 0 { return self }
        precondition(dtype.isFloatingPoint, "sum: needs a floating-point tensor, got \(dtype) \(shape)")
        // One node, not a reduction keeping every axis and a reshape: a cost's mean is the sum
        // of every training step, and a graph drawn for teaching shows one `sum`.
        let kept = device.backend.reduce(.sum, self, axes: Array(0..<rank))
        let y = Tensor(shape: [], storage: kept.storage)
        guard gradientNode != nil else { return y }
        return y.recorded(ReductionOperation.sum.rawValue, self, pullback: DerivativeRules.sum(self))
    }
    /// The sum along `axes`, keeping them as size-1 axes.
    public func sum(alongAxes axes: [Int]) -> Tensor { reduced(.sum, alongAxes: axes) }
    /// The sum along `axes`, removing them.
    public func sum(squeezingAxes axes: [Int]) -> Tensor {
        reduced(.sum, alongAxes: axes).reshaped(to: squeezing(axes, op: "sum"))
    }

    /// The mean of all elements (a scalar tensor).
    public func mean() -> Tensor { sum() / Double(Swift.max(scalarCount, 1)) }
    /// The mean along `axes`, keeping them as size-1 axes.
    public func mean(alongAxes axes: [Int]) -> Tensor { sum(alongAxes: axes) / Double(count(alongAxes: axes)) }
    /// The mean along `axes`, removing them.
    public func mean(squeezingAxes axes: [Int]) -> Tensor { sum(squeezingAxes: axes) / Double(count(alongAxes: axes)) }

    private func count(alongAxes axes: [Int]) -> Int {
        normalized(axes: axes, op: "mean").map { shape[$0] }.reduce(1, *)
    }

    /// The largest element (a scalar tensor).
    public func max() -> Tensor { reshaped(to: [scalarCount]).max(squeezingAxes: [0]) }
    /// The largest elements along `axes`, keeping them as size-1 axes.
    public func max(alongAxes axes: [Int]) -> Tensor { reduced(.max, alongAxes: axes) }
    /// The largest elements along `axes`, removing them.
    public func max(squeezingAxes axes: [Int]) -> Tensor {
        reduced(.max, alongAxes: axes).reshaped(to: squeezing(axes, op: "max"))
    }

    /// The smallest element (a scalar tensor).
    public func min() -> Tensor { reshaped(to: [scalarCount]).min(squeezingAxes: [0]) }
    /// The smallest elements along `axes`, keeping them as size-1 axes.
    public func min(alongAxes axes: [Int]) -> Tensor { reduced(.min, alongAxes: axes) }
    /// The smallest elements along `axes`, removing them.
    public func min(squeezingAxes axes: [Int]) -> Tensor {
        reduced(.min, alongAxes: axes).reshaped(to: squeezing(axes, op: "min"))
    }

    /// The index of the largest element along `axis` (the first on ties), as an int32 tensor
    /// without that axis.
    public func argmax(alongAxis axis: Int = -1) -> Tensor { argReduced(.argmax, alongAxis: axis) }

    /// The index of the smallest element along `axis` (the first on ties), as an int32 tensor
    /// without that axis.
    public func argmin(alongAxis axis: Int = -1) -> Tensor { argReduced(.argmin, alongAxis: axis) }

    private func argReduced(_ operation: ArgReductionOperation, alongAxis axis: Int) -> Tensor {
        precondition(dtype.isFloatingPoint, "\(operation): needs a floating-point tensor, got \(dtype) \(shape)")
        let axis = normalized(axis: axis, op: operation.rawValue)
        precondition(rank > 0 && shape[axis] > 0, "\(operation): axis \(axis) of shape \(shape) is empty")
        return device.backend.argReduce(operation, self, axis: axis)
    }

    /// log Σ eˣ along `axes`, keeping them, computed stably: the largest element is taken out
    /// first, so no exponential overflows (log-sum-exp of logits of ±1000 is finite).
    public func logSumExp(alongAxes axes: [Int]) -> Tensor {
        let m = stabilizingShift(alongAxes: axes)
        return log(exp(self - m).sum(alongAxes: axes)) + m
    }

    /// The largest element along `axes` (kept), or 0 where that is not finite, cut off from the
    /// gradient graph: subtracting it keeps every exponential in [0, 1]. It is a constant for
    /// differentiation because log Σ eˣ = m + log Σ eˣ⁻ᵐ for any m, so the gradient is exact
    /// whatever m is.
    func stabilizingShift(alongAxes axes: [Int]) -> Tensor {
        let m = max(alongAxes: axes).detached()
        return select(where: m.isFinite(), m, otherwise: Tensor.zeros(like: m))
    }

    /// log Σ eˣ along `axes`, removing them.
    public func logSumExp(squeezingAxes axes: [Int]) -> Tensor {
        logSumExp(alongAxes: axes).reshaped(to: squeezing(axes, op: "logSumExp"))
    }

    /// log Σ eˣ over all elements (a scalar tensor).
    public func logSumExp() -> Tensor { reshaped(to: [scalarCount]).logSumExp(squeezingAxes: [0]) }

    /// 1 where the element is finite, 0 where it is ±∞ or NaN.
    public func isFinite() -> Tensor {
        (self - self) .== 0
    }
}
