@testable import DescentCore
import Descent
import Foundation
import Testing
import _DescentTestSupport

/// A safetensors file made by hand: the header's length, the header, then `data`.
func safetensorsBytes(header: String, data: [UInt8] = [], headerLength: UInt64? = nil) -> Data {
    let json = Data(header.utf8)
    var bytes = Data()
    withUnsafeBytes(of: (headerLength ?? UInt64(json.count)).littleEndian) { bytes.append(contentsOf: $0) }
    bytes.append(json)
    bytes.append(contentsOf: data)
    return bytes
}

/// The reason `body` failed with, if it threw a ``SafeTensorsError``.
func safeTensorsFailure(_ body: () throws -> Void) -> SafeTensorsError.Reason? {
    do {
        try body()
        return nil
    } catch let error as SafeTensorsError {
        return error.reason
    } catch {
        Issue.record("expected a SafeTensorsError, got \(error)")
        return nil
    }
}

/// The header's JSON object of a serialized file.
func headerObject(of data: Data) throws -> [String: Any] {
    let length = Int(data.prefix(8).withUnsafeBytes { UInt64(littleEndian: $0.loadUnaligned(as: UInt64.self)) })
    return try #require(try JSONSerialization.jsonObject(with: data.subdata(in: 8..<(8 + length))) as? [String: Any])
}

/// The tensors every writing test uses: each dtype, a scalar, empty tensors, special values.
let sampleTensors: [String: Tensor] = [
    "0.weight": Tensor(shape: [2, 3], scalars: [Float(1.5), -0.0, .infinity, -.greatestFiniteMagnitude, .leastNonzeroMagnitude, 0.1]),
    "0.bias": Tensor([Float(0.25), -7]),
    "double": Tensor(shape: [2, 2], scalars: [1.0 / 3.0, -2.5e-300, .pi, 1e308]),
    "labels": Tensor([Int32.min, -1, 0, Int32.max]),
    "scalar": Tensor(Float(42)),
    "empty": Tensor(shape: [0, 3], scalars: [Float]()),
    "empty int": Tensor(shape: [0], scalars: [Int32]()),
]

/// Expects `actual` to hold exactly the bits of `expected`, with the same shape and dtype.
func expectIdentical(_ actual: Tensor?, _ expected: Tensor, _ name: String,
                     sourceLocation: SourceLocation = #_sourceLocation) {
    guard let actual else {
        Issue.record("missing tensor '\(name)'", sourceLocation: sourceLocation)
        return
    }
    #expect(actual.shape == expected.shape, "\(name)", sourceLocation: sourceLocation)
    #expect(actual.dtype == expected.dtype, "\(name)", sourceLocation: sourceLocation)
    guard actual.dtype == expected.dtype else { return }
    switch expected.dtype {
    case .float32:
        #expect(actual.scalars(as: Float.self).map(\.bitPattern) == expected.scalars(as: Float.self).map(\.bitPattern),
                "\(name)", sourceLocation: sourceLocation)
    case .float64:
        #expect(actual.scalars(as: Double.self).map(\.bitPattern) == expected.scalars(as: Double.self).map(\.bitPattern),
                "\(name)", sourceLocation: sourceLocation)
    case .int32, .int64, .uint8:
        #expect(actual.doubles() == expected.doubles(), "\(name)", sourceLocation: sourceLocation)
    }
}

@Suite struct SafeTensorsWritingTests {
    @Test func roundTripKeepsEveryNameShapeDTypeAndBit() throws {
        let file = SafeTensorsFile(tensors: sampleTensors, metadata: ["format": "pt", "quote \"\\\n": "é ☃"])
        let loaded = try SafeTensorsFile.read(from: try file.serialized())
        #expect(Set(loaded.tensors.keys) == Set(sampleTensors.keys))
        for (name, tensor) in sampleTensors { expectIdentical(loaded.tensors[name], tensor, name) }
        #expect(loaded.metadata == file.metadata)
    }

    @Test func emptyFileRoundTrips() throws {
        let data = try SafeTensorsFile().serialized()
        #expect(data.count == 16)  // "{}" padded to 8 bytes
        let loaded = try SafeTensorsFile.read(from: data)
        #expect(loaded.tensors.isEmpty && loaded.metadata.isEmpty)
    }

