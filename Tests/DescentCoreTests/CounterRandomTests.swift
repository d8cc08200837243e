// The counter-based generator: Philox4x32-10 against its authors' known answers, and the
// uniform numbers drawn from it, which must not depend on the device, the number of threads or
// how a stream is cut into draws.
import Descent
import Testing
import _DescentTestSupport

/// The bits of every element of a float32 or float64 tensor.
private func bits(_ x: Tensor) -> [UInt64] {
    x.dtype == .float32 ? x.scalars(as: Float.self).map { UInt64($0.bitPattern) } : x.scalars(as: Double.self).map(\.bitPattern)
}

@Suite struct CounterRandomTests {
    /// Random123's known-answer vectors for Philox4x32-10: the three "philox4x32 10" lines of
    /// tests/kat_vectors in github.com/DEShawResearch/random123 (commit 9545ff6, lines 27–29),
    /// whose columns are the counter (4 words), the key (2 words) and the output (4 words).
    static let knownAnswers: [(counter: (UInt32, UInt32, UInt32, UInt32), key: (UInt32, UInt32),
                               output: (UInt32, UInt32, UInt32, UInt32))] = [
        ((0x0000_0000, 0x0000_0000, 0x0000_0000, 0x0000_0000), (0x0000_0000, 0x0000_0000),
         (0x6627_e8d5, 0xe169_c58d, 0xbc57_ac4c, 0x9b00_dbd8)),
        ((0xffff_ffff, 0xffff_ffff, 0xffff_ffff, 0xffff_ffff), (0xffff_ffff, 0xffff_ffff),
         (0x408f_276d, 0x41c8_3b0e, 0xa20b_c7c6, 0x6d54_51fd)),
        ((0x243f_6a88, 0x85a3_08d3, 0x1319_8a2e, 0x0370_7344), (0xa409_3822, 0x299f_31d0),
         (0xd16c_fe09, 0x94fd_cceb, 0x5001_e420, 0x2412_6ea1)),
    ]

    @Test func philoxGivesRandom123sKnownAnswers() {
        for (counter, key, output) in Self.knownAnswers {
            let words = CounterRandom.philox(key: key, counter: counter)
            #expect([words.0, words.1, words.2, words.3] == [output.0, output.1, output.2, output.3])
        }
    }

    @Test func aStreamIsPhiloxOfItsBlockNumber() {
        // Number p of the stream of seed s is word ⌊(p mod 32)/8⌋ of Philox(key: (s low, s high),
        // counter: block 8⌊p/32⌋ + p mod 8 as (low, high, 0, 0)): eight blocks read word by word.
        let seed: UInt64 = 0x0123_4567_89AB_CDEF
        for position: UInt64 in [0, 1, 2, 3, 4, 7, 8, 31, 32, 77, (1 << 34) + 2, UInt64.max] {
            let block = 8 * (position / 32) + position % 8
            let words = CounterRandom.philox(key: (0x89AB_CDEF, 0x0123_4567),
                                             counter: (UInt32(truncatingIfNeeded: block), UInt32(truncatingIfNeeded: block >> 32), 0, 0))
            let expected = [words.0, words.1, words.2, words.3][Int(position % 32 / 8)]
            #expect(CounterRandom.bits(seed: seed, position: position) == expected, "position \(position)")
        }
        // 16-bit number q: the low or high half of word ⌊(q mod 64)/16⌋ of block 8⌊q/64⌋ + q mod 8.
        for position: UInt64 in [0, 7, 8, 15, 16, 63, 64, 1_000, UInt64.max] {
            let block = 8 * (position / 64) + position % 8
            let words = CounterRandom.philox(key: (0x89AB_CDEF, 0x0123_4567),
                                             counter: (UInt32(truncatingIfNeeded: block), UInt32(truncatingIfNeeded: block >> 32), 0, 0))
            let word = [words.0, words.1, words.2, words.3][Int(position % 64 / 16)]
            let expected = UInt16(truncatingIfNeeded: position % 16 < 8 ? word : word >> 16)
            #expect(CounterRandom.bits16(seed: seed, position: position) == expected, "position \(position)")
        }
        // Floats take the top 24 bits, doubles all 32: exact, in [0, 1).
        #expect(CounterRandom.unit(0xFFFF_FFFF, as: Float.self) == 1 - 0x1p-24)
        #expect(CounterRandom.unit(0xFFFF_FFFF, as: Double.self) == 1 - 0x1p-32)
        #expect(CounterRandom.unit(0x0000_01FF, as: Float.self) == 0x1p-24)
        #expect(CounterRandom.unit(0, as: Double.self) == 0)
    }

    @Test(arguments: [DType.float32, .float64])
    func uniformsAreTheSameOnEveryDeviceAndThreadCount(dtype: DType) {
        // Long enough to be split into chunks on several threads; the offset starts mid-block.
        let key = RandomKey(seed: 2024, offset: 6)
        let shape = [100_003]
        let oneThread = ThreadCount.withValue(1) { bits(Tensor.randomUniform(shape, key: key, dtype: dtype)) }
        let twoThreads = ThreadCount.withValue(2) { bits(Tensor.randomUniform(shape, key: key, dtype: dtype)) }
        let onReference = Tensor.randomUniform(shape, key: key, dtype: dtype, on: .reference)
        #expect(onReference.device == .reference)
        #expect(oneThread == twoThreads)
        #expect(bits(onReference) == oneThread)
        // Element i is the number at position offset + i.
        let first = (0..<5).map { CounterRandom.unit(CounterRandom.bits(seed: 2024, position: 6 + UInt64($0)), as: Double.self) }
        let drawn = Tensor.randomUniform([5], key: key, dtype: .float64).doubles()
        #expect(drawn == first)
    }

    @Test(arguments: [DType.float32, .float64])
    func offsetsCompose(dtype: DType) {
        // Drawing n numbers and then m from where they ended is drawing n + m at once, wherever
        // the cuts fall in the blocks of four.
        for (offset, n, m) in [(0, 5, 7), (3, 1, 1), (1, 4, 9), (2, 0, 6), (UInt64.max - 2, 2, 5)] as [(UInt64, Int, Int)] {
            for device in Device.allCases {
                let whole = Tensor.randomUniform([n + m], key: RandomKey(seed: 77, offset: offset), dtype: dtype, on: device)
                let head = Tensor.randomUniform([n], key: RandomKey(seed: 77, offset: offset), dtype: dtype, on: device)
                let tail = Tensor.randomUniform([m], key: RandomKey(seed: 77, offset: offset &+ UInt64(n)), dtype: dtype,
                                                on: device)
                #expect(bits(whole) == bits(head) + bits(tail), "offset \(offset), \(n) + \(m) on \(device)")
            }
        }
    }

    @Test func uniformsAreUniform() {
        let x = Tensor.randomUniform([100_000], key: RandomKey(seed: 5), dtype: .float64)
        let values = x.doubles()
        #expect(values.allSatisfy { $0 >= 0 && $0 < 1 })
        let mean = values.reduce(0, +) / Double(values.count)
        #expect(abs(mean - 0.5) < 0.01, "mean \(mean)")
        // Different seeds and offsets give different streams.
        #expect(Tensor.randomUniform([8], key: RandomKey(seed: 6)).doubles() != Tensor.randomUniform([8], key: RandomKey(seed: 5)).doubles())
        #expect(Tensor.randomUniform([8], key: RandomKey(seed: 5, offset: 1)).doubles()
                != Tensor.randomUniform([8], key: RandomKey(seed: 5)).doubles())
    }
}
