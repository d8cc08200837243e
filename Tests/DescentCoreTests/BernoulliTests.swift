import Descent
import Testing

/// `Tensor.bernoulli`, the primitive behind dropout's masks.
@Suite struct BernoulliTests {
    /// Every device, and any number of threads, draws the same mask — from any offset, also one
    /// that is not a multiple of a Philox block's 8 (16-bit) numbers.
    @Test(arguments: [0, 1, 7, 63, 64, 1000] as [UInt64])
    func masksAreTheSameEverywhere(offset: UInt64) {
        let key = RandomKey(seed: 0xDEC0DE, offset: offset)
        let shape = [3, 5_461]
        let reference = Tensor.bernoulli(shape, probability: 0.7, value: 2.5, key: key, on: .reference)
        let saved = ThreadCount.current
        defer { ThreadCount.current = saved }
        for threads in [1, 2] {
            ThreadCount.current = threads
            let cpu = Tensor.bernoulli(shape, probability: 0.7, value: 2.5, key: key)
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
