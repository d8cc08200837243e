// elu, leakyReLU and softplus, one operation each with its own derivative rule: values and
// gradients against their formulas in Double, on the CPU and the reference.
import Descent
import Foundation
import Testing
import _DescentTestSupport

@Suite struct ParametricActivationTests {
    private static let values: [Double] = [-30, -4, -1, -0.3, -1e-3, -1e-7, 0, 1e-7, 0.5, 2, 30]

    @Test(arguments: [DType.float32, .float64], [Device.cpu, .reference])
    func eluIsAlphaTimesExpm1(dtype: DType, device: Device) {
        let x = Tensor(doubles: Self.values, shape: [Self.values.count], dtype: dtype, on: device)
        let inputs = x.doubles()
        let upstream = Tensor(doubles: Self.values.indices.map { 1 + Double($0) / 4 }, shape: [Self.values.count], dtype: dtype,
                              on: device)
        let epsilon = dtype == .float32 ? Double(Float.ulpOfOne) : Double.ulpOfOne
        for alpha in [1.0, 0.5] {
            // α·expm1(x): precise near 0, where α·(eˣ − 1) in float makes −1.19·10⁻⁷ of −10⁻⁷.
            expectClose(elu(x, alpha: alpha).doubles(), inputs.map { $0 > 0 ? $0 : alpha * expm1($0) },
                        relative: 2 * epsilon, absolute: 0, "α = \(alpha), \(dtype) on \(device)")
            let (_, gradients) = valueWithGradient(at: [x]) { p in (elu(p[0], alpha: alpha) * upstream).sum() }
            let expected = zip(inputs, upstream.doubles()).map { x, g in x > 0 ? g : g * alpha * Foundation.exp(x) }
            expectClose(gradients[0].doubles(), expected, relative: 2 * epsilon, absolute: 0, "α = \(alpha) gradient")
        }
    }

    @Test(arguments: [DType.float32, .float64], [Device.cpu, .reference])
    func softplusIsLogOnePlusExp(dtype: DType, device: Device) {
        let x = Tensor(doubles: Self.values + [-120, 9.5, 10.5], shape: [Self.values.count + 3], dtype: dtype, on: device)
        let inputs = x.doubles()
        let epsilon = dtype == .float32 ? Double(Float.ulpOfOne) : Double.ulpOfOne
        for (beta, threshold) in [(1.0, 20.0), (2.0, 20.0), (1.0, 10.0)] {
            // ln(1 + e^(βx))/β below the threshold, x itself above it, as PyTorch's; precise far
            // below 0 (e^(βx) there, 9.4·10⁻¹⁴ at x = −30), where 1 + e^(βx) is 1.
            let expected = inputs.map { beta * $0 > threshold ? $0 : Foundation.log1p(Foundation.exp(beta * $0)) / beta }
            expectClose(softplus(x, beta: beta, threshold: threshold).doubles(), expected, relative: 2 * epsilon,
                        absolute: 0x1p-149, "β = \(beta), threshold \(threshold), \(dtype) on \(device)")
            // σ(βx) below the threshold, 1 above.
            let (_, gradients) = valueWithGradient(at: [x]) { p in softplus(p[0], beta: beta, threshold: threshold).sum() }
            let slopes = inputs.map { beta * $0 > threshold ? 1 : 1 / (1 + Foundation.exp(-beta * $0)) }
            expectClose(gradients[0].doubles(), slopes, relative: 2 * epsilon, absolute: 0x1p-149,
                        "β = \(beta), threshold \(threshold) gradient")
        }
        // Far above: x, never an overflowing e^(βx).
        #expect(softplus(Tensor(doubles: [1e30], shape: [1], dtype: dtype, on: device)).doubles() == [x.dtype == .float32 ? Double(Float(1e30)) : 1e30])
    }

    @Test(arguments: [DType.float32, .float64], [Device.cpu, .reference])
    func leakyReLUIsExact(dtype: DType, device: Device) {
        let x = Tensor(doubles: Self.values, shape: [Self.values.count], dtype: dtype, on: device)
        let slope = dtype == .float32 ? Double(Float(0.2)) : 0.2  // the slope as the dtype holds it
        let (_, gradients) = valueWithGradient(at: [x]) { p in leakyReLU(p[0], negativeSlope: 0.2).sum() }
        let expected = x.doubles().map { $0 > 0 ? $0 : $0 * slope }
        #expect(leakyReLU(x, negativeSlope: 0.2).doubles().elementsEqual(expected) { dtype == .float32 ? Float($0) == Float($1) : $0 == $1 })
        // The slope at 0 and below, 1 above, as PyTorch's.
        #expect(gradients[0].doubles() == x.doubles().map { $0 > 0 ? 1 : slope })
    }
}
