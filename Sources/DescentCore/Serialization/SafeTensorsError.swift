/// A safetensors file that could not be read or written: what was expected, what was found, and
/// where (the file, and the tensor or header field).
public struct SafeTensorsError: Error, CustomStringConvertible, Sendable, Equatable {
    /// What went wrong.
    public enum Reason: Sendable, Equatable {
        /// The file is shorter than the 8 bytes that hold the header's length.
        case fileTooShort(byteCount: Int)
        /// The header claims to be longer than the 100 MB limit (the reference implementation's),
        /// which no real file needs: the file is corrupt or not a safetensors file.
        case headerTooLarge(byteCount: UInt64)
        /// The header claims to be longer than the rest of the file.
        case headerBeyondEndOfFile(headerByteCount: UInt64, fileByteCount: Int)
        /// The header is not UTF-8 JSON text holding an object.
        case invalidHeader(String)
        /// A tensor's header entry lacks a field or has one of the wrong kind.
        case invalidTensorEntry(tensor: String, problem: String)
        /// `__metadata__` is not an object of strings.
        case invalidMetadata(String)
        /// The tensor's dtype is not one Descent can read (or not a safetensors dtype at all).
        case unsupportedDType(tensor: String, dtype: String)
        /// The tensor's `data_offsets` point outside the data that follows the header.
        case offsetsOutOfRange(tensor: String, begin: Int, end: Int, dataByteCount: Int)
        /// The tensor's `data_offsets` span a different number of bytes than its shape and dtype need.
        case sizeMismatch(tensor: String, dtype: String, shape: [Int], expectedByteCount: Int, actualByteCount: Int)
        /// Two tensors' bytes overlap.
        case overlappingTensors(String, String)
        /// A value does not fit the dtype Descent converts it to (e.g. an I64 beyond Int32's range).
        case valueOutOfRange(tensor: String, dtype: String, index: Int, value: String)
        /// A tensor is named `__metadata__`, the name the format reserves for metadata.
        case reservedTensorName(String)
    }

    /// What went wrong.
    public var reason: Reason
    /// The file involved, when there is one.
    public var path: String?

    /// Creates an error; `path` names the file when there is one.
    public init(_ reason: Reason, path: String? = nil) {
        self.reason = reason
        self.path = path
    }

    public var description: String {
        let place = path.map { "safetensors file '\($0)'" } ?? "safetensors data"
        return "\(place): \(reasonDescription)"
    }

    private var reasonDescription: String {
        switch reason {
        case .fileTooShort(let byteCount):
            "expected at least 8 bytes (the header length), found \(byteCount)"
        case .headerTooLarge(let byteCount):
            "header length \(byteCount) bytes exceeds the 100 MB limit; the file is corrupt or not safetensors"
        case .headerBeyondEndOfFile(let headerByteCount, let fileByteCount):
            "header length \(headerByteCount) bytes runs past the end of the \(fileByteCount)-byte file (truncated?)"
        case .invalidHeader(let problem):
            "invalid header at byte 8: \(problem)"
        case .invalidTensorEntry(let tensor, let problem):
            "tensor '\(tensor)': \(problem)"
        case .invalidMetadata(let problem):
            "__metadata__: \(problem)"
        case .unsupportedDType(let tensor, let dtype):
            "tensor '\(tensor)': dtype '\(dtype)' is not supported (Descent reads F32, F64, F16, BF16, I64, I32, "
                + "U32, I16, U16, I8, U8, BOOL)"
        case .offsetsOutOfRange(let tensor, let begin, let end, let dataByteCount):
            "tensor '\(tensor)': data_offsets [\(begin), \(end)] lie outside the \(dataByteCount) data bytes "
                + "after the header (truncated?)"
        case .sizeMismatch(let tensor, let dtype, let shape, let expected, let actual):
            "tensor '\(tensor)': shape \(shape) of \(dtype) needs \(expected) bytes, data_offsets span \(actual)"
        case .overlappingTensors(let first, let second):
            "tensors '\(first)' and '\(second)' have overlapping data_offsets"
        case .valueOutOfRange(let tensor, let dtype, let index, let value):
            "tensor '\(tensor)': \(dtype) value \(value) at element \(index) does not fit in int32"
        case .reservedTensorName(let name):
            "a tensor cannot be named '\(name)': the format reserves that name for metadata"
        }
    }
}
