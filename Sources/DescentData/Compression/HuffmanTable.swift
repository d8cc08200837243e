/// A canonical Huffman code (RFC 1951 §3.2.2) prepared for decoding.
///
/// Codes of up to ``fastBits`` bits are decoded with one look-up in ``fast``, indexed by the next
/// `fastBits` bits of input (DEFLATE packs codes starting from their most significant bit into the
/// least significant end of the bit stream, so each code is stored bit-reversed and repeated for
/// every value of the bits after it). Longer codes are rare by construction — a code of length L
/// is used for about one symbol in 2^L — and fall back to walking ``counts`` and ``symbols`` one
/// bit at a time, which needs no further table.
///
/// The storage is manual (the decoder allocates and frees it) so that the hot loop indexes raw
/// memory without bounds checks or reference counting.
struct HuffmanTable {
    /// Bits resolved by the first-level table.
    static let fastBits = 10
    static let fastMask: UInt64 = (1 << UInt64(fastBits)) - 1
    /// The longest code DEFLATE allows.
    static let maximumLength = 15

    /// `symbol << 4 | length` for each `fastBits`-bit input; 0 where the code is longer (or unused).
    let fast: UnsafeMutablePointer<UInt16>
    /// How many codes have each length, 0...15 (index 0 unused).
    let counts: UnsafeMutablePointer<UInt16>
    /// The symbols in code order: by length, then by symbol value.
    let symbols: UnsafeMutablePointer<UInt16>

    static func allocate() -> HuffmanTable {
        HuffmanTable(fast: .allocate(capacity: 1 << fastBits),
                     counts: .allocate(capacity: maximumLength + 1),
                     symbols: .allocate(capacity: 320))
    }

    func deallocate() {
        fast.deallocate()
        counts.deallocate()
        symbols.deallocate()
    }

    /// Fills the table for the code whose lengths per symbol are `lengths` (0: symbol unused).
    /// Returns false if the lengths describe more codes than there are bit patterns
    /// (an over-subscribed code). An incomplete code is accepted: its unused patterns fail when
    /// decoded.
    func build(lengths: UnsafeBufferPointer<UInt8>) -> Bool {
        counts.initialize(repeating: 0, count: Self.maximumLength + 1)
        for length in lengths { counts[Int(length)] += 1 }
        counts[0] = 0
        var left = 1
        for length in 1...Self.maximumLength {
            left = (left << 1) - Int(counts[length])
            if left < 0 { return false }
        }
        var offsets = [Int](repeating: 0, count: Self.maximumLength + 2)
        for length in 1...Self.maximumLength { offsets[length + 1] = offsets[length] + Int(counts[length]) }
        for (symbol, length) in lengths.enumerated() where length != 0 {
            symbols[offsets[Int(length)]] = UInt16(symbol)
            offsets[Int(length)] += 1
        }

        fast.initialize(repeating: 0, count: 1 << Self.fastBits)
        var code = 0   // the canonical code of the next symbol, most significant bit first
        var index = 0
        for length in 1...Self.fastBits {
            for _ in 0..<Int(counts[length]) {
                let entry = symbols[index] << 4 | UInt16(length)
                var reversed = 0
                for bit in 0..<length where code & (1 << bit) != 0 { reversed |= 1 << (length - 1 - bit) }
                var slot = reversed
                while slot < 1 << Self.fastBits {
                    fast[slot] = entry
                    slot += 1 << length
                }
                code += 1
                index += 1
            }
            code <<= 1
        }
        return true
    }
}
