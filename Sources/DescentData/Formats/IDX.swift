import Foundation

/// An array read from an IDX file, the format of MNIST and Fashion-MNIST.
///
/// An IDX file is a 4-byte magic number (two zero bytes, an element-type code, the number of
/// dimensions), the size of each dimension as a big-endian 32-bit integer, then the elements,
/// big-endian, row-major. Files may be gzip-compressed, as they are usually distributed; they are
/// recognised by their first bytes, not by their name.
///
/// The reader keeps the raw values: ``tensor(dtype:)`` converts them without scaling (MNIST's
/// pixels stay 0...255; scaling them to [0, 1] is the job of ``Dataset/mnist(_:directory:)``).
public struct IDXArray: Sendable {
    /// The element types IDX defines, by their type code.
    public enum ElementType: UInt8, Sendable, CaseIterable {
        case uint8 = 0x08, int8 = 0x09, int16 = 0x0B, int32 = 0x0C, float32 = 0x0D, float64 = 0x0E

        /// Bytes per element.
        public var byteCount: Int {
            switch self {
            case .uint8, .int8: 1
            case .int16: 2
            case .int32, .float32: 4
            case .float64: 8
            }
        }

        /// The tensor dtype that holds every value of this type exactly.
        public var naturalDType: DType {
            switch self {
            case .uint8, .int8, .int16, .int32: .int32
            case .float32: .float32
            case .float64: .float64
            }
        }
    }

    /// The type of the stored elements.
    public let elementType: ElementType
    /// The size of each dimension.
    public let shape: [Int]
    /// The whole (decompressed) file; the elements start at `payloadOffset`.
    private let bytes: [UInt8]
    private let payloadOffset: Int

    /// The number of elements.
    public let count: Int

    /// Reads an IDX file, plain or gzip-compressed.
    ///
    /// A compressed file is decompressed only as far as its header declares: the header is
    /// decompressed and checked first, then exactly the bytes it declares, so that a small file
    /// cannot fill the memory (a gzip bomb is refused having decompressed little).
    ///
    /// - Throws: ``DataError`` naming the file and the byte offset (in the decompressed data) of
    ///   a bad header or missing data.
    public init(contentsOf url: URL) throws {
        let bytes = try Files.read(url)
        do {
            try self.init(fileBytes: bytes)
        } catch let error as DataError {
            throw error.inFile(url.path)
        }
    }

    /// Decodes the bytes of an IDX file, plain or gzip-compressed (see ``init(contentsOf:)``).
    package init(fileBytes: [UInt8]) throws {
        guard Gzip.isCompressed(fileBytes) else {
            try self.init(bytes: fileBytes)
            return
        }
        let decompressed = try Self.decompress(fileBytes)
        self = try Self.inDecompressedBytes { try IDXArray(bytes: decompressed) }
    }

