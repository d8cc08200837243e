import Descent
import Foundation
import Testing
import _DescentTestSupport

@Suite("IDX files")
struct IDXTests {
    func url(_ name: String) -> URL { fixtureURL("idx/\(name)", in: .module) }

    @Test("bytes, plain or gzip-compressed (recognised by content)", arguments: ["images-ubyte.idx", "images-ubyte.idx.gz"])
    func unsignedBytes(file: String) throws {
        let array = try IDXArray(contentsOf: url(file))
        #expect(array.elementType == .uint8)
        #expect(array.shape == [2, 3, 4])
        #expect(array.count == 24)
        let tensor = array.tensor()
        #expect(tensor.dtype == .int32 && tensor.shape == [2, 3, 4])
        #expect(tensor.scalars(as: Int32.self) == (0..<24).map { Int32($0 * 10) })
        let floats = array.tensor(dtype: .float32)
        #expect(floats.dtype == .float32)
        #expect(floats.scalars(as: Float.self) == (0..<24).map { Float($0 * 10) })
    }

    @Test func everyElementType() throws {
        let int8 = try IDXArray(contentsOf: url("int8.idx"))
        #expect(int8.elementType == .int8)
        #expect(int8.tensor().scalars(as: Int32.self) == [-128, -1, 0, 127])
        let int16 = try IDXArray(contentsOf: url("int16.idx"))
        #expect(int16.shape == [2, 2])
        #expect(int16.tensor().scalars(as: Int32.self) == [-32768, -2, 300, 32767])
        let int32 = try IDXArray(contentsOf: url("int32.idx"))
        #expect(int32.tensor().scalars(as: Int32.self) == [Int32.min, 5, Int32.max])
        let float32 = try IDXArray(contentsOf: url("float32.idx"))
        #expect(float32.tensor().dtype == .float32)
        #expect(float32.tensor().scalars(as: Float.self) == [1.5, -2.25, 3.0e-3, 1e10])
        let float64 = try IDXArray(contentsOf: url("float64.idx"))
        #expect(float64.tensor().dtype == .float64)
        #expect(float64.tensor().scalars(as: Double.self) == [0.1, -1e300, 2.5])
    }

    @Test func truncatedFile() throws {
        let error = try #require(throws: DataError.self) { try IDXArray(contentsOf: url("truncated.idx")) }
        #expect(error.kind == .truncated)
        #expect(error.file?.hasSuffix("truncated.idx") == true)
        #expect(error.offset == 35)
        #expect(error.description.contains("needs 40 bytes"))
    }

    @Test func unknownElementType() throws {
        let error = try #require(throws: DataError.self) { try IDXArray(contentsOf: url("bad-type.idx")) }
        #expect(error.kind == .unsupported && error.offset == 2)
        #expect(error.description.contains("0x7"))
    }

    @Test func malformedHeaders() throws {
        #expect(throws: DataError.self) { try IDXArray(bytes: [0, 0, 8]) }
        let magic = try #require(throws: DataError.self) { try IDXArray(bytes: [1, 0, 8, 1, 0, 0, 0, 0]) }
        #expect(magic.kind == .corrupt && magic.offset == 0)
        let header = try #require(throws: DataError.self) { try IDXArray(bytes: [0, 0, 8, 2, 0, 0, 0, 1]) }
        #expect(header.kind == .truncated)
        let extra = try #require(throws: DataError.self) { try IDXArray(bytes: [0, 0, 8, 1, 0, 0, 0, 1, 5, 6]) }
        #expect(extra.kind == .corrupt && extra.offset == 9)
        let scalar = try IDXArray(bytes: [0, 0, 8, 0, 42])
        #expect(scalar.shape == [] && scalar.tensor().scalars(as: Int32.self) == [42])
    }

    @Test func missingFile() throws {
        let error = try #require(throws: DataError.self) { try IDXArray(contentsOf: url("no-such-file.idx")) }
        #expect(error.kind == .fileNotFound && error.file?.hasSuffix("no-such-file.idx") == true)
    }

    @Test("MNIST t10k labels from the shared data folder",
          .enabled(if: SharedData.mnist != nil, "the shared MNIST folder (shared/data/mnist) is absent"))
    func mnistTestLabels() throws {
        let array = try IDXArray(contentsOf: SharedData.mnist!.appendingPathComponent("t10k-labels-idx1-ubyte.gz"))
        #expect(array.elementType == .uint8 && array.shape == [10000])
        let labels = array.tensor().scalars(as: Int32.self)
        #expect(Array(labels.prefix(5)) == [7, 2, 1, 0, 4])
        #expect(labels.allSatisfy { (0...9).contains($0) })
    }
}
