// Softmax and log-softmax, composed from primitives: backpropagation passes through them
// without a rule of their own.

/// eˣⁱ / Σⱼ eˣʲ along `axis`: turns scores (logits) into probabilities that sum to 1.
/// Stable for any logits: computed as exp(x − logSumExp(x)).
public func softmax(_ x: Tensor, alongAxis axis: Int = -1) -> Tensor {
    exp(logSoftmax(x, alongAxis: axis))
}

/// log softmax(x) = x − log Σ eˣ along `axis`, without ever forming a huge or tiny exponential.
public func logSoftmax(_ x: Tensor, alongAxis axis: Int = -1) -> Tensor {
    x - x.logSumExp(alongAxes: [axis])
}