    @Test func outputIsDeterministicPaddedAndLaidOutInNameOrder() throws {
        let file = SafeTensorsFile(tensors: sampleTensors, metadata: ["b": "2", "a": "1"])
        let data = try file.serialized()
        #expect(try file.serialized() == data)
        #expect(try SafeTensorsFile(tensors: sampleTensors, metadata: ["a": "1", "b": "2"]).serialized() == data)

        let headerLength = data.prefix(8).withUnsafeBytes { UInt64(littleEndian: $0.loadUnaligned(as: UInt64.self)) }
        #expect(headerLength % 8 == 0)
        let header = try headerObject(of: data)
        var offset = 0
        for name in sampleTensors.keys.sorted() {
            let entry = try #require(header[name] as? [String: Any])
            let tensor = sampleTensors[name]!
            #expect(entry["dtype"] as? String == ["float32": "F32", "float64": "F64", "int32": "I32"][tensor.dtype.rawValue])
            #expect(entry["shape"] as? [Int] == tensor.shape)
            let size = tensor.scalarCount * tensor.dtype.byteCount
            #expect(entry["data_offsets"] as? [Int] == [offset, offset + size], "\(name)")
            offset += size
        }
        #expect(data.count == 8 + Int(headerLength) + offset)
        #expect(header["__metadata__"] as? [String: String] == ["a": "1", "b": "2"])
    }

    /// The exact bytes Descent writes for a small file; Tests/Fixtures/safetensors/
    /// check_descent_written.py loads this same literal with PyTorch.
    @Test func writesTheBytesPyTorchWasCheckedToRead() throws {
        let file = SafeTensorsFile(tensors: DescentWrittenFixture.tensors, metadata: DescentWrittenFixture.metadata)
        let data = try file.serialized()
        let expected = try #require(Data(base64Encoded: DescentWrittenFixture.base64, options: .ignoreUnknownCharacters))
        #expect(data == expected, "Descent now writes \(data.base64EncodedString())")
    }

    @Test func writeAndReadAFile() throws {
        try withTemporaryFolder { folder in
            let url = folder.appendingPathComponent("model.safetensors")
            let file = SafeTensorsFile(tensors: sampleTensors, metadata: ["format": "pt"])
            try file.write(to: url)
            try file.write(to: url)  // replacing works too
            #expect(try contents(of: folder) == ["model.safetensors"])
            let loaded = try SafeTensorsFile(contentsOf: url)
            for (name, tensor) in sampleTensors { expectIdentical(loaded.tensors[name], tensor, name) }
            #expect(loaded.metadata == ["format": "pt"])
        }
    }

    @Test func aTensorNamedMetadataCannotBeWritten() throws {
        try withTemporaryFolder { (folder: URL) throws in
            let file = SafeTensorsFile(tensors: ["__metadata__": Tensor([Float(1)])])
            let url = folder.appendingPathComponent("x.safetensors")
            #expect(safeTensorsFailure { try file.write(to: url) } == .reservedTensorName("__metadata__"))
            #expect(try contents(of: folder) == [])
        }
    }

    @Test func missingFileIsAFileError() throws {
        try withTemporaryFolder { folder in
            let url = folder.appendingPathComponent("nothing.safetensors")
            let error = try #require(throws: FileError.self) { try SafeTensorsFile(contentsOf: url) }
            #expect(error.path == url.path)
            #expect(error.description.contains("No such file"), "\(error)")
            #expect(throws: FileError.self) { try SafeTensorsFile.inspect(url) }

            let folderError = try #require(throws: FileError.self) { try SafeTensorsFile(contentsOf: folder) }
            #expect(folderError.description.contains("is a folder"), "\(folderError)")
            #expect(throws: FileError.self) { try SafeTensorsFile.inspect(folder) }
        }
    }
}

@Suite struct SafeTensorsPyTorchTests {
    let data = Data(base64Encoded: PyTorchSafeTensorsFixture.base64, options: .ignoreUnknownCharacters)!

