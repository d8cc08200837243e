// Comparing a result computed on some device with PyTorch's values, with the tolerance that the
// device's order of addition allows.
import Descent
import Testing

/// Expects `actual`, computed on `device`, to be on that device and to match `expected`
/// (PyTorch's values) elementwise: |a − e| ≤ absolute + relative·|e|, as `expectClose` does
/// for two tensors on the CPU.
///
/// On the CPU and the reference backend the bounds are `relative` and `absolute` as given, the
/// ones each test was written with. Any other device (a GPU) adds in an order of its own — other
/// blockings of a matrix product, tree reductions, fused multiply-adds — so there each bound grows
/// by the cross-check's bound for two orders of a sum of `sumLength` terms, 2·`sumLength`·ε,
/// relative to the element and to the largest expected magnitude (``BackendCrossCheck``'s
/// accumulation bound, normwise, as its derivative rules use it). Elementwise results
/// (`sumLength` 1) are held to nearly the CPU's bound; a wrong or missing term still fails.
///
/// - Parameter sumLength: the length of the longest sum behind any element: the inner dimension
///   of a matrix product, the window of a convolution, the elements a cost averages.
public func expectClose(_ actual: Tensor, _ expected: Tensor, on device: Device, sumLength: Int = 1,
                        relative: Double = 1e-5, absolute: Double = 1e-6, _ comment: Comment? = nil,
                        sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(actual.device == device, "computed on \(actual.device), expected on \(device)", sourceLocation: sourceLocation)
    let onCPU = actual.to(.cpu)
    var (relative, absolute) = (relative, absolute)
    if device != .cpu && device != .reference {
        let epsilon = actual.dtype == .float32 ? Double(Float.ulpOfOne) : Double.ulpOfOne
        let bound = 2 * Double(max(sumLength, 1)) * epsilon
        let largest = expected.doubles().lazy.filter(\.isFinite).map(Swift.abs).max() ?? 0
        relative += bound
        absolute += bound * largest
    }
    let note = comment.map { "\($0.rawValue), " } ?? ""
    expectClose(onCPU, expected, relative: relative, absolute: absolute, "\(note)on \(device)", sourceLocation: sourceLocation)
}
