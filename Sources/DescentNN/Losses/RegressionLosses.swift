// Costs for predicting numbers: how far each prediction lies from the value it should have been.

/// Mean absolute error (L1): |predicted − expected|, reduced. PyTorch's `L1Loss`.
///
/// At a perfect prediction the slope is taken as 0 (sign 0), as PyTorch does.
public func meanAbsoluteError(predicted: Tensor, expected: Tensor, reduction: Reduction = .mean) -> Tensor {
    requireSameShape(predicted, "predicted", expected, "expected", in: "meanAbsoluteError")
    return reduction.apply(to: abs(predicted - expected))
}

/// Mean squared error: (predicted − expected)², reduced. PyTorch's `MSELoss`.
public func meanSquaredError(predicted: Tensor, expected: Tensor, reduction: Reduction = .mean) -> Tensor {
    requireSameShape(predicted, "predicted", expected, "expected", in: "meanSquaredError")
    return reduction.apply(to: (predicted - expected).squared())
}

/// Huber loss: with d = predicted − expected, ½d² where |d| < `delta` and δ(|d| − ½δ) beyond —
/// squared error for small mistakes, absolute error (scaled by δ) for outliers. PyTorch's
/// `HuberLoss`; the slope outside the quadratic zone is ±δ.
///
/// - Precondition: `delta` > 0.
public func huberLoss(predicted: Tensor, expected: Tensor, delta: Double = 1, reduction: Reduction = .mean) -> Tensor {
    requireSameShape(predicted, "predicted", expected, "expected", in: "huberLoss")
    precondition(delta > 0, "huberLoss: delta must be positive, not \(delta)")
    let difference = predicted - expected
    let size = abs(difference)
    let losses = select(where: size .< delta, 0.5 * difference.squared(), otherwise: delta * (size - 0.5 * delta))
    return reduction.apply(to: losses)
}

/// Smooth L1 loss: with d = predicted − expected, ½d²/β where |d| < `beta` and |d| − ½β
/// beyond. PyTorch's `SmoothL1Loss`, which differs from ``huberLoss(predicted:expected:delta:reduction:)``
/// by the factor 1/β (their slopes beyond the zone are ±1 and ±δ); with β = 1 they agree.
/// With β = 0 it is the absolute error.
///
/// - Precondition: `beta` ≥ 0.
public func smoothL1Loss(predicted: Tensor, expected: Tensor, beta: Double = 1, reduction: Reduction = .mean) -> Tensor {
    requireSameShape(predicted, "predicted", expected, "expected", in: "smoothL1Loss")
    precondition(beta >= 0, "smoothL1Loss: beta must not be negative, not \(beta)")
    let difference = predicted - expected
    let size = abs(difference)
    // β = 0 would divide by zero in the (then empty) quadratic zone; PyTorch treats it as L1.
    guard beta > 0 else { return reduction.apply(to: size) }
    let losses = select(where: size .< beta, 0.5 * difference.squared() / beta, otherwise: size - 0.5 * beta)
    return reduction.apply(to: losses)
}