    @Test func readsEveryNameShapeAndValueWrittenByPyTorch() throws {
        let file = try SafeTensorsFile.read(from: data)
        #expect(Set(file.tensors.keys) == Set(PyTorchSafeTensorsFixture.tensors.keys))
        #expect(file.metadata == PyTorchSafeTensorsFixture.metadata)
        for (name, expected) in PyTorchSafeTensorsFixture.tensors {
            let tensor = try #require(file.tensors[name], "\(name)")
            #expect(tensor.shape == expected.shape, "\(name)")
            switch expected.dtype {
            case "F32", "F16", "BF16":  // half precision widens exactly to float32
                #expect(tensor.dtype == .float32, "\(name)")
                #expect(tensor.scalars(as: Float.self) == expected.values.map { Float($0) }, "\(name)")
            case "F64":
                #expect(tensor.dtype == .float64)
                #expect(tensor.scalars(as: Double.self) == expected.values)
            case "I64":
                #expect(tensor.dtype == .int32)
                #expect(tensor.scalars(as: Int32.self) == expected.values.map { Int32($0) })
            default:
                Issue.record("unexpected dtype \(expected.dtype)")
            }
        }
    }

    @Test func pyTorchWeightsReproducePyTorchOutputs() throws {
        let weights = try SafeTensorsFile.read(from: data).tensors
        let input = Tensor(shape: [2, 3], scalars: PyTorchSafeTensorsFixture.input)
        let hidden = relu(matmul(input, weights["0.weight"]!, transposeB: true) + weights["0.bias"]!)
        let output = matmul(hidden, weights["2.weight"]!, transposeB: true) + weights["2.bias"]!
        expectClose(output, Tensor(shape: [2, 2], scalars: PyTorchSafeTensorsFixture.output))
    }

    @Test func inspectSummarizesTheHeader() throws {
        try withTemporaryFolder { folder in
            let url = folder.appendingPathComponent("pytorch.safetensors")
            try data.write(to: url)
            let summary = try SafeTensorsFile.inspect(url)
            #expect(summary.entries.map(\.name) == PyTorchSafeTensorsFixture.tensors.keys.sorted())
            for entry in summary.entries {
                let expected = PyTorchSafeTensorsFixture.tensors[entry.name]!
                #expect(entry.dtype == expected.dtype)
                #expect(entry.shape == expected.shape)
                #expect(entry.parameterCount == expected.values.count)
            }
            #expect(summary.entries.first { $0.name == "steps" }?.byteCount == 48)
            #expect(summary.parameterCount == 42)
            #expect(summary.fileByteCount == data.count)
            #expect(summary.metadata == PyTorchSafeTensorsFixture.metadata)
            let lines = summary.description.split(separator: "\n").map { $0.split(separator: " ").joined(separator: " ") }
            #expect(lines.contains("0.weight F32 [4, 3] 12"), "\(summary)")
            #expect(summary.description.contains("9 tensors, 42 parameters, 826 bytes"), "\(summary)")
        }
    }
}

@Suite struct SafeTensorsCorruptionTests {
    let valid = Data(base64Encoded: PyTorchSafeTensorsFixture.base64, options: .ignoreUnknownCharacters)!

    @Test func everyTruncationIsAnError() throws {
        let headerEnd = 8 + 632
        for length in 0..<valid.count {
            let reason = safeTensorsFailure { _ = try SafeTensorsFile.read(from: valid.prefix(length)) }
            switch length {
            case 0..<8: #expect(reason == .fileTooShort(byteCount: length))
            case 8..<headerEnd: #expect(reason == .headerBeyondEndOfFile(headerByteCount: 632, fileByteCount: length))
            default:
                guard case .offsetsOutOfRange(_, _, _, let dataByteCount)? = reason else {
                    Issue.record("length \(length): \(String(describing: reason))")
                    continue
                }
                #expect(dataByteCount == length - headerEnd)
            }
        }
    }

    @Test func truncatedFileErrorNamesTheFile() throws {
        try withTemporaryFolder { folder in
            let url = folder.appendingPathComponent("cut.safetensors")
            try valid.prefix(700).write(to: url)
            let error = try #require(throws: SafeTensorsError.self) { try SafeTensorsFile(contentsOf: url) }
            #expect(error.path == url.path)
            #expect(error.description.contains(url.path) && error.description.contains("truncated"), "\(error)")
            #expect(throws: SafeTensorsError.self) { try SafeTensorsFile.inspect(url) }
        }
    }

    @Test func absurdHeaderLengthIsAnError() {
        var data = valid
        data.replaceSubrange(0..<8, with: [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF])
        #expect(safeTensorsFailure { _ = try SafeTensorsFile.read(from: data) } == .headerTooLarge(byteCount: .max))
        let huge = safetensorsBytes(header: "{}", headerLength: 100_000_001)
        #expect(safeTensorsFailure { _ = try SafeTensorsFile.read(from: huge) } == .headerTooLarge(byteCount: 100_000_001))
    }

