import Descent
import Foundation
import Testing
import _DescentTestSupport

@Suite("gzip and DEFLATE")
struct GzipTests {
    func bytes(_ name: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: fixtureURL("gzip/\(name)", in: .module)))
    }

    @Test("files made by zlib and gzip decompress to the original bytes",
          arguments: ["text-level0.gz", "text-level1.gz", "text-level6.gz", "text-level9.gz", "text-fixed.gz",
                      "text-huffman-only.gz", "text-gzip-cli.gz", "header-fields.gz"])
    func decompressesText(file: String) throws {
        let compressed = try bytes(file)
        #expect(Gzip.isCompressed(compressed))
        let output = try Gzip.decompress(compressed)
        #expect(output == (try bytes("text.txt")))
    }

    @Test func incompressibleDataUsesStoredBlocks() throws {
        #expect(try Gzip.decompress(bytes("random.gz")) == (try bytes("random.bin")))
    }

    @Test func emptyFile() throws {
        #expect(try Gzip.decompress(bytes("empty.gz")) == [])
    }

    @Test func overlappingBackReferences() throws {
        let expected = Array(String(repeating: "a", count: 5000) + String(repeating: "ab", count: 3000)
                             + String(repeating: "abc", count: 1000)).map { $0.asciiValue! }
        #expect(try Gzip.decompress(bytes("runs.gz")) == expected)
    }

    @Test func membersAreConcatenated() throws {
        #expect(try Gzip.decompress(bytes("multi-member.gz")) == (try bytes("text.txt")) + (try bytes("random.bin")))
    }

    @Test func trailingZerosAreIgnoredButOtherBytesAreNot() throws {
        let file = try bytes("text-level6.gz")
        #expect(try Gzip.decompress(file + [0, 0, 0]) == (try bytes("text.txt")))
        let error = try #require(throws: DataError.self) { try Gzip.decompress(file + [1, 2, 3]) }
        #expect(error.kind == .corrupt && error.offset == file.count)
    }

    @Test func wrongChecksumIsAnError() throws {
        var file = try bytes("text-level9.gz")
        file[file.count - 8] ^= 0xFF   // first byte of the CRC-32
        let error = try #require(throws: DataError.self) { try Gzip.decompress(file) }
        #expect(error.kind == .corrupt)
        #expect(error.offset == file.count - 8)
        #expect(error.description.contains("CRC-32"))
    }

    @Test func wrongLengthIsAnError() throws {
        var file = try bytes("text-level9.gz")
        file[file.count - 1] ^= 0x01
        let error = try #require(throws: DataError.self) { try Gzip.decompress(file) }
        #expect(error.kind == .corrupt && error.description.contains("bytes"))
    }

    @Test func wrongHeaderChecksumIsAnError() throws {
        var file = try bytes("header-fields.gz")
        file[5] ^= 0x01   // inside MTIME, covered by FHCRC
        let error = try #require(throws: DataError.self) { try Gzip.decompress(file) }
        #expect(error.kind == .corrupt && error.description.contains("header checksum"))
    }

    @Test("truncation anywhere is an error, never a crash", arguments: ["text-level0.gz", "text-level6.gz", "text-fixed.gz", "header-fields.gz"])
    func truncation(file: String) throws {
        let whole = try bytes(file)
        for length in [0, 1, 5, 10, 11, 20, whole.count / 3, whole.count / 2, whole.count - 9, whole.count - 4, whole.count - 1] {
            let error = try #require(throws: DataError.self, "cut at \(length)") { try Gzip.decompress(Array(whole[..<length])) }
            #expect(error.kind == .truncated, "cut at \(length): \(error)")
        }
    }

    @Test func corruptCompressedBytesAreAnErrorNeverACrash() throws {
        let whole = try bytes("text-level9.gz")
        var generator = RandomGenerator(seed: 3)
        for _ in 0..<200 {
            var file = whole
            let index = 10 + generator.nextIndex(below: whole.count - 18)
            file[index] ^= UInt8(1 + generator.nextIndex(below: 255))
            // Most damage is caught by the decoder, the rest by the CRC-32 check.
            #expect(throws: DataError.self) { try Gzip.decompress(file) }
        }
    }

    @Test func notGzipAtAll() throws {
        let error = try #require(throws: DataError.self) { try Gzip.decompress(Array("hello, world".utf8)) }
        #expect(error.kind == .corrupt && error.offset == 0 && error.description.contains("found 68 65"))
        #expect(error.description.contains("magic number"))
        #expect(!Gzip.isCompressed(Array("hello".utf8)))
    }

    @Test func rawDeflateStream() throws {
        // A stored block holding "abc", then a fixed-Huffman block holding nothing but end-of-block.
        let stream: [UInt8] = [0x00, 0x03, 0x00, 0xFC, 0xFF, 0x61, 0x62, 0x63, 0x03, 0x00]
        #expect(try Inflate.decompress(stream) == Array("abc".utf8))
        let error = try #require(throws: DataError.self) { try Inflate.decompress([0x07]) }  // block type 3
        #expect(error.kind == .corrupt && error.description.contains("block type 3"))
        let badLength = try #require(throws: DataError.self) { try Inflate.decompress([0x01, 0x03, 0x00, 0xFC, 0xFE, 1, 2, 3]) }
        #expect(badLength.kind == .corrupt && badLength.description.contains("complement"))
    }

    @Test func crc32KnownValues() {
        #expect(CRC32.checksum(Array("123456789".utf8)) == 0xCBF4_3926)
        #expect(CRC32.checksum([]) == 0)
        let text = Array("The quick brown fox jumps over the lazy dog".utf8)
        #expect(CRC32.checksum(text) == 0x414F_A339)
        let split = text.withUnsafeBytes { all in
            CRC32.checksum(UnsafeRawBufferPointer(rebasing: all[13...]),
                           continuing: CRC32.checksum(UnsafeRawBufferPointer(rebasing: all[..<13])))
        }
        #expect(split == 0x414F_A339)
    }
}
