import Foundation

/// What a safetensors file holds — names, dtypes, shapes, sizes — read from its header alone,
/// without loading the values (for `descent inspect`).
public struct SafeTensorsSummary: Sendable, Equatable, CustomStringConvertible {
    /// One tensor of the file.
    public struct Entry: Sendable, Equatable {
        /// The tensor's name, e.g. `0.weight`.
        public var name: String
        /// The dtype as the file spells it (`F32`, `I64`, …), including ones Descent cannot load.
        public var dtype: String
        /// The tensor's shape; `[]` for a scalar.
        public var shape: [Int]
        /// The number of elements (parameters), the product of `shape`.
        public var parameterCount: Int
        /// The bytes its values take in the file.
        public var byteCount: Int
    }

    /// The tensors, sorted by name.
    public var entries: [Entry]
    /// The file's `__metadata__`.
    public var metadata: [String: String]
    /// The size of the whole file in bytes.
    public var fileByteCount: Int
    /// The total number of elements over all tensors.
    public var parameterCount: Int { entries.reduce(0) { $0 + $1.parameterCount } }

    /// A table: one line per tensor, then the totals.
    public var description: String {
        func padded(_ text: String, _ width: Int) -> String {
            text + String(repeating: " ", count: max(0, width - text.count))
        }
        let shapes = entries.map { "[" + $0.shape.map(String.init).joined(separator: ", ") + "]" }
        let nameWidth = entries.map(\.name.count).reduce(4, max)
        let dtypeWidth = entries.map(\.dtype.count).reduce(5, max)
        let shapeWidth = shapes.map(\.count).reduce(5, max)
        var lines = ["\(padded("name", nameWidth))  \(padded("dtype", dtypeWidth))  \(padded("shape", shapeWidth))  parameters"]
        for (entry, shape) in zip(entries, shapes) {
            lines.append("\(padded(entry.name, nameWidth))  \(padded(entry.dtype, dtypeWidth))  "
                         + "\(padded(shape, shapeWidth))  \(entry.parameterCount)")
        }
        lines.append("\(counted(entries.count, "tensor")), \(counted(parameterCount, "parameter")), \(counted(fileByteCount, "byte"))")
        for key in metadata.keys.sorted() { lines.append("metadata \(key): \(metadata[key]!)") }
        return lines.joined(separator: "\n")
    }
}

extension SafeTensorsFile {
    /// Summarizes the file at `url` from its header, reading only the header's bytes.
    ///
    /// The header is fully validated against the file's size (offsets, overlaps, and sizes for
    /// every dtype the format defines); unknown dtypes are listed rather than rejected.
    ///
    /// - Throws: ``FileError`` if the file cannot be read; ``SafeTensorsError`` (naming the file)
    ///   if its header is invalid.
    public static func inspect(_ url: URL) throws -> SafeTensorsSummary {
        try FileError.checkNotAFolder(url)
        let handle: FileHandle
        do {
            handle = try FileHandle(forReadingFrom: url)
        } catch {
            throw FileError(.read, path: url.path, reason: FileError.reason(for: error))
        }
        defer { try? handle.close() }
        do {
            let fileByteCount = Int(try handle.seekToEnd())
            try handle.seek(toOffset: 0)
            let prefix = try handle.read(upToCount: 8) ?? Data()
            let headerByteCount = try prefix.withUnsafeBytes {
                try SafeTensorsHeader.headerByteCount(prefix: $0, fileByteCount: fileByteCount)
            }
            let json = try handle.read(upToCount: headerByteCount) ?? Data()
            guard json.count == headerByteCount else {
                throw FileError(.read, path: url.path, reason: "the file shrank while being read")
            }
            let header = try json.withUnsafeBytes {
                try SafeTensorsHeader(json: $0, dataByteCount: fileByteCount - 8 - headerByteCount)
            }
            let entries = header.entries.map {
                SafeTensorsSummary.Entry(name: $0.name, dtype: $0.dtypeName, shape: $0.shape,
                                         parameterCount: $0.elementCount, byteCount: $0.end - $0.begin)
            }
            return SafeTensorsSummary(entries: entries, metadata: header.metadata, fileByteCount: fileByteCount)
        } catch var error as SafeTensorsError {
            error.path = url.path
            throw error
        } catch let error as FileError {
            throw error
        } catch {
            throw FileError(.read, path: url.path, reason: FileError.reason(for: error))
        }
    }
}
