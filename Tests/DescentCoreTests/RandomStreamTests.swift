import Descent
import Testing

/// The counter-based random primitives: `Tensor.bernoulli` (dropout's masks) and
/// `Tensor.randomUniform(_:key:)`, on every device.
@Suite struct RandomStreamTests {
    /// Uniform numbers are the stream's 32-bit numbers, the same on every device and thread
    /// count, from any offset.
    @Test(arguments: [0, 3, 31, 32, 100] as [UInt64])
    func uniformNumbersAreTheSameEverywhere(offset: UInt64) {
        let key = RandomKey(seed: 77, offset: offset)
        for dtype in [DType.float32, .float64] {
            let reference = Tensor.randomUniform([5, 3_333], key: key, dtype: dtype, on: .reference).doubles()
            for threads in [1, 2] {
                let cpu = ThreadCount.withValue(threads) { Tensor.randomUniform([5, 3_333], key: key, dtype: dtype).doubles() }
                #expect(cpu == reference, "\(dtype), \(threads) threads")
            }
            #expect(reference.allSatisfy { (0..<1).contains($0) })
            #expect(abs(reference.reduce(0, +) / Double(reference.count) - 0.5) < 0.01)
        }
        let first = Tensor.randomUniform([3], key: key).scalars(as: Float.self)
        #expect(first == (0..<3).map { Float(CounterRandom.bits(seed: 77, position: offset + UInt64($0)) >> 8) * 0x1p-24 })
    }

    /// Every device, and any number of threads, draws the same mask — from any offset, also one
    /// that is not a multiple of a Philox block's 8 (16-bit) numbers.
    @Test(arguments: [0, 1, 7, 63, 64, 1000] as [UInt64])
    func masksAreTheSameEverywhere(offset: UInt64) {
        let key = RandomKey(seed: 0xDEC0DE, offset: offset)
        let shape = [3, 5_461]
        let reference = Tensor.bernoulli(shape, probability: 0.7, value: 2.5, key: key, on: .reference)
        for threads in [1, 2] {
            let cpu = ThreadCount.withValue(threads) { Tensor.bernoulli(shape, probability: 0.7, value: 2.5, key: key) }
            #expect(cpu.scalars(as: Float.self) == reference.scalars(as: Float.self), "\(threads) threads")
        }
        let double = Tensor.bernoulli(shape, probability: 0.7, value: 2.5, key: key, dtype: .float64)
        #expect(double.scalars(as: Double.self) == reference.scalars(as: Float.self).map(Double.init))
    }

    /// Element i is decided by the stream's 16-bit number at offset + i, so consecutive draws
    /// from consecutive offsets are one long draw cut in two.
    @Test func drawsComposeAlongTheStream() {
        let whole = Tensor.bernoulli([1_000], probability: 0.5, key: RandomKey(seed: 9, offset: 5)).scalars(as: Float.self)
        let first = Tensor.bernoulli([333], probability: 0.5, key: RandomKey(seed: 9, offset: 5)).scalars(as: Float.self)
        let rest = Tensor.bernoulli([667], probability: 0.5, key: RandomKey(seed: 9, offset: 338)).scalars(as: Float.self)
        #expect(whole == first + rest)
        for (i, value) in whole.prefix(50).enumerated() {
            let bits = CounterRandom.bits16(seed: 9, position: 5 + UInt64(i))
            #expect(value == (UInt32(bits) < CounterRandom.threshold16(probability: 0.5) ? 1 : 0))
        }
    }

    /// The kept fraction is the probability, to the sampling error of 200,000 draws.
    @Test(arguments: [0.0, 0.2, 0.5, 0.9, 1.0])
    func theKeptFractionIsTheProbability(probability: Double) {
        let mask = Tensor.bernoulli([200_000], probability: probability, key: RandomKey(seed: 1))
        let kept = mask.mean().doubleValue
        #expect(abs(kept - probability) < 0.005)
        if probability == 0 || probability == 1 { #expect(kept == probability) }
    }
}
