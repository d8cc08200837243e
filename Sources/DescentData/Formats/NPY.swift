import Foundation

/// NumPy's `.npy` array files (format versions 1.0, 2.0 and 3.0), read and written.
///
/// Reading accepts C-order (row-major) arrays of these dtypes and gives a tensor of the same shape:
///
/// | `.npy` dtype | tensor dtype | note |
/// | --- | --- | --- |
/// | `<f4` | `.float32` | |
/// | `<f8` | `.float64` | |
/// | `<i4` | `.int32` | |
/// | `<i8`, `<u4`, `<u8` | `.int32` | every value must fit in Int32, else an error |
/// | `|u1`, `|i1`, `<i2`, `<u2`, `|b1` | `.int32` | values unchanged (bytes stay 0...255: scale them yourself) |
///
/// Little-endian (`<`), native (`=`) and byte (`|`) orders are read; big-endian data
/// (`>`) and Fortran-order arrays are refused with an error that says how to convert them in
/// NumPy. Writing produces exactly the bytes `numpy.save` produces for the same array (version
/// 1.0 header, `<f4`, `<f8` or `<i4`), atomically.
public enum NPY {
    /// Reads a `.npy` file.
    public static func read(contentsOf url: URL) throws -> Tensor {
        do {
            return try decode(Files.read(url))
        } catch let error as DataError {
            throw error.inFile(url.path)
        }
    }

    /// Writes `tensor` to a `.npy` file atomically (a temporary file, then renamed into place).
    public static func write(_ tensor: Tensor, to url: URL) throws {
        try Files.writeAtomically(encode(tensor), to: url)
    }

    /// The bytes of a `.npy` file holding `tensor`.
    public static func encode(_ tensor: Tensor) -> [UInt8] {
        let descr = switch tensor.dtype {
        case .float32: "<f4"
        case .float64: "<f8"
        case .int32: "<i4"
        case .int64: "<i8"
        case .uint8: "|u1"
        }
        let shape = tensor.shape
        let shapeText = shape.count == 1 ? "(\(shape[0]),)" : "(" + shape.map(String.init).joined(separator: ", ") + ")"
        var header = "{'descr': '\(descr)', 'fortran_order': False, 'shape': \(shapeText), }"
        // Like NumPy: room for the first axis to grow to 21 digits in place, then spaces and a
        // newline up to a multiple of 64 bytes so that the data is aligned.
        if let first = shape.first { header += String(repeating: " ", count: max(0, 21 - String(first).count)) }
        var prefixSize = 10
        var padding = (64 - (prefixSize + header.utf8.count + 1) % 64) % 64
        if header.utf8.count + padding + 1 > Int(UInt16.max) {
            prefixSize = 12   // version 2.0: a 4-byte header length
            padding = (64 - (prefixSize + header.utf8.count + 1) % 64) % 64
        }
        header += String(repeating: " ", count: padding) + "\n"
        let headerLength = header.utf8.count

        var bytes: [UInt8] = [0x93] + Array("NUMPY".utf8)
        if prefixSize == 10 {
            bytes += [1, 0, UInt8(headerLength & 0xFF), UInt8(headerLength >> 8)]
        } else {
            bytes += [2, 0] + (0..<4).map { UInt8((headerLength >> (8 * $0)) & 0xFF) }
        }
        bytes += Array(header.utf8)
        let byteCount = tensor.scalarCount * tensor.dtype.byteCount
        bytes.reserveCapacity(bytes.count + byteCount)
        // Descent's platforms are little-endian, as the descr says.
        let host = tensor.to(.cpu)
        switch tensor.dtype {
        case .float32: host.withUnsafeBufferPointer(as: Float.self) { bytes += UnsafeRawBufferPointer($0) }
        case .float64: host.withUnsafeBufferPointer(as: Double.self) { bytes += UnsafeRawBufferPointer($0) }
        case .int32: host.withUnsafeBufferPointer(as: Int32.self) { bytes += UnsafeRawBufferPointer($0) }
        case .int64: host.withUnsafeBufferPointer(as: Int64.self) { bytes += UnsafeRawBufferPointer($0) }
        case .uint8: host.withUnsafeBufferPointer(as: UInt8.self) { bytes += UnsafeRawBufferPointer($0) }
        }
        return bytes
    }

