/// How far backpropagation's gradient is from the finite-difference estimate, per input.
public struct GradientCheckReport: Sendable, CustomStringConvertible {
    /// The comparison for one input tensor.
    public struct Input: Sendable {
        /// The largest |backprop − finite difference| over the elements.
        public var largestAbsoluteError: Double
        /// The largest |backprop − finite difference| / max(|backprop|, |finite difference|).
        /// Elements where both are below 1e-12 count as 0.
        public var largestRelativeError: Double
        /// The gradient found by backpropagation.
        public var backpropagated: Tensor
        /// The gradient estimated by central differences.
        public var finiteDifference: Tensor
    }

    /// One entry per input, in order.
    public var inputs: [Input]

    /// Whether every element of every input agrees within `absolute` or within `relative`.
    public func passes(absoluteTolerance absolute: Double = 1e-6, relativeTolerance relative: Double = 1e-5) -> Bool {
        inputs.allSatisfy { input in
            zip(input.backpropagated.doubles(), input.finiteDifference.doubles()).allSatisfy { a, n in
                let difference = Swift.abs(a - n)
                return difference <= absolute || difference <= relative * Swift.max(Swift.abs(a), Swift.abs(n))
            }
        }
    }

    public var description: String {
        inputs.enumerated().map { index, input in
            "input \(index): largest absolute error \(input.largestAbsoluteError), "
                + "largest relative error \(input.largestRelativeError)"
        }.joined(separator: "\n")
    }
}

/// Compares the gradients that backpropagation computes for `body` at `inputs` with central
/// finite differences, (f(x + h) − f(x − h)) / 2h, one element at a time, in `Double`.
///
/// This is how to convince yourself that a derivative is right: if the chain rule was applied
/// correctly, the two agree to about 1e-8. The inputs are converted to float64 first, so any
/// other tensor that `body` captures and combines with them must be float64 as well
/// (`x.cast(to: .float64)`): operations refuse operands of two dtypes. If `body` returns more
/// than one element, their sum is differentiated.
///
/// ```swift
/// let report = checkGradients(at: [x]) { xs in (xs[0] * xs[0]).sum() }
/// print(report)   // input 0: largest absolute error 3.1e-10, …
/// ```
public func checkGradients(at inputs: [Tensor], step: Double = 1e-6,
                           of body: ([Tensor]) -> Tensor) -> GradientCheckReport {
    let inputs = inputs.map { $0.detached().cast(to: .float64) }
    let backpropagated = valueWithGradient(at: inputs) { body($0) }.gradients
    func value(_ xs: [Tensor]) -> Double { withoutGradients { body(xs).sum().doubleValue } }

    var reports: [GradientCheckReport.Input] = []
    for (index, input) in inputs.enumerated() {
        var estimate = [Double](repeating: 0, count: input.scalarCount)
        for element in 0..<input.scalarCount {
            var shifted = inputs
            var values = input.doubles()
            let original = values[element]
            values[element] = original + step
            shifted[index] = Tensor(doubles: values, shape: input.shape, dtype: .float64, on: input.device)
            let above = value(shifted)
            values[element] = original - step
            shifted[index] = Tensor(doubles: values, shape: input.shape, dtype: .float64, on: input.device)
            let below = value(shifted)
            estimate[element] = (above - below) / (2 * step)
        }
        let exact = backpropagated[index].doubles()
        var largestAbsolute = 0.0, largestRelative = 0.0
        for (a, n) in zip(exact, estimate) {
            let difference = Swift.abs(a - n)
            largestAbsolute = Swift.max(largestAbsolute, difference)
            let scale = Swift.max(Swift.abs(a), Swift.abs(n))
            if scale > 1e-12 { largestRelative = Swift.max(largestRelative, difference / scale) }
        }
        reports.append(.init(largestAbsoluteError: largestAbsolute, largestRelativeError: largestRelative,
                             backpropagated: backpropagated[index],
                             finiteDifference: Tensor(doubles: estimate, shape: input.shape, dtype: .float64)))
    }
    return GradientCheckReport(inputs: reports)
}
