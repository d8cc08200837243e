// gelu, one operation with its own derivative rule: its values and gradients against the
// formulas in Double (far into the negative tail, where the formula in tensor operations is 0),
// and against that formula where both are accurate.
import Descent
import Foundation
import Testing
import _DescentTestSupport

@Suite struct GELUTests {
    /// x·Φ(x), Φ(x) = ½erfc(−x/√2), in Double.
    private static func exact(_ x: Double) -> Double { x * 0.5 * erfc(-x / 2.0.squareRoot()) }
    /// Φ(x) + x·φ(x).
    private static func exactDerivative(_ x: Double) -> Double {
        0.5 * erfc(-x / 2.0.squareRoot()) + x * Foundation.exp(-x * x / 2) / (2 * Double.pi).squareRoot()
    }
    /// ½x(1 + tanh u), u = √(2/π)(x + 0.044715x³), as PyTorch writes it.
    private static func tanhForm(_ x: Double) -> Double {
        0.5 * x * (1 + Foundation.tanh((2 / Double.pi).squareRoot() * (x + 0.044715 * x * x * x)))
    }

    /// Every 1/64 from −14 to 10: the tail down to float's smallest normal numbers.
    private static let grid = (0...1536).map { -14 + Double($0) / 64 }

    @Test(arguments: [DType.float32, .float64], [Device.cpu, .reference])
    func valuesMatchTheFormulaInDouble(dtype: DType, device: Device) {
        let x = Tensor(doubles: Self.grid, shape: [Self.grid.count], dtype: dtype, on: device)
        let inputs = x.doubles()  // as rounded to the dtype
        // Within 8 ulps of float (what the cross-check allows the CPU's float kernel). In double,
        // erfc(z) for z = −x/√2 magnifies the rounding of z by 2z², a few hundred ulps at x = −14,
        // whichever way z is rounded.
        let ulps = dtype == .float32 ? 8 * Double(Float.ulpOfOne) : 1e-13
        let smallestNormal = dtype == .float32 ? Double(Float.leastNormalMagnitude) : Double.leastNormalMagnitude
        expectClose(gelu(x).doubles(), inputs.map(Self.exact), relative: ulps, absolute: smallestNormal, "\(dtype) on \(device)")
        // Far in the tail the value keeps its precision: x·Φ(x) at −10 is −7.6·10⁻²³, where
        // 0.5·x·(1 + erf(x/√2)) in float is 0.
        let tail = gelu(Tensor(doubles: [-10], shape: [1], dtype: dtype, on: device)).doubles()[0]
        #expect(Swift.abs(tail - Self.exact(-10)) <= ulps * Swift.abs(Self.exact(-10)), "\(tail)")
        let composite = 0.5 * x * (1 + erf(x * 0.5.squareRoot()))
        #expect(dtype == .float64 || composite.doubles()[Self.grid.firstIndex(of: -10)!] == 0)
    }

    @Test(arguments: [DType.float32, .float64], [Device.cpu, .reference])
    func gradientsMatchTheDerivativeInDouble(dtype: DType, device: Device) {
        let x = Tensor(doubles: Self.grid, shape: [Self.grid.count], dtype: dtype, on: device)
        let upstream = Tensor.randomNormal([Self.grid.count], dtype: dtype, seed: 8).to(device)
        let (_, gradients) = valueWithGradient(at: [x]) { p in (gelu(p[0]) * upstream).sum() }
        let expected = zip(x.doubles(), upstream.doubles()).map { $1 * Self.exactDerivative($0) }
        // The derivative is 0 near x = −0.75: its error there is a few ulps of Φ, about ½.
        let epsilon = dtype == .float32 ? Double(Float.ulpOfOne) : Double.ulpOfOne
        let largest = upstream.doubles().map(Swift.abs).max()!
        expectClose(gradients[0].doubles(), expected, relative: 4 * epsilon, absolute: 4 * epsilon * largest,
                    "\(dtype) on \(device)")
    }

    /// The tanh approximation is PyTorch's formula, computed as x·σ(2u): the same numbers where
    /// ½x(1 + tanh u) loses nothing to cancellation, and its gradient that formula's derivative.
    @Test(arguments: [Device.cpu, .reference])
    func tanhApproximationIsPyTorchsFormula(on device: Device) {
        let values = stride(from: -6.0, through: 6, by: 0.125).map { $0 }
        let x = Tensor(doubles: values, shape: [values.count], dtype: .float64, on: device)
        expectClose(gelu(x, approximation: .tanh).doubles(), values.map(Self.tanhForm), relative: 1e-13, absolute: 1e-15)
        expectGradientsMatchFiniteDifferences(at: [x]) { p in
            (gelu(p[0], approximation: .tanh) * Tensor(doubles: values.map { 1 + $0 / 10 }, shape: [values.count],
                                                      dtype: .float64, on: device)).sum()
        }
    }

    /// The operation agrees with the formula in tensor operations that it replaced, on the
    /// values where that formula is accurate, forward and backward.
    @Test func agreesWithTheCompositeFormula() {
        let x = Tensor.randomNormal([257], dtype: .float64, seed: 3) * 2
        let upstream = Tensor.randomNormal([257], dtype: .float64, seed: 4)
        let (fusedValue, fused) = valueWithGradient(at: [x]) { p in (gelu(p[0]) * upstream).sum() }
        let (compositeValue, composite) = valueWithGradient(at: [x]) { p in
            (0.5 * p[0] * (1 + erf(p[0] * 0.5.squareRoot())) * upstream).sum()
        }
        expectClose(fusedValue, compositeValue, relative: 1e-13, absolute: 1e-13)
        expectClose(fused[0], composite[0], relative: 1e-12, absolute: 1e-13)
    }
}
