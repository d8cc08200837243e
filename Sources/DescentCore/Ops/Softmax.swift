// Softmax and log-softmax, composed from primitives: backpropagation passes through them
// without a rule of their own.

/// eˣⁱ / Σⱼ eˣʲ along `axis`: turns scores (logits) into probabilities that sum to 1.
/// Stable for any logits: computed as exp(x − logSumExp(x)).
public func softmax(_ x: Tensor, alongAxis axis: Int = -1) -> Tensor {
    exp(logSoftmax(x, alongAxis: axis))
}

/// log softmax(x) = x − log Σ eˣ along `axis`, without ever forming a huge or tiny exponential.
public func logSoftmax(_ x: Tensor, alongAxis axis: Int = -1) -> Tensor {
    // Shift first, then subtract: (x − m) − log Σ eˣ⁻ᵐ. The plain x − logSumExp(x) subtracts two
    // numbers near 1000 for logits near 1000 and loses Float32's digits (−1.09863 for −ln 3).
    let shifted = x - x.stabilizingShift(alongAxes: [axis])
    return shifted - log(exp(shifted).sum(alongAxes: [axis]))
}
