import Foundation

/// NumPy's `.npz` archives (`numpy.savez`, `numpy.savez_compressed`): a zip file of `.npy`
/// arrays, read into tensors by name (`x` for the member `x.npy`).
///
/// Members stored as they are or compressed with DEFLATE are read, their CRC-32 checked; zip64
/// archives (NumPy writes them for members over 4 GiB) and encrypted members are refused.
public enum NPZ {
    /// The arrays of the `.npz` file at `url`, by name.
    ///
    /// - Throws: ``DataError``: `.fileNotFound`, `.corrupt` or `.truncated` for a damaged
    ///   archive or member (naming the member), `.unsupported` for zip64, encryption or another
    ///   compression method, and what ``NPY/decode(_:)`` throws for a member that is not an array.
    public static func read(contentsOf url: URL) throws -> [String: Tensor] {
        do {
            return try decode(Files.read(url))
        } catch let error as DataError {
            throw error.inFile(url.path)
        }
    }

    /// The arrays of a `.npz` archive's bytes, by name.
    public static func decode(_ bytes: [UInt8]) throws -> [String: Tensor] {
        let archive = ZipReader(bytes: bytes)
        var arrays: [String: Tensor] = [:]
        for entry in try archive.entries() {
            let name = entry.name.hasSuffix(".npy") ? String(entry.name.dropLast(4)) : entry.name
            do {
                arrays[name] = try NPY.decode(try archive.contents(of: entry))
            } catch let error as DataError {
                var named = error
                named.message = "member '\(entry.name)': \(error.message)"
                throw named
            }
        }
        return arrays
    }
}

/// The members of a zip archive (PKWARE's APPNOTE), found through its central directory.
struct ZipReader {
    struct Entry {
        var name: String
        var method: UInt16
        var flags: UInt16
        var crc: UInt32
        var compressedSize: Int
        var size: Int
        var localHeaderOffset: Int
    }

    let bytes: [UInt8]

    private func integer(_ offset: Int, _ count: Int) throws -> Int {
        guard offset >= 0, offset + count <= bytes.count else {
            throw DataError(.truncated, offset: offset, "the zip archive ends before a \(count)-byte field at byte \(offset)")
        }
        var value = 0
        for index in (0..<count).reversed() { value = value << 8 | Int(bytes[offset + index]) }
        return value
    }

    /// The entries listed in the central directory.
    func entries() throws -> [Entry] {
        // The end-of-central-directory record: 22 bytes plus a comment of up to 65535.
        let lowest = max(0, bytes.count - 22 - 65_535)
        guard let end = stride(from: bytes.count - 22, through: lowest, by: -1).first(where: { offset in
            (try? integer(offset, 4)) == 0x0605_4B50
        }) else {
            throw DataError(.corrupt, "not a zip archive (.npz): no end-of-central-directory record")
        }
        let count = try integer(end + 10, 2)
        let directory = try integer(end + 16, 4)
        if count == 0xFFFF || directory == 0xFFFF_FFFF {
            throw DataError(.unsupported, offset: end, "zip64 archives are not read; save smaller arrays, or as .npy files")
        }
        var entries: [Entry] = []
        var offset = directory
        for _ in 0..<count {
            guard try integer(offset, 4) == 0x0201_4B50 else {
                throw DataError(.corrupt, offset: offset, "expected a central directory entry (PK\\1\\2)")
            }
            let nameLength = try integer(offset + 28, 2), extraLength = try integer(offset + 30, 2)
            let commentLength = try integer(offset + 32, 2)
            guard offset + 46 + nameLength <= bytes.count else {
                throw DataError(.truncated, offset: offset, "the zip archive ends inside a member's name")
            }
            let entry = Entry(
                name: String(decoding: bytes[offset + 46..<offset + 46 + nameLength], as: UTF8.self),
                method: UInt16(try integer(offset + 10, 2)), flags: UInt16(try integer(offset + 8, 2)),
                crc: UInt32(try integer(offset + 16, 4)), compressedSize: try integer(offset + 20, 4),
                size: try integer(offset + 24, 4), localHeaderOffset: try integer(offset + 42, 4))
            if entry.compressedSize == 0xFFFF_FFFF || entry.size == 0xFFFF_FFFF || entry.localHeaderOffset == 0xFFFF_FFFF {
                throw DataError(.unsupported, offset: offset, "member '\(entry.name)' needs zip64, which is not read")
            }
            entries.append(entry)
            offset += 46 + nameLength + extraLength + commentLength
        }
        return entries
    }

    /// The member's bytes, decompressed and checked against its CRC-32.
    func contents(of entry: Entry) throws -> [UInt8] {
        let header = entry.localHeaderOffset
        guard try integer(header, 4) == 0x0403_4B50 else {
            throw DataError(.corrupt, offset: header, "expected a local file header (PK\\3\\4)")
        }
        guard entry.flags & 1 == 0 else { throw DataError(.unsupported, "member '\(entry.name)' is encrypted") }
        let start = header + 30 + (try integer(header + 26, 2)) + (try integer(header + 28, 2))
        guard start + entry.compressedSize <= bytes.count else {
            throw DataError(.truncated, offset: start, "member '\(entry.name)' ends after the archive does")
        }
        let stored = Array(bytes[start..<start + entry.compressedSize])
        let contents: [UInt8]
        switch entry.method {
        case 0: contents = stored
        case 8: contents = try Inflate.decompress(stored)
        default:
            throw DataError(.unsupported, "member '\(entry.name)' is compressed with method \(entry.method); only stored (0) and DEFLATE (8) are read")
        }
        guard contents.count == entry.size, CRC32.checksum(contents) == entry.crc else {
            throw DataError(.corrupt, offset: start, "member '\(entry.name)' does not match its size and CRC-32")
        }
        return contents
    }
}
