/// The MD5 hash (RFC 1321), used only to check a download against the sum its publisher gives
/// (CIFAR-10's page lists MD5 sums). MD5 is broken for security purposes; here it only tells a
/// damaged or wrong file from the one the publisher served.
///
/// ```swift
/// MD5.hexDigest(of: Array("abc".utf8))
/// // "900150983cd24fb0d6963f7d28e17f72"
/// ```
///
/// Written here rather than taken from a package so that DescentData needs nothing beyond the
/// Swift toolchain.
package enum MD5 {
    /// The 16-byte hash of `bytes`.
    package static func digest(of bytes: [UInt8]) -> [UInt8] {
        bytes.withUnsafeBytes { digest(of: $0) }
    }

    /// The 16-byte hash of the bytes in `buffer`.
    package static func digest(of buffer: UnsafeRawBufferPointer) -> [UInt8] {
        var state: (UInt32, UInt32, UInt32, UInt32) = (0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476)
        let wholeBlocks = buffer.count / 64
        for block in 0..<wholeBlocks {
            compress(&state, UnsafeRawBufferPointer(rebasing: buffer[64 * block..<64 * block + 64]))
        }
        // Padding: a 1 bit, zeros up to 56 bytes modulo 64, then the length in bits, little-endian.
        var tail = [UInt8](buffer[(64 * wholeBlocks)...])
        tail.append(0x80)
        tail += [UInt8](repeating: 0, count: (56 - tail.count % 64 + 64) % 64)
        let bitCount = UInt64(buffer.count) &* 8
        tail += (0..<8).map { UInt8(truncatingIfNeeded: bitCount >> (8 * UInt64($0))) }
        tail.withUnsafeBytes { padded in
            for block in 0..<padded.count / 64 {
                compress(&state, UnsafeRawBufferPointer(rebasing: padded[64 * block..<64 * block + 64]))
            }
        }
        return [state.0, state.1, state.2, state.3].flatMap { word in
            (0..<4).map { UInt8(truncatingIfNeeded: word >> (8 * UInt32($0))) }
        }
    }

    /// The hash of `bytes` as 32 lowercase hexadecimal digits, as `md5sum` prints it.
    package static func hexDigest(of bytes: [UInt8]) -> String {
        SHA256.hexString(digest(of: bytes))
    }

    /// The per-round left rotations.
    private static let shifts: [UInt32] = [
        7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22,
        5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14, 20,
        4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23,
        6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21,
    ]

    /// The round constants: the integer parts of 2^32 × |sin(i + 1)|.
    private static let constants: [UInt32] = [
        0xd76aa478, 0xe8c7b756, 0x242070db, 0xc1bdceee, 0xf57c0faf, 0x4787c62a, 0xa8304613, 0xfd469501,
        0x698098d8, 0x8b44f7af, 0xffff5bb1, 0x895cd7be, 0x6b901122, 0xfd987193, 0xa679438e, 0x49b40821,
        0xf61e2562, 0xc040b340, 0x265e5a51, 0xe9b6c7aa, 0xd62f105d, 0x02441453, 0xd8a1e681, 0xe7d3fbc8,
        0x21e1cde6, 0xc33707d6, 0xf4d50d87, 0x455a14ed, 0xa9e3e905, 0xfcefa3f8, 0x676f02d9, 0x8d2a4c8a,
        0xfffa3942, 0x8771f681, 0x6d9d6122, 0xfde5380c, 0xa4beea44, 0x4bdecfa9, 0xf6bb4b60, 0xbebfbc70,
        0x289b7ec6, 0xeaa127fa, 0xd4ef3085, 0x04881d05, 0xd9d4d039, 0xe6db99e5, 0x1fa27cf8, 0xc4ac5665,
        0xf4292244, 0x432aff97, 0xab9423a7, 0xfc93a039, 0x655b59c3, 0x8f0ccc92, 0xffeff47d, 0x85845dd1,
        0x6fa87e4f, 0xfe2ce6e0, 0xa3014314, 0x4e0811a1, 0xf7537e82, 0xbd3af235, 0x2ad7d2bb, 0xeb86d391,
    ]

    /// Mixes one 64-byte block into the state (RFC 1321 §3.4). Wrapping and masking operators
    /// only, so that debug builds stay fast enough for a 170 MB archive.
    private static func compress(_ state: inout (UInt32, UInt32, UInt32, UInt32), _ block: UnsafeRawBufferPointer) {
        withUnsafeTemporaryAllocation(of: UInt32.self, capacity: 16) { words in
            for index in 0..<16 {
                let bytes = 4 &* index
                words[index] = UInt32(block[bytes]) | UInt32(block[bytes &+ 1]) &<< 8
                    | UInt32(block[bytes &+ 2]) &<< 16 | UInt32(block[bytes &+ 3]) &<< 24
            }
            var (a, b, c, d) = state
            shifts.withUnsafeBufferPointer { shifts in
                constants.withUnsafeBufferPointer { constants in
                    for index in 0..<64 {
                        var mixed: UInt32, word: Int
                        switch index {
                        case 0..<16: mixed = (b & c) | (~b & d); word = index
                        case 16..<32: mixed = (d & b) | (~d & c); word = (5 &* index &+ 1) & 15
                        case 32..<48: mixed = b ^ c ^ d; word = (3 &* index &+ 5) & 15
                        default: mixed = c ^ (b | ~d); word = (7 &* index) & 15
                        }
                        mixed = mixed &+ a &+ constants[index] &+ words[word]
                        let shift = shifts[index]
                        (a, d, c) = (d, c, b)
                        b = b &+ (mixed &<< shift | mixed &>> (32 &- shift))
                    }
                }
            }
            state = (state.0 &+ a, state.1 &+ b, state.2 &+ c, state.3 &+ d)
        }
    }
}
