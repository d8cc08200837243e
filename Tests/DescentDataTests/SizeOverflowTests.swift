import Descent
import Foundation
import Testing

/// Declared sizes whose byte counts overflow 64 bits: errors, where the multiplication used to
/// trap (found reading the parsers for issue 12's fuzzing).
@Suite("Sizes that overflow")
struct SizeOverflowTests {
    /// A version 1.0 `.npy` file whose header is `header`, with no data.
    func npy(_ header: String) -> [UInt8] {
        let text = Array(header.utf8) + [0x0A]
        return [0x93] + Array("NUMPY".utf8) + [1, 0, UInt8(text.count & 0xFF), UInt8(text.count >> 8)] + text
    }

    @Test func anNPYShapeWhoseByteCountOverflows() throws {
        // 2^62 elements of 8 bytes: the element count fits in 64 bits, the byte count does not.
        let bytes = npy("{'descr': '<f8', 'fortran_order': False, 'shape': (4611686018427387904,), }")
        let error = try #require(throws: DataError.self) { try NPY.decode(bytes) }
        #expect(error.kind == .corrupt && error.offset == 10)
        #expect(error.message == ".npy: shape [4611686018427387904] of '<f8' is too large: its size in bytes overflows 64 bits")
    }

    @Test func anIDXShapeWhoseByteCountOverflows() throws {
        // 2^31 × 2^31 float64 elements: 2^62 elements, 2^65 bytes.
        let bytes: [UInt8] = [0, 0, 0x0E, 2, 0x80, 0, 0, 0, 0x80, 0, 0, 0]
        let error = try #require(throws: DataError.self) { try IDXArray(bytes: bytes) }
        #expect(error.kind == .corrupt && error.offset == 4)
        #expect(error.message == "IDX: dimensions [2147483648, 2147483648] are too large: their product overflows 64 bits")
    }

    /// An empty array whose other sizes multiply past 64 bits: refused, where `count` (and a
    /// tensor's shape arithmetic) used to trap multiplying them out.
    @Test func anIDXShapeWithAZeroAndHugeOtherSizes() throws {
        let bytes: [UInt8] = [0, 0, 0x08, 3, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 0, 0]
        let error = try #require(throws: DataError.self) { try IDXArray(bytes: bytes) }
        #expect(error.message == "IDX: dimensions [4294967295, 4294967295, 0] are too large: their product overflows 64 bits")
        #expect(try IDXArray(bytes: [0, 0, 0x08, 2, 0, 0, 0, 0, 0, 0, 0, 5]).count == 0)
    }
}