    /// Decodes the bytes of a `.npy` file.
    public static func decode(_ bytes: [UInt8]) throws -> Tensor {
        guard bytes.count >= 10 else {
            throw DataError(.truncated, offset: bytes.count, ".npy: the file ends inside the header (\(bytes.count) bytes)")
        }
        guard bytes[0] == 0x93, Array(bytes[1..<6]) == Array("NUMPY".utf8) else {
            throw DataError(.corrupt, offset: 0, "not a .npy file: expected the magic string \\x93NUMPY")
        }
        let major = bytes[6]
        let headerStart: Int, headerLength: Int
        switch major {
        case 1:
            headerStart = 10
            headerLength = Int(bytes[8]) | Int(bytes[9]) << 8
        case 2, 3:
            guard bytes.count >= 12 else { throw DataError(.truncated, offset: bytes.count, ".npy: the file ends inside the header") }
            headerStart = 12
            headerLength = (0..<4).reduce(0) { $0 | Int(bytes[8 + $1]) << (8 * $1) }
        default:
            throw DataError(.unsupported, offset: 6, ".npy: format version \(major).\(bytes[7]); expected 1.0, 2.0 or 3.0")
        }
        let dataStart = headerStart + headerLength
        guard bytes.count >= dataStart else {
            throw DataError(.truncated, offset: bytes.count, ".npy: the header is \(headerLength) bytes, but the file ends before it does")
        }
        var parser = HeaderParser(bytes: bytes, range: headerStart..<dataStart)
        let header = try parser.parseDictionary()
        guard case .string(let descr)? = header["descr"] else {
            if header["descr"] != nil {
                throw DataError(.unsupported, offset: headerStart, ".npy: structured (record) arrays are not supported; save a plain numeric array")
            }
            throw DataError(.corrupt, offset: headerStart, ".npy: the header has no 'descr' (dtype) entry")
        }
        guard case .bool(let fortranOrder)? = header["fortran_order"] else {
            throw DataError(.corrupt, offset: headerStart, ".npy: the header has no 'fortran_order' entry")
        }
        guard case .integers(let shape)? = header["shape"] else {
            throw DataError(.corrupt, offset: headerStart, ".npy: the header has no 'shape' tuple")
        }
        guard !fortranOrder else {
            throw DataError(.unsupported, offset: headerStart,
                            ".npy: the array is in Fortran (column-major) order; Descent reads C order — save numpy.ascontiguousarray(array) instead")
        }
        guard let element = ElementType(descr: descr) else {
            if descr.first == ">" {
                throw DataError(.unsupported, offset: headerStart,
                                ".npy: big-endian dtype '\(descr)'; save array.astype(array.dtype.newbyteorder('<')) instead")
            }
            throw DataError(.unsupported, offset: headerStart,
                            ".npy: dtype '\(descr)'; expected one of <f4, <f8, <i4, <i8, <u4, <u8, <i2, <u2, |i1, |u1, |b1")
        }
        var count = 1
        for size in shape {
            let (product, overflow) = count.multipliedReportingOverflow(by: size)
            guard size >= 0, !overflow else { throw DataError(.corrupt, offset: headerStart, ".npy: invalid shape \(shape)") }
            count = product
        }
        let (needed, overflow) = count.multipliedReportingOverflow(by: element.byteCount)
        guard !overflow else {
            throw DataError(.corrupt, offset: headerStart, ".npy: shape \(shape) of '\(descr)' is too large: its size in bytes overflows 64 bits")
        }
        guard bytes.count - dataStart >= needed else {
            throw DataError(.truncated, offset: bytes.count,
                            ".npy: shape \(shape) of '\(descr)' needs \(needed) bytes of data, but the file has \(bytes.count - dataStart)")
        }
        return try element.tensor(from: bytes, at: dataStart, shape: shape, count: count)
    }

    // MARK: - Element types

    private enum ElementType {
        case float32, float64, int32, int64, uint32, uint64, int16, uint16, int8, uint8, bool

        init?(descr: String) {
            guard descr.count == 3, let order = descr.first else { return nil }
            let code = String(descr.dropFirst())
            let singleByte = ["i1", "u1", "b1"].contains(code)
            guard order == "<" || order == "=" || order == "|" || (order == ">" && singleByte) else { return nil }
            switch code {
            case "f4": self = .float32
            case "f8": self = .float64
            case "i4": self = .int32
            case "i8": self = .int64
            case "u4": self = .uint32
            case "u8": self = .uint64
            case "i2": self = .int16
            case "u2": self = .uint16
            case "i1": self = .int8
            case "u1": self = .uint8
            case "b1": self = .bool
            default: return nil
            }
        }

        var byteCount: Int {
            switch self {
            case .float64, .int64, .uint64: 8
            case .float32, .int32, .uint32: 4
            case .int16, .uint16: 2
            case .int8, .uint8, .bool: 1
            }
        }

