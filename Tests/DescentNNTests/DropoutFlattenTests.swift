import _DescentTestSupport
import Descent
import Testing

@Suite struct DropoutTests {
    @Test(arguments: try testDevices())
    func trainingZeroesAboutRateAndScalesSurvivorsExactly(device: Device) {
        let rate = 0.3
        let x = Tensor.randomUniform([200, 500], lowerBound: 1, upperBound: 2, seed: 1)
        let y = Dropout(rate: rate, seed: 2)(x.to(device))
        #expect(y.device == device)
        let inputs = x.scalars(as: Float.self), outputs = y.to(.cpu).scalars(as: Float.self)
        let zeroed = outputs.filter { $0 == 0 }.count
        // 100,000 draws: the fraction's standard deviation is √(0.3 · 0.7 / 10⁵) ≈ 0.0015.
        #expect(Swift.abs(Double(zeroed) / Double(outputs.count) - rate) < 0.01)
        let scale = Float(1 / (1 - rate))
        #expect(zip(inputs, outputs).allSatisfy { x, y in y == 0 || y == x * scale })
    }

    /// The mask is drawn in chunks on several threads, each chunk from its own seeded
    /// generator: the same seed gives the same mask on one thread or three.
    @Test func masksDoNotDependOnTheThreadCount() {
        let x = Tensor.ones([300, 333])  // 99,900 elements: seven chunks, the last one ragged
        let one = ThreadCount.withValue(1) { Dropout(rate: 0.5, seed: 3)(x).scalars(as: Float.self) }
        let three = ThreadCount.withValue(3) { Dropout(rate: 0.5, seed: 3)(x).scalars(as: Float.self) }
        #expect(one == three)
        #expect(abs(Double(one.filter { $0 == 0 }.count) / Double(one.count) - 0.5) < 0.01)
    }

    @Test func inferenceModeIsTheIdentity() {
        let x = Tensor.randomNormal([10, 10], seed: 3)
        let layer = Dropout(rate: 0.5, seed: 4)
        #expect(layer.isTraining)   // like a new PyTorch module
        #expect(layer.training(false)(x).doubles() == x.doubles())
        #expect(Dropout(rate: 0, seed: 4)(x).doubles() == x.doubles())
        #expect(Dropout(rate: 1, seed: 4)(x).doubles().allSatisfy { $0 == 0 })
    }

    @Test func masksAreReproducibleAndChangeEveryStep() {
        let x = Tensor.ones([1000])
        let a = Dropout(rate: 0.5, seed: 7), b = Dropout(rate: 0.5, seed: 7)
        let a1 = a(x).doubles(), a2 = a(x).doubles()
        #expect(a1 != a2)
        #expect(b(x).doubles() == a1 && b(x).doubles() == a2)
        // Copies share one stream of masks: a copy continues where the original stopped.
        let copy = a
        let c = Dropout(rate: 0.5, seed: 7)
        _ = c(x); _ = c(x)
        #expect(copy(x).doubles() == c(x).doubles())
    }

    /// On every device under test: the masks are random bits, the same on each.
    @Test(arguments: try testDevices())
    func gradientIsTheMaskTimesTheUpstreamGradient(device: Device) {
        let x = Tensor.randomNormal([50], dtype: .float64, seed: 5)
        let upstream = Tensor.randomNormal([50], dtype: .float64, seed: 6)
        let mask = Dropout(rate: 0.4, seed: 8)(Tensor.ones([50], dtype: .float64))
        let gradient = gradient(at: x.to(device)) { x in (Dropout(rate: 0.4, seed: 8)(x) * upstream.to(device)).sum() }
        expectClose(gradient, mask * upstream, on: device)
    }
}

@Suite struct FlattenTests {
    @Test(arguments: try testDevices())
    func matchesNNFlatten(device: Device) throws {
        let fixture = try LayerFixtures.load().flatten
        let x = fixture.input.tensor().to(device)
        let (value, gradient) = valueWithGradient(at: x) { x in (Flatten()(x) * 2).sum() }
        expectClose(Flatten()(x), fixture.output.tensor(), on: device)
        expectClose(value, fixture.input.tensor().sum() * 2, on: device, sumLength: fixture.input.values.count)
        expectClose(gradient, Tensor(repeating: 2, shape: [2, 3, 4]), on: device)
        #expect(Flatten()(Tensor.zeros([5])).shape == [5, 1])
        #expect(Flatten()(Tensor.zeros([0, 28, 28])).shape == [0, 784])
    }
}
