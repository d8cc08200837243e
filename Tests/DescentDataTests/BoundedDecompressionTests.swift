import Descent
import Foundation
import Testing
import _DescentTestSupport

/// Decompression stops at the size the inner format declares and at an overall cap, so that a
/// small file cannot fill the memory (issue 12).
///
/// Measured by hand (`/usr/bin/time -v`, Fuzz/README.md): `descent train mnist` with the
/// issue's bomb, 2 GB of zeros (1.9 MB compressed) as `train-images-idx3-ubyte.gz`, is refused
/// with a peak resident size of 36 MB (the debug build), where it used to pass 3.8 GB; the same
/// bomb behind a valid MNIST header stops at the 47 MB that header declares, with a peak of 80 MB.
@Suite("Bounded decompression")
struct BoundedDecompressionTests {
    /// MNIST's training-image header: magic 0x00000803, then 60000, 28, 28.
    let mnistHeader: [UInt8] = [0, 0, 8, 3, 0, 0, 0xEA, 0x60, 0, 0, 0, 28, 0, 0, 0, 28]

    @Test func theBombGeneratorMakesValidGzip() throws {
        let bomb = GzipBomb.make(prefix: [1, 2, 3], zeroCount: 100_000)
        #expect(bomb.count < 150)
        let output = try Gzip.decompress(bomb)
        #expect(output.count == 3 + 1 + 388 * 258)   // the prefix, a literal, 388 copies
        #expect(output.prefix(3) == [1, 2, 3] && output.dropFirst(3).allSatisfy { $0 == 0 })
    }

    /// The bomb: 2 GB of zeros as `train-images-idx3-ubyte.gz` is refused on its header
    /// (element type 0), having decompressed 4 bytes.
    @Test func twoGigabytesOfZerosAsMNISTImagesAreRefusedOnTheirHeader() throws {
        let folder = scratchFolder.appendingPathComponent("descent-bomb-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("train-images-idx3-ubyte.gz")
        let bomb = GzipBomb.make(zeroCount: 2_000_000_000)
        #expect(bomb.count < 2_000_000)
        try Data(bomb).write(to: file)
        let error = try #require(throws: DataError.self) { try IDXArray(contentsOf: file) }
        #expect(error.description == """
            \(file.path) (byte offset 2): IDX: unknown element type code 0x0; expected one of 0x8, 0x9, 0xB, 0xC, 0xD, 0xE \
            (offsets count bytes after decompression)
            """)
    }

    /// A bomb behind a valid MNIST header: decompression stops one byte past the 47,040,016
    /// bytes the header declares.
    @Test func aBombBehindAValidHeaderStopsAtTheDeclaredSize() throws {
        let bomb = GzipBomb.make(prefix: mnistHeader, zeroCount: 2_000_000_000)
        let error = try #require(throws: DataError.self) { try IDXArray(fileBytes: bomb) }
        #expect(error.kind == .corrupt && error.offset == 47_040_016)
        #expect(error.message == """
            IDX: the header declares shape [60000, 28, 28] of uint8, 47040016 bytes in all, but the gzip data \
            decompresses to more
            """)
    }

    /// A header declaring more than the compressed bytes can hold at DEFLATE's best ratio is
    /// refused before anything past it is decompressed.
    @Test func aHeaderDeclaringMoreThanTheFileCanHoldIsRefused() throws {
        let header: [UInt8] = [0, 0, 8, 3, 0, 0x0F, 0x42, 0x40, 0, 0, 0, 28, 0, 0, 0, 28]  // 1,000,000 × 28 × 28
        let small = GzipBomb.make(prefix: header, zeroCount: 1000)
        let error = try #require(throws: DataError.self) { try IDXArray(fileBytes: small) }
        #expect(error.kind == .unsupported && error.offset == 4)
        #expect(error.message == """
            IDX: the header declares shape [1000000, 28, 28] of uint8, 784000016 bytes, but \(small.count) bytes of \
            gzip data decompress to at most \(small.count * 1032) (DEFLATE's best ratio is 1032:1)
            """)
        let huge: [UInt8] = [0, 0, 8, 2, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF]  // about 2^64 bytes
        let overflow = try #require(throws: DataError.self) { try IDXArray(fileBytes: GzipBomb.make(prefix: huge, zeroCount: 1)) }
        #expect(overflow.message == """
            IDX: dimensions [4294967295, 4294967295] are too large: their product overflows 64 bits \
            (offsets count bytes after decompression)
            """)
    }

    @Test func anIDXFileOfTheDeclaredSizeStillReads() throws {
        // 1 × 19,867 bytes: a literal zero and 77 copies of 258.
        let header: [UInt8] = [0, 0, 8, 2, 0, 0, 0, 1, 0, 0, 0x4D, 0x9B]
        let array = try IDXArray(fileBytes: GzipBomb.make(prefix: header, zeroCount: 19_867))
        #expect(array.shape == [1, 19_867])
    }

    /// The overall cap, lowered so that the test is quick: the output is refused having held
    /// at most the cap (plus one copy).
    @Test func gzipStopsAtTheOverallCap() throws {
        let bomb = GzipBomb.make(zeroCount: 100_000_000)
        let error = try #require(throws: DataError.self) { try Gzip.decompress(bomb, limit: 1_000_000) }
        #expect(error.kind == .unsupported)
        #expect(error.message == """
            gzip: the data decompresses to more than 1000000 bytes, the most Descent decompresses \
            (\(bomb.count) compressed bytes; a gzip bomb?)
            """)
        #expect(Gzip.maximumByteCount == 1 << 30)
    }

    @Test func rawDeflateStopsAtItsCap() throws {
        let stream = Array(GzipBomb.make(zeroCount: 10_000_000).dropFirst(10).dropLast(8))
        let error = try #require(throws: DataError.self) { try Inflate.decompress(stream, limit: 65_536) }
        #expect(error.kind == .unsupported)
        #expect(error.message == "DEFLATE data decompresses to more than 65536 bytes, the most accepted here")
        // A stored block past the cap: stopped too.
        let stored: [UInt8] = [0x01, 0x05, 0x00, 0xFA, 0xFF, 1, 2, 3, 4, 5]
        #expect(try Inflate.decompress(stored, limit: 5) == [1, 2, 3, 4, 5])
        #expect(throws: DataError.self) { try Inflate.decompress(stored, limit: 4) }
    }

    @Test func aPrefixDecompressesNoFurther() throws {
        let bomb = GzipBomb.make(prefix: mnistHeader, zeroCount: 2_000_000_000)
        #expect(try Gzip.prefix(16, of: bomb) == mnistHeader)
        #expect(try Gzip.prefix(18, of: bomb) == mnistHeader + [0, 0])
        // Across members, and shorter than asked when the data is.
        let two = GzipBomb.make(prefix: [7], zeroCount: 1) + GzipBomb.make(prefix: [9], zeroCount: 1)
        #expect(try Gzip.prefix(3, of: two) == [7, 0, 9])
        #expect(try Gzip.prefix(100, of: two) == [7, 0, 9, 0])
    }
}