        func tensor(from bytes: [UInt8], at start: Int, shape: [Int], count: Int) throws -> Tensor {
            try bytes.withUnsafeBytes { raw -> Tensor in
                let data = UnsafeRawBufferPointer(rebasing: raw[start..<(start + count * byteCount)])
                func copy<T: TensorScalar>(_ type: T.Type) -> Tensor {
                    var tensor = Tensor.zeros(shape, dtype: T.dtype)
                    tensor.withUnsafeMutableBufferPointer(as: T.self) { UnsafeMutableRawBufferPointer($0).copyMemory(from: data) }
                    return tensor
                }
                func integers(_ value: (Int) -> Int64) throws -> Tensor {
                    var values = [Int32](repeating: 0, count: count)
                    for i in 0..<count {
                        let v = value(i)
                        guard let narrow = Int32(exactly: v) else {
                            throw DataError(.invalidArgument, offset: start + i * byteCount,
                                            ".npy: element \(i) is \(v), outside the Int32 range that Descent's integer tensors hold")
                        }
                        values[i] = narrow
                    }
                    return Tensor(shape: shape, scalars: values)
                }
                func load<T: FixedWidthInteger>(_: T.Type, _ i: Int) -> T {
                    T(littleEndian: data.loadUnaligned(fromByteOffset: i * MemoryLayout<T>.size, as: T.self))
                }
                switch self {
                case .float32: return copy(Float.self)
                case .float64: return copy(Double.self)
                case .int32: return copy(Int32.self)
                case .int64: return try integers { load(Int64.self, $0) }
                case .uint64:
                    return try integers { Int64(clamping: load(UInt64.self, $0)) }
                case .uint32: return try integers { Int64(load(UInt32.self, $0)) }
                case .int16: return try integers { Int64(load(Int16.self, $0)) }
                case .uint16: return try integers { Int64(load(UInt16.self, $0)) }
                case .int8: return try integers { Int64(Int8(bitPattern: data[$0])) }
                case .uint8, .bool: return try integers { Int64(data[$0]) }
                }
            }
        }
    }

    // MARK: - The header: a Python dictionary literal

    private enum HeaderValue {
        case string(String), bool(Bool), integers([Int]), other
    }

    /// Parses the small subset of Python literals that `.npy` headers use: a dictionary with
    /// string keys whose values are strings, booleans, tuples of integers, or (for structured
    /// dtypes, which are refused later) lists.
    private struct HeaderParser {
        let bytes: [UInt8]
        let range: Range<Int>
        var index: Int

        init(bytes: [UInt8], range: Range<Int>) {
            self.bytes = bytes
            self.range = range
            self.index = range.lowerBound
        }

        func error(_ expected: String) -> DataError {
            let found = index < range.upperBound ? "'\(Character(UnicodeScalar(bytes[index])))'" : "the end of the header"
            return DataError(.corrupt, offset: index, ".npy header: expected \(expected), found \(found)")
        }

        mutating func skipSpaces() {
            while index < range.upperBound, [0x20, 0x0A, 0x0D, 0x09].contains(bytes[index]) { index += 1 }
        }

        mutating func expect(_ character: Character) throws {
            skipSpaces()
            guard index < range.upperBound, bytes[index] == character.asciiValue else { throw error("'\(character)'") }
            index += 1
        }

        func peek() -> UInt8? { index < range.upperBound ? bytes[index] : nil }

        mutating func parseDictionary() throws -> [String: HeaderValue] {
            var result: [String: HeaderValue] = [:]
            try expect("{")
            while true {
                skipSpaces()
                if peek() == UInt8(ascii: "}") { index += 1; return result }
                let key = try parseString()
                try expect(":")
                result[key] = try parseValue()
                skipSpaces()
                if peek() == UInt8(ascii: ",") { index += 1 } else if peek() != UInt8(ascii: "}") { throw error("',' or '}'") }
            }
        }

        mutating func parseString() throws -> String {
            skipSpaces()
            guard let quote = peek(), quote == UInt8(ascii: "'") || quote == UInt8(ascii: "\"") else { throw error("a quoted string") }
            index += 1
            let start = index
            while let byte = peek(), byte != quote { index += 1 }
            guard peek() == quote else { throw error("a closing quote") }
            index += 1
            return String(decoding: bytes[start..<(index - 1)], as: UTF8.self)
        }

        mutating func parseValue() throws -> HeaderValue {
            skipSpaces()
            switch peek() {
            case UInt8(ascii: "'"), UInt8(ascii: "\""): return .string(try parseString())
            case UInt8(ascii: "("): return .integers(try parseIntegerTuple())
            case UInt8(ascii: "["):
                // A structured dtype's field list: skip it, brackets balanced.
                var depth = 0
                repeat {
                    guard let byte = peek() else { throw error("']'") }
                    if byte == UInt8(ascii: "[") { depth += 1 } else if byte == UInt8(ascii: "]") { depth -= 1 }
                    index += 1
                } while depth > 0
                return .other
            default:
                let word = parseWord()
                switch word {
                case "True": return .bool(true)
                case "False": return .bool(false)
                default: throw error("a value (a string, True, False or a tuple)")
                }
            }
        }

        mutating func parseWord() -> String {
            let start = index
            while let byte = peek(), (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "z")) || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) {
                index += 1
            }
            return String(decoding: bytes[start..<index], as: UTF8.self)
        }

        mutating func parseIntegerTuple() throws -> [Int] {
            try expect("(")
            var values: [Int] = []
            while true {
                skipSpaces()
                if peek() == UInt8(ascii: ")") { index += 1; return values }
                var word = parseWord()
                if word.hasSuffix("L") { word.removeLast() }   // Python 2's long integers
                guard let value = Int(word) else { throw error("an integer") }
                values.append(value)
                skipSpaces()
                if peek() == UInt8(ascii: ",") { index += 1 } else if peek() != UInt8(ascii: ")") { throw error("',' or ')'") }
            }
        }
    }
}
