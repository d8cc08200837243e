import Descent

/// Gzip bombs for the tests: a few megabytes that decompress to gigabytes, made directly (no
/// compressor needed) from DEFLATE's best case.
///
/// After an optional stored block holding `prefix` (an IDX header, say), one dynamic-Huffman block
/// whose literal/length code gives symbol 285 (a 258-byte copy) a 1-bit code and whose distance
/// code has the single distance 1, also 1 bit: every 2 bits of input then write 258 bytes, so
/// each zero byte of the block's body writes 4 × 258 = 1,032 bytes of zeros (DEFLATE's best ratio).
/// The trailer's size is the output's modulo 2^32, as `gzip` writes it; its CRC-32 is the
/// output's for bombs of up to 16 MB (to check the bomb itself) and 0 above, where the tests
/// expect a refusal long before the trailer.
enum GzipBomb {
    /// A gzip file of `prefix` then `zeroCount` zeros (rounded up to a multiple of 1,032), which
    /// must be at least one byte: the block's first byte is a literal zero for the copies to copy.
    static func make(prefix: [UInt8] = [], zeroCount: Int) -> [UInt8] {
        var bits = BitWriter()
        bits.bytes = [0x1F, 0x8B, 8, 0, 0, 0, 0, 0, 0, 0xFF]  // gzip header, no name, OS unknown
        if !prefix.isEmpty {
            bits.write(0, count: 1)  // not the last block
            bits.write(0, count: 2)  // stored
            bits.alignToByte()
            let length = UInt16(prefix.count)
            bits.bytes += [UInt8(length & 0xFF), UInt8(length >> 8), UInt8(~length & 0xFF), UInt8(~length >> 8)]
            bits.bytes += prefix
        }
        bits.write(1, count: 1)    // the last block
        bits.write(2, count: 2)    // dynamic codes
        bits.write(29, count: 5)   // 286 literal/length codes (up to 285)
        bits.write(0, count: 5)    // 1 distance code
        bits.write(14, count: 4)   // 18 code-length code lengths, in RFC 1951's order:
        // 16 17 18 0 8 7 9 6 10 5 11 4 12 3 13 2 14 1 — only 18 (1 bit), 2 and 1 (2 bits) are used.
        for length in [0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 0, 2] { bits.write(length, count: 3) }
        // Canonical codes: 18 → 0, 1 → 10, 2 → 11.
        let codeLength1 = (code: 0b10, length: 2), codeLength2 = (code: 0b11, length: 2), zeros = (code: 0b0, length: 1)
        bits.writeCode(codeLength2)                      // literal 0: 2 bits
        bits.writeCode(zeros); bits.write(127, count: 7)  // 138 zeros (1…138)
        bits.writeCode(zeros); bits.write(106, count: 7)  // 117 zeros (139…255)
        bits.writeCode(codeLength2)                      // 256, end of block: 2 bits
        bits.writeCode(zeros); bits.write(17, count: 7)   // 28 zeros (257…284)
        bits.writeCode(codeLength1)                      // 285, a 258-byte copy: 1 bit
        bits.writeCode(codeLength1)                      // distance code 0 (distance 1): 1 bit
        // Literal/length codes: 285 → 0, 0 → 10, 256 → 11; the distance code: 0.
        bits.writeCode((code: 0b10, length: 2))          // the literal zero
        let copies = (zeroCount - 1 + 257) / 258
        for _ in 0..<(copies % 4) { bits.write(0, count: 2) }
        bits.writeZeroBytes(copies / 4)
        bits.writeCode((code: 0b11, length: 2))          // end of block
        bits.alignToByte()
        let total = prefix.count + 1 + copies * 258
        let crc = CRC32.zeros(count: total - prefix.count, after: CRC32.checksum(prefix))
        for value in [crc, UInt32(truncatingIfNeeded: total)] {
            bits.bytes += (0..<4).map { UInt8(truncatingIfNeeded: value >> (8 * UInt32($0))) }
        }
        return bits.bytes
    }

    /// Bits written least significant first, as DEFLATE reads them.
    struct BitWriter {
        var bytes: [UInt8] = []
        var pending: UInt32 = 0
        var pendingCount = 0

        mutating func write(_ value: Int, count: Int) {
            pending |= UInt32(value) << UInt32(pendingCount)
            pendingCount += count
            while pendingCount >= 8 {
                bytes.append(UInt8(pending & 0xFF))
                pending >>= 8
                pendingCount -= 8
            }
        }

        /// A Huffman code, written most significant bit first (RFC 1951 §3.1.1).
        mutating func writeCode(_ code: (code: Int, length: Int)) {
            for bit in stride(from: code.length - 1, through: 0, by: -1) { write((code.code >> bit) & 1, count: 1) }
        }

        mutating func alignToByte() {
            if pendingCount > 0 { write(0, count: 8 - pendingCount) }
        }

        /// `count` zero bytes' worth of zero bits, fast: once the bits pending have gone out
        /// with the first, the rest are whole zero bytes.
        mutating func writeZeroBytes(_ count: Int) {
            guard count > 0 else { return }
            write(0, count: 8)
            bytes += repeatElement(0, count: count - 1)
        }
    }
}

extension CRC32 {
    /// The CRC-32 of `count` zero bytes following data whose CRC-32 is `crc`; 0 beyond 16 MB.
    static func zeros(count: Int, after crc: UInt32) -> UInt32 {
        guard count <= 16 << 20 else { return 0 }
        return [UInt8](repeating: 0, count: count).withUnsafeBytes { CRC32.checksum($0, continuing: crc) }
    }
}