    @Test func headerThatIsNotAJSONObjectIsAnError() {
        for header in ["", "not json", "{\"a\": ", "[1, 2]", "\"text\"", "{} trailing"] {
            let reason = safeTensorsFailure { _ = try SafeTensorsFile.read(from: safetensorsBytes(header: header)) }
            guard case .invalidHeader? = reason else {
                Issue.record("header \(header): \(String(describing: reason))")
                continue
            }
        }
        var notUTF8 = safetensorsBytes(header: "{\"a\": 1}")
        notUTF8[9] = 0xFF
        #expect(safeTensorsFailure { _ = try SafeTensorsFile.read(from: notUTF8) } == .invalidHeader("not UTF-8 text"))
    }

    @Test func malformedEntriesAreErrorsNamingTheTensor() {
        let cases: [(header: String, problem: String)] = [
            (#"{"w": 3}"#, "expected an object"),
            (#"{"w": {"shape": [1], "data_offsets": [0, 4]}}"#, "missing field 'dtype'"),
            (#"{"w": {"dtype": "F32", "data_offsets": [0, 4]}}"#, "missing field 'shape'"),
            (#"{"w": {"dtype": "F32", "shape": [1]}}"#, "missing field 'data_offsets'"),
            (#"{"w": {"dtype": 32, "shape": [1], "data_offsets": [0, 4]}}"#, "'dtype' should be a string"),
            (#"{"w": {"dtype": "F32", "shape": [-1], "data_offsets": [0, 4]}}"#, "'shape' should be"),
            (#"{"w": {"dtype": "F32", "shape": [1.5], "data_offsets": [0, 4]}}"#, "'shape' should be"),
            (#"{"w": {"dtype": "F32", "shape": "1", "data_offsets": [0, 4]}}"#, "'shape' should be"),
            (#"{"w": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4, 8]}}"#, "'data_offsets' should be"),
            (#"{"w": {"dtype": "F32", "shape": [1], "data_offsets": [-4, 0]}}"#, "'data_offsets' should be"),
            (#"{"w": {"dtype": "F32", "shape": [1], "data_offsets": [0, 1e30]}}"#, "'data_offsets' should be"),
            (#"{"w": {"dtype": "F32", "shape": [4294967296, 4294967296], "data_offsets": [0, 4]}}"#, "too many elements"),
        ]
        for (header, problem) in cases {
            let reason = safeTensorsFailure { _ = try SafeTensorsFile.read(from: safetensorsBytes(header: header, data: [0, 0, 0, 0])) }
            guard case .invalidTensorEntry(let tensor, let message)? = reason, tensor == "w", message.contains(problem) else {
                Issue.record("\(header): expected '\(problem)', got \(String(describing: reason))")
                continue
            }
        }
    }

    @Test func offsetsOutOfRangeOverlappingOrOfTheWrongSizeAreErrors() {
        let data = [UInt8](repeating: 0, count: 16)
        func read(_ header: String) -> SafeTensorsError.Reason? {
            safeTensorsFailure { _ = try SafeTensorsFile.read(from: safetensorsBytes(header: header, data: data)) }
        }
        #expect(read(#"{"w": {"dtype": "F32", "shape": [5], "data_offsets": [0, 20]}}"#)
                == .offsetsOutOfRange(tensor: "w", begin: 0, end: 20, dataByteCount: 16))
        #expect(read(#"{"w": {"dtype": "F32", "shape": [0], "data_offsets": [8, 4]}}"#)
                == .offsetsOutOfRange(tensor: "w", begin: 8, end: 4, dataByteCount: 16))
        #expect(read(#"{"w": {"dtype": "F32", "shape": [3], "data_offsets": [0, 8]}}"#)
                == .sizeMismatch(tensor: "w", dtype: "F32", shape: [3], expectedByteCount: 12, actualByteCount: 8))
        #expect(read(#"{"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}, "b": {"dtype": "F64", "shape": [1], "data_offsets": [4, 12]}}"#)
                == .overlappingTensors("a", "b"))
        // Empty tensors take no bytes and overlap nothing; gaps between tensors are tolerated.
        let file = try? SafeTensorsFile.read(from: safetensorsBytes(header:
            #"{"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}, "e": {"dtype": "F32", "shape": [0], "data_offsets": [4, 4]}, "b": {"dtype": "I32", "shape": [1], "data_offsets": [12, 16]}}"#,
            data: data))
        #expect(file?.tensors["e"]?.shape == [0])
        #expect(file?.tensors["b"]?.scalars(as: Int32.self) == [0])
    }

    @Test func unsupportedDTypesAreErrorsNamingTensorAndDType() throws {
        for dtype in ["F8_E4M3", "C64", "Q7"] {
            let size = dtype == "C64" ? 8 : 1
            let header = #"{"q": {"dtype": "\#(dtype)", "shape": [2], "data_offsets": [0, \#(2 * size)]}}"#
            let bytes = safetensorsBytes(header: header, data: [UInt8](repeating: 0, count: 2 * size))
            let error = try #require(throws: SafeTensorsError.self) { try SafeTensorsFile.read(from: bytes) }
            #expect(error.reason == .unsupportedDType(tensor: "q", dtype: dtype))
            #expect(error.description.contains("'q'") && error.description.contains(dtype))
        }
    }

    @Test func integerTypesWidenToInt32AndOutOfRangeValuesAreErrors() throws {
        func file(_ dtype: String, _ values: [UInt8], count: Int) throws -> Tensor? {
            let header = #"{"n": {"dtype": "\#(dtype)", "shape": [\#(count)], "data_offsets": [0, \#(values.count)]}}"#
            return try SafeTensorsFile.read(from: safetensorsBytes(header: header, data: values)).tensors["n"]
        }
        #expect(try file("U8", [0, 255], count: 2)?.scalars(as: Int32.self) == [0, 255])
        #expect(try file("I8", [0x80, 0x7F], count: 2)?.scalars(as: Int32.self) == [-128, 127])
        #expect(try file("BOOL", [1, 0], count: 2)?.scalars(as: Int32.self) == [1, 0])
        #expect(try file("I16", [0x00, 0x80], count: 1)?.scalars(as: Int32.self) == [-32768])
        #expect(try file("U16", [0xFF, 0xFF], count: 1)?.scalars(as: Int32.self) == [65535])
        let big: [UInt8] = [0, 0, 0, 0x80, 0, 0, 0, 0]  // 2^31 as I64
        #expect(safeTensorsFailure { _ = try file("I64", [0, 0, 0, 0, 0, 0, 0, 0] + big, count: 2) }
                == .valueOutOfRange(tensor: "n", dtype: "I64", index: 1, value: "2147483648"))
        #expect(safeTensorsFailure { _ = try file("U32", [0xFF, 0xFF, 0xFF, 0xFF], count: 1) }
                == .valueOutOfRange(tensor: "n", dtype: "U32", index: 0, value: "4294967295"))
    }

    @Test func invalidMetadataIsAnError() {
        for header in [#"{"__metadata__": {"epoch": 3}}"#, #"{"__metadata__": [1]}"#] {
            let reason = safeTensorsFailure { _ = try SafeTensorsFile.read(from: safetensorsBytes(header: header)) }
            guard case .invalidMetadata? = reason else {
                Issue.record("\(header): \(String(describing: reason))")
                continue
            }
        }
    }

    /// Flipping any bit of the header may give an error or (say, in a tensor's name) a valid
    /// file, but never a crash or an error of another kind.
    @Test func flippedHeaderBitsNeverCrash() {
        var errors = 0
        for index in 0..<(8 + 632) {
            for bit in [0, 3, 6] {
                var data = valid
                data[index] ^= UInt8(1 << bit)
                if safeTensorsFailure({ _ = try SafeTensorsFile.read(from: data) }) != nil { errors += 1 }
            }
        }
        #expect(errors > 1000)
    }

    @Test func halfPrecisionDecodingMatchesFloat16ForEveryBitPattern() {
        #if !((os(macOS) || targetEnvironment(macCatalyst)) && arch(x86_64))
        var mismatches = 0
        for bits in 0...UInt16.max {
            let expected = Float(Float16(bitPattern: bits))
            let actual = SafeTensorsValues.float(fromHalf: bits)
            if !(actual.bitPattern == expected.bitPattern || (actual.isNaN && expected.isNaN)) { mismatches += 1 }
        }
        #expect(mismatches == 0)
        #endif
    }
}
