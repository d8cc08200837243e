/// Converting between a safetensors file's little-endian element bytes and tensors.
enum SafeTensorsValues {
    /// The tensor that `entry` describes, from its `bytes` (exactly `entry`'s data range).
    ///
    /// F32, F64 and I32 load as they are; F16 and BF16 widen exactly to float32; the integer
    /// types become int32 (I64, U64 and U32 values outside Int32's range are an error).
    static func tensor(for entry: SafeTensorsHeader.Entry, from bytes: UnsafeRawBufferPointer) throws -> Tensor {
        let count = entry.elementCount
        switch entry.dtype {
        case .float32: return copied(Float.self, bits: UInt32.self, count: count, shape: entry.shape, from: bytes)
        case .float64: return copied(Double.self, bits: UInt64.self, count: count, shape: entry.shape, from: bytes)
        case .int32: return copied(Int32.self, bits: UInt32.self, count: count, shape: entry.shape, from: bytes)
        case .float16:
            return converted(UInt16.self, count: count, shape: entry.shape, from: bytes) { Self.float(fromHalf: $0) }
        case .bfloat16:
            // bfloat16 is the top half of a float32.
            return converted(UInt16.self, count: count, shape: entry.shape, from: bytes) {
                Float(bitPattern: UInt32($0) << 16)
            }
        case .int64: return try integers(Int64.self, entry, from: bytes)
        case .uint64: return try integers(UInt64.self, entry, from: bytes)
        case .uint32: return try integers(UInt32.self, entry, from: bytes)
        case .int16: return try integers(Int16.self, entry, from: bytes)
        case .uint16: return try integers(UInt16.self, entry, from: bytes)
        case .int8: return try integers(Int8.self, entry, from: bytes)
        case .uint8, .bool: return try integers(UInt8.self, entry, from: bytes)
        case .float8E5M2, .float8E4M3, .complex64, nil:
            throw SafeTensorsError(.unsupportedDType(tensor: entry.name, dtype: entry.dtypeName))
        }
    }

    /// Writes `tensor`'s elements, little-endian, to the start of `destination`.
    static func write(_ tensor: Tensor, to destination: UnsafeMutableRawBufferPointer) {
        switch tensor.dtype {
        case .float32: tensor.withUnsafeBufferPointer(as: Float.self) { store($0, bits: \.bitPattern, to: destination) }
        case .float64: tensor.withUnsafeBufferPointer(as: Double.self) { store($0, bits: \.bitPattern, to: destination) }
        case .int32: tensor.withUnsafeBufferPointer(as: Int32.self) { store($0, bits: { UInt32(bitPattern: $0) }, to: destination) }
        case .int64: tensor.withUnsafeBufferPointer(as: Int64.self) { store($0, bits: { UInt64(bitPattern: $0) }, to: destination) }
        case .uint8: tensor.withUnsafeBufferPointer(as: UInt8.self) { store($0, bits: { $0 }, to: destination) }
        }
    }

    // MARK: Reading

    /// A tensor whose storage is filled by `fill`.
    private static func makeTensor<T: TensorScalar>(_ type: T.Type, count: Int, shape: [Int],
                                                   _ fill: (UnsafeMutablePointer<T>) throws -> Void) rethrows -> Tensor {
        let storage = TensorStorage(uninitializedCount: count, dtype: T.dtype, device: .cpu)
        try fill(storage.typed(T.self))
        return Tensor(shape: shape, storage: storage)
    }

    /// Elements stored exactly as Descent stores them: a plain copy on little-endian machines.
    private static func copied<T: TensorScalar, Bits: FixedWidthInteger>(
        _ type: T.Type, bits: Bits.Type, count: Int, shape: [Int], from bytes: UnsafeRawBufferPointer
    ) -> Tensor {
        makeTensor(T.self, count: count, shape: shape) { elements in
            guard count > 0 else { return }
            UnsafeMutableRawPointer(elements).copyMemory(from: bytes.baseAddress!, byteCount: count * MemoryLayout<T>.size)
            #if _endian(big)
            elements.withMemoryRebound(to: Bits.self, capacity: count) { swapped in
                for index in 0..<count { swapped[index] = Bits(littleEndian: swapped[index]) }
            }
            #endif
        }
    }

    /// Float elements read from another storage format, `Bits` wide.
    private static func converted<Bits: FixedWidthInteger>(
        _ bits: Bits.Type, count: Int, shape: [Int], from bytes: UnsafeRawBufferPointer, _ convert: (Bits) -> Float
    ) -> Tensor {
        makeTensor(Float.self, count: count, shape: shape) { elements in
            for index in 0..<count { elements[index] = convert(load(Bits.self, at: index, from: bytes)) }
        }
    }

    /// Integer elements read into int32, checking that each one fits.
    private static func integers<Stored: FixedWidthInteger>(
        _ stored: Stored.Type, _ entry: SafeTensorsHeader.Entry, from bytes: UnsafeRawBufferPointer
    ) throws -> Tensor {
        try makeTensor(Int32.self, count: entry.elementCount, shape: entry.shape) { elements in
            for index in 0..<entry.elementCount {
                let value = load(Stored.self, at: index, from: bytes)
                guard let narrowed = Int32(exactly: value) else {
                    throw SafeTensorsError(.valueOutOfRange(tensor: entry.name, dtype: entry.dtypeName,
                                                            index: index, value: "\(value)"))
                }
                elements[index] = narrowed
            }
        }
    }

    /// The `index`th little-endian `Stored` in `bytes`, which need not be aligned (a file's
    /// tensors start wherever the previous one ended).
    @inline(__always)
    private static func load<Stored: FixedWidthInteger>(_ type: Stored.Type, at index: Int,
                                                       from bytes: UnsafeRawBufferPointer) -> Stored {
        Stored(littleEndian: bytes.loadUnaligned(fromByteOffset: index * MemoryLayout<Stored>.size, as: Stored.self))
    }

    /// An IEEE half-precision value widened exactly to a Float. (Swift's `Float16` is not
    /// available on every platform Descent builds on, so the bits are decoded by hand.)
    static func float(fromHalf bits: UInt16) -> Float {
        let sign = UInt32(bits & 0x8000) << 16
        let exponent = Int(bits >> 10) & 0x1F
        let mantissa = UInt32(bits & 0x03FF)
        switch exponent {
        case 0:  // zero or subnormal: mantissa × 2⁻²⁴
            let magnitude = Float(mantissa) * 0x1p-24
            return sign == 0 ? magnitude : -magnitude
        case 0x1F:  // infinity or NaN
            return Float(bitPattern: sign | 0x7F80_0000 | (mantissa << 13))
        default:  // normal: rebias the exponent from 15 to 127
            return Float(bitPattern: sign | UInt32(exponent - 15 + 127) << 23 | (mantissa << 13))
        }
    }

    // MARK: Writing

    private static func store<T, Bits: FixedWidthInteger>(
        _ elements: UnsafeBufferPointer<T>, bits: (T) -> Bits, to destination: UnsafeMutableRawBufferPointer
    ) {
        guard !elements.isEmpty else { return }
        #if _endian(little)
        destination.baseAddress!.copyMemory(from: elements.baseAddress!, byteCount: elements.count * MemoryLayout<T>.size)
        #else
        for (index, element) in elements.enumerated() {
            destination.storeBytes(of: bits(element).littleEndian, toByteOffset: index * MemoryLayout<Bits>.size, as: Bits.self)
        }
        #endif
    }
}
