/// Reading tar archives (POSIX ustar, with the GNU and pax extensions for long names): the
/// entries' paths and where their contents lie, so that a caller can take out the files it wants.
///
/// Bounded and validating: every header's checksum is verified, no size is trusted beyond the
/// bytes the archive has, and every path is checked to stay inside the folder it would be
/// extracted to (no absolute path, no `..` component), so that a hostile archive is an error
/// rather than a write elsewhere. Links and device entries are listed but never followed.
package enum Tar {
    /// One entry of an archive.
    package struct Entry: Sendable, Equatable {
        /// What an entry is.
        package enum Kind: Sendable, Equatable {
            /// A regular file.
            case file
            /// A folder.
            case directory
            /// Anything else (a link, a device, a FIFO), with its type flag.
            case other(UInt8)
        }

        /// The path inside the archive, relative, with no `..` component.
        package var path: String
        /// What the entry is.
        package var kind: Kind
        /// Where the entry's contents lie in the archive's bytes.
        package var contents: Range<Int>
    }

    /// The size of a header and the unit data is padded to.
    static let blockSize = 512

    /// The entries of the tar archive `bytes`, in order.
    ///
    /// - Throws: ``DataError`` with the byte offset of a header that is not ustar, has a wrong
    ///   checksum, a size beyond the archive's end or a path that leaves the folder, or of
    ///   bytes that end inside a header.
    package static func entries(_ bytes: [UInt8]) throws -> [Entry] {
        var entries: [Entry] = []
        var offset = 0
        var longPath: String?  // from a GNU 'L' entry or a pax 'x' header, for the next entry
        while offset < bytes.count {
            guard bytes.count - offset >= blockSize else {
                if bytes[offset...].allSatisfy({ $0 == 0 }) { break }
                throw DataError(.truncated, offset: offset,
                                "tar: the archive ends inside a header (\(bytes.count - offset) of \(blockSize) bytes)")
            }
            let header = bytes[offset..<offset + blockSize]
            // A zero block marks the end of the archive.
            if header.allSatisfy({ $0 == 0 }) { break }
            try checkHeader(header, at: offset)
            let size = try octal(header, field: 124..<136, at: offset, "size")
            let dataStart = offset + blockSize
            guard size <= bytes.count - dataStart else {
                throw DataError(.truncated, offset: offset,
                                "tar: an entry's header gives \(size) bytes of contents, but only \(bytes.count - dataStart) bytes follow it")
            }
            let contents = dataStart..<dataStart + size
            let type = header[offset + 156]
            // The next header starts after the contents, padded to a whole block.
            offset = dataStart + (size + blockSize - 1) / blockSize * blockSize

            switch type {
            case UInt8(ascii: "L"):  // GNU: the next entry's long name
                longPath = string(bytes[contents])
                continue
            case UInt8(ascii: "x"):  // pax: the next entry's extended attributes
                if let path = try paxPath(bytes[contents], at: contents.lowerBound) { longPath = path }
                continue
            case UInt8(ascii: "g"):  // pax: global attributes, none of which matter here
                continue
            default:
                break
            }
            let path = longPath ?? headerPath(header)
            longPath = nil
            try checkPath(path, at: contents.lowerBound - blockSize)
            let kind: Entry.Kind = switch type {
            case 0, UInt8(ascii: "0"), UInt8(ascii: "7"): .file
            case UInt8(ascii: "5"): .directory
            default: .other(type)
            }
            entries.append(Entry(path: path, kind: kind, contents: contents))
        }
        return entries
    }

    /// Checks the magic number and the header checksum of the header `header`, at `offset`.
    private static func checkHeader(_ header: ArraySlice<UInt8>, at offset: Int) throws {
        let start = header.startIndex
        let magic = Array(header[start + 257..<start + 263])
        guard magic == Array("ustar\0".utf8) || magic == Array("ustar ".utf8) else {
            throw DataError(.corrupt, offset: offset + 257, "tar: not a ustar header (no \"ustar\" magic)")
        }
        let recorded = try octal(header, field: 148..<156, at: offset, "checksum")
        // The sum of the header's bytes with the checksum field taken as eight spaces.
        var unsigned = 0, signed = 0
        for (index, byte) in header.enumerated() {
            let value = (148..<156).contains(index) ? 0x20 : byte
            unsigned += Int(value)
            signed += Int(Int8(bitPattern: value))
        }
        guard recorded == unsigned || recorded == signed else {
            throw DataError(.corrupt, offset: offset + 148,
                            "tar: the header's checksum is \(unsigned), but the header records \(recorded)")
        }
    }

    /// The number in an octal field (digits, optionally led by spaces and ended by a space or NUL).
    private static func octal(_ header: ArraySlice<UInt8>, field: Range<Int>, at offset: Int, _ name: String) throws -> Int {
        var value = 0, digits = 0
        for byte in header[header.startIndex + field.lowerBound..<header.startIndex + field.upperBound] {
            if byte == 0 || (byte == 0x20 && digits > 0) { break }
            if byte == 0x20 { continue }
            guard (UInt8(ascii: "0")...UInt8(ascii: "7")).contains(byte), digits < 16 else {
                throw DataError(.corrupt, offset: offset + field.lowerBound, "tar: the \(name) field is not an octal number")
            }
            value = value * 8 + Int(byte - UInt8(ascii: "0"))
            digits += 1
        }
        return value
    }

    /// The bytes up to the first NUL, as text.
    private static func string(_ bytes: ArraySlice<UInt8>) -> String {
        String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self)
    }

    /// The path a header names: ustar's prefix, a slash and the name, or the name alone.
    private static func headerPath(_ header: ArraySlice<UInt8>) -> String {
        let start = header.startIndex
        let name = string(header[start..<start + 100])
        // Only POSIX ustar ("ustar\0") has a prefix field; GNU tar uses those bytes otherwise.
        guard header[start + 262] == 0 else { return name }
        let prefix = string(header[start + 345..<start + 500])
        return prefix.isEmpty ? name : prefix + "/" + name
    }

    /// The `path` record of a pax extended header (records `LENGTH key=value\n`), if any.
    private static func paxPath(_ records: ArraySlice<UInt8>, at offset: Int) throws -> String? {
        var index = records.startIndex, path: String?
        while index < records.endIndex, records[index] != 0 {
            guard let space = records[index...].firstIndex(of: 0x20),
                  let length = Int(string(records[index..<space])), length >= space - index + 2,
                  length <= records.endIndex - index else {
                throw DataError(.corrupt, offset: offset + index - records.startIndex, "tar: a malformed pax extended header record")
            }
            let record = string(records[(space + 1)..<(index + length - 1)])
            if record.hasPrefix("path=") { path = String(record.dropFirst(5)) }
            index += length
        }
        return path
    }

    /// Checks that `path` stays inside the folder it would be extracted to.
    private static func checkPath(_ path: String, at offset: Int) throws {
        let components = path.split(separator: "/", omittingEmptySubsequences: true)
        guard !path.isEmpty, !path.hasPrefix("/"), !components.contains(".."), !path.contains("\\"), !path.contains("\0") else {
            throw DataError(.corrupt, offset: offset,
                            "tar: the entry \"\(path)\" would be extracted outside the folder (an absolute path or a \"..\" component)")
        }
    }
}
