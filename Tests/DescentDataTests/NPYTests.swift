import Descent
import Foundation
import Testing
import _DescentTestSupport

@Suite("NumPy .npy files")
struct NPYTests {
    func url(_ name: String) -> URL { fixtureURL("npy/\(name)", in: .module) }

    @Test func readsFilesWrittenByNumPy() throws {
        let float32 = try NPY.read(contentsOf: url("float32-2x3.npy"))
        #expect(float32.dtype == .float32 && float32.shape == [2, 3])
        #expect(float32.scalars(as: Float.self) == [1.5, -2, 3, 0.25, 1e-7, -1e7])

        let float64 = try NPY.read(contentsOf: url("float64-4.npy"))
        #expect(float64.dtype == .float64 && float64.shape == [4])
        #expect(float64.scalars(as: Double.self) == [0.1, -0.2, 1e300, -4.5])

        let int32 = try NPY.read(contentsOf: url("int32-2x2.npy"))
        #expect(int32.dtype == .int32 && int32.scalars(as: Int32.self) == [1, -2, .max, .min])

        let int64 = try NPY.read(contentsOf: url("int64-3.npy"))
        #expect(int64.dtype == .int32 && int64.scalars(as: Int32.self) == [5, -6, .max])

        let uint8 = try NPY.read(contentsOf: url("uint8-2x2.npy"))
        #expect(uint8.dtype == .int32 && uint8.shape == [2, 2] && uint8.scalars(as: Int32.self) == [0, 1, 128, 255])

        let scalar = try NPY.read(contentsOf: url("float32-scalar.npy"))
        #expect(scalar.shape == [] && scalar.scalar(as: Float.self) == 2.5)

        let empty = try NPY.read(contentsOf: url("float32-0x3.npy"))
        #expect(empty.shape == [0, 3])

        let version2 = try NPY.read(contentsOf: url("float32-v2.npy"))
        #expect(version2.shape == [2, 2] && version2.scalars(as: Float.self) == [1, 2, 3, 4])
    }

    @Test("writes the same bytes as numpy.save",
          arguments: ["float32-2x3.npy", "float64-4.npy", "int32-2x2.npy", "float32-scalar.npy", "float32-0x3.npy"])
    func encodesLikeNumPy(file: String) throws {
        let original = [UInt8](try Data(contentsOf: url(file)))
        #expect(NPY.encode(try NPY.decode(original)) == original)
    }

    @Test func roundTripThroughAFile() throws {
        let folder = scratchFolder.appendingPathComponent("descent-npy-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let destination = folder.appendingPathComponent("array.npy")
        for tensor in [Tensor.randomNormal([3, 4, 5], seed: 1), Tensor.randomNormal([7], dtype: .float64, seed: 2),
                       Tensor(shape: [2, 3], scalars: [Int32(1), -2, 3, .max, .min, 0])] {
            try NPY.write(tensor, to: destination)
            let back = try NPY.read(contentsOf: destination)
            #expect(back.dtype == tensor.dtype && back.shape == tensor.shape)
            #expect(back.doubles() == tensor.doubles())
        }
        // Only the file itself is left: the temporary file was renamed into place.
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["array.npy"])
    }

    @Test func refusesWhatItCannotRead() throws {
        let fortran = try #require(throws: DataError.self) { try NPY.read(contentsOf: url("fortran.npy")) }
        #expect(fortran.kind == .unsupported && fortran.description.contains("Fortran"))
        #expect(fortran.file?.hasSuffix("fortran.npy") == true)

        let bigEndian = try #require(throws: DataError.self) { try NPY.read(contentsOf: url("big-endian.npy")) }
        #expect(bigEndian.kind == .unsupported && bigEndian.description.contains("big-endian"))

        let structured = try #require(throws: DataError.self) { try NPY.read(contentsOf: url("structured.npy")) }
        #expect(structured.kind == .unsupported && structured.description.contains("structured"))

        let overflow = try #require(throws: DataError.self) { try NPY.read(contentsOf: url("int64-overflow.npy")) }
        #expect(overflow.kind == .invalidArgument && overflow.description.contains("2147483648"))
        #expect(overflow.offset == 128 + 8)
    }

    @Test func truncatedAndCorruptFiles() throws {
        let whole = [UInt8](try Data(contentsOf: url("float32-2x3.npy")))
        for length in [0, 5, 9, 50, whole.count - 1] {
            let error = try #require(throws: DataError.self, "cut at \(length)") { try NPY.decode(Array(whole[..<length])) }
            #expect(error.kind == .truncated || error.kind == .corrupt, "cut at \(length): \(error)")
        }
        let data = try #require(throws: DataError.self) { try NPY.decode(Array(whole[..<(whole.count - 1)])) }
        #expect(data.kind == .truncated && data.description.contains("needs 24 bytes"))
        let magic = try #require(throws: DataError.self) { try NPY.decode(Array("not an npy file at all".utf8)) }
        #expect(magic.kind == .corrupt && magic.offset == 0)
        var badHeader = whole
        badHeader[10] = UInt8(ascii: "[")
        let header = try #require(throws: DataError.self) { try NPY.decode(badHeader) }
        #expect(header.kind == .corrupt && header.offset == 10 && header.description.contains("expected '{'"))
    }

    @Test func missingFile() throws {
        let error = try #require(throws: DataError.self) { try NPY.read(contentsOf: url("absent.npy")) }
        #expect(error.kind == .fileNotFound)
    }
}
