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
    public var count: Int { shape.reduce(1, *) }

    /// Reads an IDX file, plain or gzip-compressed.
    ///
    /// - Throws: ``DataError`` naming the file and the byte offset (in the decompressed data) of
    ///   a bad header or missing data.
    public init(contentsOf url: URL) throws {
        let (bytes, wasCompressed) = try Files.readDecompressing(url)
        do {
            try self.init(bytes: bytes)
        } catch let error as DataError {
            var error = error.inFile(url.path)
            if wasCompressed { error.message += " (offsets count bytes after decompression)" }
            throw error
        }
    }

    /// Decodes the bytes of an (uncompressed) IDX file.
    public init(bytes: [UInt8]) throws {
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
        let headerSize = 4 + 4 * rank
        guard bytes.count >= headerSize else {
            throw DataError(.truncated, offset: bytes.count,
                            "IDX: the header declares \(rank) dimensions (\(headerSize) bytes), but the file has only \(bytes.count) bytes")
        }
        var shape: [Int] = []
        var count = 1
        for axis in 0..<rank {
            let size = (0..<4).reduce(0) { $0 << 8 | Int(bytes[4 + 4 * axis + $1]) }
            shape.append(size)
            let (product, overflow) = count.multipliedReportingOverflow(by: size)
            guard !overflow else { throw DataError(.corrupt, offset: 4, "IDX: dimensions \(shape)… are too large") }
            count = product
        }
        let expected = headerSize + count * elementType.byteCount
        guard bytes.count >= expected else {
            throw DataError(.truncated, offset: bytes.count,
                            "IDX: shape \(shape) of \(elementType) needs \(expected) bytes, but the file has only \(bytes.count)")
        }
        guard bytes.count == expected else {
            throw DataError(.corrupt, offset: expected,
                            "IDX: \(bytes.count - expected) unexpected bytes after the \(count) elements of shape \(shape)")
        }
        self.elementType = elementType
        self.shape = shape
        self.bytes = bytes
        self.payloadOffset = headerSize
    }

    /// The elements as a tensor of `shape`, values unchanged.
    ///
    /// - Parameter dtype: the dtype to convert to; by default ``ElementType/naturalDType``
    ///   (integers as `.int32`, floats as themselves), which loses nothing.
    public func tensor(dtype: DType? = nil) -> Tensor {
        let dtype = dtype ?? elementType.naturalDType
        var tensor = Tensor.zeros(shape, dtype: dtype)
        switch dtype {
        case .float32: tensor.withUnsafeMutableBufferPointer(as: Float.self) { decode(into: $0) }
        case .float64: tensor.withUnsafeMutableBufferPointer(as: Double.self) { decode(into: $0) }
        case .int32: tensor.withUnsafeMutableBufferPointer(as: Int32.self) { decode(into: $0) }
        case .int64: tensor.withUnsafeMutableBufferPointer(as: Int64.self) { decode(into: $0) }
        case .uint8: tensor.withUnsafeMutableBufferPointer(as: UInt8.self) { decode(into: $0) }
        }
        return tensor
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
