import _DescentTestSupport
import Descent
import Testing

@Suite struct InitializerTests {
    static let uniform: [(String, Initializer)] = [
        ("glorotUniform", .glorotUniform), ("heUniform", .heUniform), ("lecunUniform", .lecunUniform),
        ("pytorchLinear", .pytorchLinear),
    ]
    static let normal: [(String, Initializer)] = [
        ("glorotNormal", .glorotNormal), ("heNormal", .heNormal), ("lecunNormal", .lecunNormal),
    ]

    @Test func fansAreComputedLikePyTorch() throws {
        let fixture = try LayerFixtures.load().initializers
        let fans = Initializer.fans(ofWeightShape: fixture.shape)
        #expect(fans.fanIn == fixture.fanIn && fans.fanOut == fixture.fanOut)
        let convolution = Initializer.fans(ofWeightShape: [8, 3, 5, 5])   // [out, in, kh, kw]
        #expect(convolution.fanIn == 75 && convolution.fanOut == 200)
    }

    /// Uniform samples stay within torch.nn.init's bound and reach close to it; their standard
    /// deviation is bound/√3.
    @Test func uniformBoundsMatchPyTorch() throws {
        let fixture = try LayerFixtures.load().initializers
        var generator = RandomGenerator(seed: 12)
        for (name, initializer) in Self.uniform {
            let bound = try #require(fixture.uniformBounds[name])
            let values = initializer.tensor(fixture.shape, using: &generator).doubles()
            let largest = values.map(Swift.abs).max()!
            #expect(largest <= bound && largest > 0.99 * bound, "\(name): largest \(largest), bound \(bound)")
            expectClose([standardDeviation(values)], [bound / Double(3).squareRoot()], relative: 0.03, "\(name)")
        }
        // nn.Linear's bias: U(−1/√fanIn, 1/√fanIn), with the fans of its weight.
        let bias = Initializer.pytorchLinear.tensor([20_000], fanIn: fixture.fanIn, fanOut: fixture.fanOut, using: &generator)
        let bound = try #require(fixture.uniformBounds["pytorchLinearBias"])
        #expect(bias.doubles().allSatisfy { Swift.abs($0) <= bound })
    }

    /// Normal samples have mean 0 and torch.nn.init's standard deviation (to sampling error:
    /// with 19,200 samples, the standard deviation's relative error is about 0.5%).
    @Test func normalStandardDeviationsMatchPyTorch() throws {
        let fixture = try LayerFixtures.load().initializers
        var generator = RandomGenerator(seed: 13)
        for (name, initializer) in Self.normal {
            let expected = try #require(fixture.normalStandardDeviations[name])
            let values = initializer.tensor(fixture.shape, using: &generator).doubles()
            expectClose([standardDeviation(values)], [expected], relative: 0.03, "\(name)")
            #expect(Swift.abs(values.reduce(0, +) / Double(values.count)) < 0.05 * expected, "\(name) mean")
        }
    }

    @Test func constantInitializers() {
        var generator = RandomGenerator(seed: 1)
        #expect(Initializer.zeros.tensor([2, 3], using: &generator).doubles() == Array(repeating: 0, count: 6))
        #expect(Initializer.ones.tensor([2, 3], using: &generator).doubles() == Array(repeating: 1, count: 6))
        let constant = Initializer.constant(0.25).tensor([4], dtype: .float64, using: &generator)
        #expect(constant.dtype == .float64 && constant.doubles() == [0.25, 0.25, 0.25, 0.25])
        let dense = Dense(inputCount: 3, outputCount: 2, weightInitializer: .heNormal, biasInitializer: .zeros, seed: 2)
        #expect(dense.bias!.doubles() == [0, 0])
    }

    private func standardDeviation(_ values: [Double]) -> Double {
        let mean = values.reduce(0, +) / Double(values.count)
        return (values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(values.count)).squareRoot()
    }
}
