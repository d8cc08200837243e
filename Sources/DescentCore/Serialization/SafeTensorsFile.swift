import Foundation

/// Named tensors in the safetensors format — the weight files of PyTorch, Hugging Face and
/// Descent's own model folders.
///
/// ```swift
/// let file = SafeTensorsFile(tensors: ["0.weight": weight, "0.bias": bias], metadata: ["format": "pt"])
/// try file.write(to: url)                      // atomic
/// let loaded = try SafeTensorsFile(contentsOf: url)
/// ```
///
/// Reading accepts F32, F64 and I32 as they are; F16 and BF16 become float32 (exactly); I64,
/// U64, U32, I16, U16, I8, U8 and BOOL become int32, with an error for a value that does not fit.
/// Every malformed file — truncated, a corrupt header, offsets out of range or overlapping, a size
/// that does not match the shape — is a ``SafeTensorsError``, never a crash.
///
/// Writing is deterministic: tensors in name order, packed one after another, the JSON header
/// padded with spaces so that the data starts at a multiple of 8 bytes. PyTorch reads the result
/// with `safetensors.torch.load_file`.
public struct SafeTensorsFile: Sendable {
    /// The tensors by name (for a PyTorch `nn.Sequential`, names like `0.weight`).
    public var tensors: [String: Tensor]
    /// The file's free-form `__metadata__` (PyTorch writes `{"format": "pt"}`).
    public var metadata: [String: String]

    /// Tensors and metadata to write.
    public init(tensors: [String: Tensor] = [:], metadata: [String: String] = [:]) {
        self.tensors = tensors
        self.metadata = metadata
    }

    /// Reads the file at `url`.
    ///
    /// - Throws: ``FileError`` if the file cannot be read; ``SafeTensorsError`` (naming the file)
    ///   if its contents are not a valid safetensors file Descent can load.
    public init(contentsOf url: URL) throws {
        try FileError.checkNotAFolder(url)
        let data: Data
        do {
            // Read, not mapped: a mapped file truncated by another process would crash the reader.
            data = try Data(contentsOf: url)
        } catch {
            throw FileError(.read, path: url.path, reason: FileError.reason(for: error))
        }
        do {
            self = try Self.read(from: data)
        } catch var error as SafeTensorsError {
            error.path = url.path
            throw error
        }
    }

    /// Reads a safetensors file's bytes.
    ///
    /// - Throws: ``SafeTensorsError`` if `data` is not a valid safetensors file Descent can load.
    public static func read(from data: Data) throws -> SafeTensorsFile {
        try data.withUnsafeBytes { bytes in
            let headerByteCount = try SafeTensorsHeader.headerByteCount(prefix: bytes, fileByteCount: bytes.count)
            let values = UnsafeRawBufferPointer(rebasing: bytes[(8 + headerByteCount)...])
            let header = try SafeTensorsHeader(json: UnsafeRawBufferPointer(rebasing: bytes[8..<(8 + headerByteCount)]),
                                               dataByteCount: values.count)
            var tensors: [String: Tensor] = [:]
            for entry in header.entries {
                let range = UnsafeRawBufferPointer(rebasing: values[entry.begin..<entry.end])
                tensors[entry.name] = try SafeTensorsValues.tensor(for: entry, from: range)
            }
            return SafeTensorsFile(tensors: tensors, metadata: header.metadata)
        }
    }

    /// The file's bytes.
    ///
    /// - Throws: ``SafeTensorsError/Reason/reservedTensorName(_:)`` if a tensor is named
    ///   `__metadata__`.
    public func serialized() throws -> Data {
        if tensors["__metadata__"] != nil {
            throw SafeTensorsError(.reservedTensorName("__metadata__"))
        }
        let names = tensors.keys.sorted()
        var layout: [(name: String, dtype: SafeTensorsDType, shape: [Int], begin: Int, end: Int)] = []
        var offset = 0
        for name in names {
            let tensor = tensors[name]!
            let end = offset + tensor.scalarCount * tensor.dtype.byteCount
            layout.append((name, SafeTensorsDType(tensor.dtype), tensor.shape, offset, end))
            offset = end
        }
        let header = SafeTensorsHeader.encode(layout, metadata: metadata)

        var data = Data(count: 8 + header.count + offset)
        data.withUnsafeMutableBytes { bytes in
            bytes.storeBytes(of: UInt64(header.count).littleEndian, as: UInt64.self)
            header.withUnsafeBytes { UnsafeMutableRawBufferPointer(rebasing: bytes[8...]).copyMemory(from: $0) }
            let values = UnsafeMutableRawBufferPointer(rebasing: bytes[(8 + header.count)...])
            for entry in layout {
                SafeTensorsValues.write(tensors[entry.name]!.to(.cpu), to: UnsafeMutableRawBufferPointer(rebasing: values[entry.begin..<entry.end]))
            }
        }
        return data
    }

    /// Writes the file to `url` atomically (see ``AtomicFile/write(_:to:)``): a failure leaves
    /// any existing file at `url` untouched. The folder must exist.
    ///
    /// - Throws: ``SafeTensorsError`` for a tensor named `__metadata__`; ``FileError`` if the
    ///   file cannot be written.
    public func write(to url: URL) throws {
        try AtomicFile.write(serialized(), to: url)
    }
}
