import Foundation

/// The element types the safetensors format names, with their sizes.
///
/// The format's layout: an 8-byte little-endian header length N, N bytes of UTF-8 JSON (an object
/// mapping each tensor's name to `{"dtype", "shape", "data_offsets": [begin, end]}`, plus an
/// optional `"__metadata__"` object of strings), then the data, where each tensor's row-major,
/// little-endian bytes sit at `data_offsets` counted from the end of the header.
enum SafeTensorsDType: String, CaseIterable {
    case bool = "BOOL", uint8 = "U8", int8 = "I8", float8E5M2 = "F8_E5M2", float8E4M3 = "F8_E4M3"
    case int16 = "I16", uint16 = "U16", float16 = "F16", bfloat16 = "BF16"
    case int32 = "I32", uint32 = "U32", float32 = "F32"
    case int64 = "I64", uint64 = "U64", float64 = "F64", complex64 = "C64"

    var byteCount: Int {
        switch self {
        case .bool, .uint8, .int8, .float8E5M2, .float8E4M3: 1
        case .int16, .uint16, .float16, .bfloat16: 2
        case .int32, .uint32, .float32: 4
        case .int64, .uint64, .float64, .complex64: 8
        }
    }

    /// The safetensors dtype that stores a Descent dtype.
    init(_ dtype: DType) {
        switch dtype {
        case .float32: self = .float32
        case .float64: self = .float64
        case .int32: self = .int32
        case .int64: self = .int64
        case .uint8: self = .uint8
        }
    }
}

/// A parsed and validated safetensors header.
struct SafeTensorsHeader {
    /// One tensor's header entry.
    struct Entry {
        var name: String
        /// The dtype as written in the file (kept even when Descent does not know it).
        var dtypeName: String
        var dtype: SafeTensorsDType?
        var shape: [Int]
        var elementCount: Int
        /// Byte range within the data that follows the header.
        var begin: Int
        var end: Int
    }

    /// The largest header accepted, as in the reference implementation: anything larger is a
    /// corrupt length, and believing it would mean reading (or allocating) that much.
    static let maximumByteCount: UInt64 = 100_000_000

    /// Tensor entries sorted by name.
    var entries: [Entry]
    var metadata: [String: String]
    /// N, the JSON header's length in bytes.
    var byteCount: Int
    /// Where the data begins in the file: 8 + N.
    var dataStart: Int { 8 + byteCount }

    /// Reads N from the first 8 bytes of a file of `fileByteCount` bytes and checks it fits.
    static func headerByteCount(prefix: UnsafeRawBufferPointer, fileByteCount: Int) throws -> Int {
        guard prefix.count >= 8, fileByteCount >= 8 else {
            throw SafeTensorsError(.fileTooShort(byteCount: min(prefix.count, fileByteCount)))
        }
        let length = UInt64(littleEndian: prefix.loadUnaligned(as: UInt64.self))
        guard length <= maximumByteCount else { throw SafeTensorsError(.headerTooLarge(byteCount: length)) }
        guard length <= UInt64(fileByteCount - 8) else {
            throw SafeTensorsError(.headerBeyondEndOfFile(headerByteCount: length, fileByteCount: fileByteCount))
        }
        return Int(length)
    }