    /// Runs `body`, saying in its errors that their offsets are in the decompressed bytes.
    private static func inDecompressedBytes<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch var error as DataError {
            error.message += " (offsets count bytes after decompression)"
            throw error
        }
    }

    /// The decompressed bytes of a gzip-compressed IDX file: first its header, checked, then the
    /// bytes that header declares and not one more (one more is an error).
    private static func decompress(_ compressed: [UInt8]) throws -> [UInt8] {
        let start = try Gzip.prefix(4, of: compressed)
        let whole = start.count < 4 ? start : try Gzip.prefix(Header.byteCount(rank: start[3]), of: compressed)
        let header = try inDecompressedBytes { try Header(whole) }
        // DEFLATE writes at most 258 bytes for each 2 bits it reads (1032 per byte): a header
        // declaring more than that cannot be true.
        let (possible, overflow) = compressed.count.multipliedReportingOverflow(by: 1032)
        let most = overflow ? Gzip.maximumByteCount : min(possible, Gzip.maximumByteCount)
        guard header.fileByteCount <= most else {
            throw DataError(.unsupported, offset: 4, """
                IDX: the header declares shape \(header.shape) of \(header.elementType), \
                \(header.fileByteCount) bytes, but \(compressed.count) bytes of gzip data \
                decompress to at most \(most) \
                \(most == Gzip.maximumByteCount ? "(the most Descent decompresses)" : "(DEFLATE's best ratio is 1032:1)")
                """)
        }
        do {
            return try compressed.withUnsafeBytes { try Gzip.decompress($0, limit: header.fileByteCount) }
        } catch is Gzip.SizeLimitExceeded {
            throw DataError(.corrupt, offset: header.fileByteCount, """
                IDX: the header declares shape \(header.shape) of \(header.elementType), \
                \(header.fileByteCount) bytes in all, but the gzip data decompresses to more
                """)
        }
    }

    /// Decodes the bytes of an (uncompressed) IDX file.
    public init(bytes: [UInt8]) throws {
        let header = try Header(bytes)
        guard bytes.count >= header.fileByteCount else {
            throw DataError(.truncated, offset: bytes.count,
                            "IDX: shape \(header.shape) of \(header.elementType) needs \(header.fileByteCount) bytes, but the file has only \(bytes.count)")
        }
        guard bytes.count == header.fileByteCount else {
            throw DataError(.corrupt, offset: header.fileByteCount,
                            "IDX: \(bytes.count - header.fileByteCount) unexpected bytes after the \(header.count) elements of shape \(header.shape)")
        }
        self.elementType = header.elementType
        self.shape = header.shape
        self.count = header.count
        self.bytes = bytes
        self.payloadOffset = header.byteCount
    }

    /// An IDX header: magic number, element type and dimensions.
    private struct Header {
        var elementType: ElementType
        var shape: [Int]
        /// The number of elements.
        var count: Int
        /// The header's own size: 4 bytes, and 4 for each dimension.
        var byteCount: Int
        /// The size of the whole file the header declares.
        var fileByteCount: Int

        static func byteCount(rank: UInt8) -> Int { 4 + 4 * Int(rank) }

        /// Reads the header at the start of `bytes` (which may hold only the header).
        init(_ bytes: [UInt8]) throws {
            guard bytes.count >= 4 else {
                throw DataError(.truncated, offset: bytes.count, "IDX: the file ends inside the 4-byte magic number (\(bytes.count) bytes)")
            }
            guard bytes[0] == 0, bytes[1] == 0 else {
                throw DataError(.corrupt, offset: 0,
                                "not an IDX file: expected a magic number starting with two zero bytes, found \(bytes[0]) \(bytes[1])")
            }
            guard let elementType = ElementType(rawValue: bytes[2]) else {
                let known = ElementType.allCases.map { "0x" + String($0.rawValue, radix: 16, uppercase: true) }
                throw DataError(.unsupported, offset: 2,
                                "IDX: unknown element type code 0x\(String(bytes[2], radix: 16, uppercase: true)); expected one of \(known.joined(separator: ", "))")
            }
            let rank = Int(bytes[3])
            let headerSize = Self.byteCount(rank: bytes[3])
            guard bytes.count >= headerSize else {
                throw DataError(.truncated, offset: bytes.count,
                                "IDX: the header declares \(rank) dimensions (\(headerSize) bytes), but the file has only \(bytes.count) bytes")
            }
            let shape = (0..<rank).map { axis in (0..<4).reduce(0) { $0 << 8 | Int(bytes[4 + 4 * axis + $1]) } }
            // Up to 255 sizes below 2^32 each: the product can overflow even 64 bits. So can the
            // product of the other sizes when one is 0 (an empty array, which a tensor's shape
            // arithmetic would still multiply out): that is refused too.
            var nonzeroCount = 1, overflow = false
            for size in shape {
                let product = nonzeroCount.multipliedReportingOverflow(by: max(size, 1))
                (nonzeroCount, overflow) = (product.partialValue, overflow || product.overflow)
            }
            let count = shape.contains(0) ? 0 : nonzeroCount
            let (total, totalOverflow) = count.multipliedReportingOverflow(by: elementType.byteCount)
            guard !overflow, !totalOverflow, total <= Int.max - headerSize else {
                throw DataError(.corrupt, offset: 4, "IDX: dimensions \(shape) are too large: their product overflows 64 bits")
            }
            self.elementType = elementType
            self.shape = shape
            self.count = count
            self.byteCount = headerSize
            fileByteCount = headerSize + total
        }
    }

    /// The elements as a tensor of `shape`, values unchanged.
    ///
    /// - Parameter dtype: the dtype to convert to; by default ``ElementType/naturalDType``
    ///   (integers as `.int32`, floats as themselves), which loses nothing.
    public func tensor(dtype: DType? = nil) -> Tensor {
        // Decoded straight into the tensor's new buffer: every element is written once.
        switch dtype ?? elementType.naturalDType {
        case .float32: Tensor(shape: shape, as: Float.self) { decode(into: $0) }
        case .float64: Tensor(shape: shape, as: Double.self) { decode(into: $0) }
        case .int32: Tensor(shape: shape, as: Int32.self) { decode(into: $0) }
        case .int64: Tensor(shape: shape, as: Int64.self) { decode(into: $0) }
        case .uint8: Tensor(shape: shape, as: UInt8.self) { decode(into: $0) }
        }
    }

    /// Converts the big-endian elements into `output`. Bytes (MNIST's case) take a direct path.
    private func decode<T: TensorScalar>(into output: UnsafeMutableBufferPointer<T>) {
        let count = output.count
        guard count > 0, let target = output.baseAddress else { return }
        bytes.withUnsafeBytes { raw in
            let payload = raw.baseAddress! + payloadOffset
            func each(_ value: (Int) -> Double) {
                for i in 0..<count { output[i] = T(fromDouble: value(i)) }
            }
            switch elementType {
            case .uint8:
                let source = payload.assumingMemoryBound(to: UInt8.self)
                if T.dtype == .float32 {
                    let floats = UnsafeMutableRawPointer(target).assumingMemoryBound(to: Float.self)
                    for i in 0..<count { floats[i] = Float(source[i]) }
                } else {
                    each { Double(source[$0]) }
                }
            case .int8: each { Double(Int8(bitPattern: payload.load(fromByteOffset: $0, as: UInt8.self))) }
            case .int16: each { Double(Int16(bigEndian: payload.loadUnaligned(fromByteOffset: 2 * $0, as: Int16.self))) }
            case .int32: each { Double(Int32(bigEndian: payload.loadUnaligned(fromByteOffset: 4 * $0, as: Int32.self))) }
            case .float32:
                each { Double(Float(bitPattern: UInt32(bigEndian: payload.loadUnaligned(fromByteOffset: 4 * $0, as: UInt32.self)))) }
            case .float64:
                each { Double(bitPattern: UInt64(bigEndian: payload.loadUnaligned(fromByteOffset: 8 * $0, as: UInt64.self))) }
            }
        }
    }
}