    /// Parses the JSON header and checks every entry against the `dataByteCount` bytes of data
    /// that follow it: offsets in range, sizes matching shape × dtype, no overlaps.
    ///
    /// Unknown dtypes are kept (so that ``SafeTensorsFile/inspect(_:)`` can list them); readers of
    /// values reject them. Gaps between tensors and bytes after the last one are accepted,
    /// although the reference implementation, whose writer never makes them, rejects them.
    init(json: UnsafeRawBufferPointer, dataByteCount: Int) throws {
        byteCount = json.count
        guard let text = String(bytes: json, encoding: .utf8) else {
            throw SafeTensorsError(.invalidHeader("not UTF-8 text"))
        }
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: Data(text.utf8), options: [])
        } catch {
            throw SafeTensorsError(.invalidHeader("not valid JSON (\(FileError.reason(for: error)))"))
        }
        guard let fields = object as? [String: Any] else {
            throw SafeTensorsError(.invalidHeader("expected a JSON object, found \(Self.kind(of: object))"))
        }

        metadata = try Self.metadata(from: fields["__metadata__"])
        entries = try fields.keys.filter { $0 != "__metadata__" }.sorted().map { name in
            try Self.entry(named: name, from: fields[name]!, dataByteCount: dataByteCount)
        }
        try Self.checkNoOverlaps(entries)
    }

    private static func metadata(from value: Any?) throws -> [String: String] {
        guard let value else { return [:] }
        guard let object = value as? [String: Any] else {
            throw SafeTensorsError(.invalidMetadata("expected an object of strings, found \(kind(of: value))"))
        }
        var metadata: [String: String] = [:]
        for (key, value) in object {
            guard let string = value as? String else {
                throw SafeTensorsError(.invalidMetadata("value of '\(key)' should be a string, found \(kind(of: value))"))
            }
            metadata[key] = string
        }
        return metadata
    }

    private static func entry(named name: String, from value: Any, dataByteCount: Int) throws -> Entry {
        func invalid(_ problem: String) -> SafeTensorsError {
            SafeTensorsError(.invalidTensorEntry(tensor: name, problem: problem))
        }
        guard let fields = value as? [String: Any] else {
            throw invalid("expected an object with dtype, shape and data_offsets, found \(kind(of: value))")
        }
        guard let dtypeValue = fields["dtype"] else { throw invalid("missing field 'dtype'") }
        guard let dtypeName = dtypeValue as? String else {
            throw invalid("'dtype' should be a string, found \(kind(of: dtypeValue))")
        }
        guard let shapeValue = fields["shape"] else { throw invalid("missing field 'shape'") }
        guard let shapeArray = shapeValue as? [Any],
              case let sizes = shapeArray.compactMap(nonNegativeInteger), sizes.count == shapeArray.count
        else { throw invalid("'shape' should be an array of non-negative integers, found \(shapeValue)") }
        guard let offsetsValue = fields["data_offsets"] else { throw invalid("missing field 'data_offsets'") }
        guard let offsetsArray = offsetsValue as? [Any], offsetsArray.count == 2,
              let begin = nonNegativeInteger(offsetsArray[0]), let end = nonNegativeInteger(offsetsArray[1])
        else { throw invalid("'data_offsets' should be two non-negative integers [begin, end], found \(offsetsValue)") }

        guard begin <= end, end <= dataByteCount else {
            throw SafeTensorsError(.offsetsOutOfRange(tensor: name, begin: begin, end: end, dataByteCount: dataByteCount))
        }
        let dtype = SafeTensorsDType(rawValue: dtypeName)
        // Overflow-checked, so that an absurd shape is an error rather than a trap.
        var elementCount = 1
        for size in sizes {
            let (product, overflow) = elementCount.multipliedReportingOverflow(by: size)
            guard !overflow else { throw invalid("shape \(sizes) has too many elements") }
            elementCount = product
        }
        if let dtype {
            let (expected, overflow) = elementCount.multipliedReportingOverflow(by: dtype.byteCount)
            guard !overflow, expected == end - begin else {
                throw SafeTensorsError(.sizeMismatch(tensor: name, dtype: dtypeName, shape: sizes,
                                                     expectedByteCount: overflow ? Int.max : expected,
                                                     actualByteCount: end - begin))
            }
        }
        return Entry(name: name, dtypeName: dtypeName, dtype: dtype, shape: sizes, elementCount: elementCount,
                     begin: begin, end: end)
    }

    private static func checkNoOverlaps(_ entries: [Entry]) throws {
        // Empty tensors occupy no bytes, so they cannot overlap anything.
        let occupied = entries.filter { $0.begin < $0.end }.sorted { ($0.begin, $0.name) < ($1.begin, $1.name) }
        for (previous, next) in zip(occupied, occupied.dropFirst()) where next.begin < previous.end {
            throw SafeTensorsError(.overlappingTensors(previous.name, next.name))
        }
    }

    private static func nonNegativeInteger(_ value: Any) -> Int? {
        guard let integer = value as? Int, integer >= 0 else { return nil }
        return integer
    }

    /// A word for a JSON value's kind, for error messages.
    private static func kind(of value: Any) -> String {
        switch value {
        case is String: "a string"
        case is [Any]: "an array"
        case is [String: Any]: "an object"
        case is NSNull: "null"
        default: "the value \(value)"
        }
    }

    // MARK: Writing

    /// The JSON header for tensors laid out as given, padded with spaces so that the data starts
    /// at a multiple of 8 bytes (as the reference implementation does). Keys appear in the order
    /// given, `__metadata__` first and omitted when empty, so the bytes are deterministic.
    static func encode(_ entries: [(name: String, dtype: SafeTensorsDType, shape: [Int], begin: Int, end: Int)],
                       metadata: [String: String]) -> Data {
        var parts: [String] = []
        if !metadata.isEmpty {
            let pairs = metadata.keys.sorted().map { "\(jsonString($0)):\(jsonString(metadata[$0]!))" }
            parts.append("\"__metadata__\":{\(pairs.joined(separator: ","))}")
        }
        for entry in entries {
            let shape = entry.shape.map(String.init).joined(separator: ",")
            parts.append("\(jsonString(entry.name)):{\"dtype\":\"\(entry.dtype.rawValue)\",\"shape\":[\(shape)],"
                         + "\"data_offsets\":[\(entry.begin),\(entry.end)]}")
        }
        var json = Data("{\(parts.joined(separator: ","))}".utf8)
        let padding = (8 - json.count % 8) % 8
        json.append(contentsOf: repeatElement(UInt8(ascii: " "), count: padding))
        return json
    }

    /// `string` as a JSON string literal.
    static func jsonString(_ string: String) -> String {
        var result = "\""
        for scalar in string.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                result += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result + "\""
    }
}
