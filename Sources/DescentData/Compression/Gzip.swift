/// The gzip file format (RFC 1952): a header, DEFLATE-compressed data, and a trailer holding the
/// CRC-32 and length of the original bytes.
///
/// Reads every header field (FEXTRA, FNAME, FCOMMENT, and the header checksum FHCRC, which is
/// verified), verifies the CRC-32 and length of every member, and concatenates multi-member files
/// (what `cat a.gz b.gz` makes), as `gunzip` does. Zero bytes after the last member are ignored,
/// like `gunzip`; any other trailing bytes are an error.
package enum Gzip {
    /// Whether `bytes` start with the gzip magic number 1f 8b.
    package static func isCompressed(_ bytes: [UInt8]) -> Bool {
        bytes.count >= 2 && bytes[0] == 0x1F && bytes[1] == 0x8B
    }

    /// The most bytes a gzip file is decompressed to (1 GiB) unless the caller knows a smaller
    /// size from the format inside. The trailer's size cannot bound anything (it is the size
    /// modulo 2^32, and it comes last), so without a cap a few megabytes of compressed zeros
    /// would fill the memory.
    package static let maximumByteCount = 1 << 30

    /// The decompressed contents of a gzip file.
    ///
    /// - Parameter limit: the most bytes accepted; decompression stops, having held at most
    ///   this much, once the output passes it.
    /// - Throws: ``DataError`` with the byte offset (in the compressed bytes) of a bad header, a
    ///   checksum or length that does not match, or truncated or corrupt compressed data;
    ///   `.unsupported` for output past `limit`.
    package static func decompress(_ bytes: [UInt8], limit: Int = maximumByteCount) throws -> [UInt8] {
        do {
            return try bytes.withUnsafeBytes { try decompress($0, limit: limit) }
        } catch let error as SizeLimitExceeded {
            throw DataError(.unsupported, offset: 0, """
                gzip: the data decompresses to more than \(error.limit) bytes, the most Descent \
                decompresses (\(bytes.count) compressed bytes; a gzip bomb?)
                """)
        }
    }

    /// The first `count` bytes of the decompressed contents (fewer if there are fewer),
    /// decompressing no further: for reading the header of the format inside before deciding how
    /// much to decompress. Nothing after them is checked (neither the rest of the stream nor the
    /// CRC-32).
    package static func prefix(_ count: Int, of bytes: [UInt8]) throws -> [UInt8] {
        try bytes.withUnsafeBytes { input in
            var output: [UInt8] = []
            var start = 0
            while output.count < count {
                let member = try decompressMember(input, from: start, limit: count - output.count, keepsPartialOutput: true)
                output += member.output
                guard member.isComplete, let next = nextMember(input, after: member.end) else { break }
                start = next
            }
            return Array(output.prefix(count))
        }
    }

    /// Thrown (internally) when the output passes the caller's limit, so that a caller that
    /// knows why there is a limit can say so.
    struct SizeLimitExceeded: Error {
        /// The limit passed.
        var limit: Int
    }

    /// The contents of every member, at most `limit` bytes in all.
    ///
    /// - Throws: ``SizeLimitExceeded`` once the output passes `limit`; ``DataError`` for bad data.
    static func decompress(_ input: UnsafeRawBufferPointer, limit: Int) throws -> [UInt8] {
        var members: [[UInt8]] = []
        var total = 0
        var start = 0
        while true {
            let member = try decompressMember(input, from: start, limit: limit - total)
            guard member.isComplete else { throw SizeLimitExceeded(limit: limit) }
            members.append(member.output)
            total += member.output.count
            guard let next = try nextMemberOrEnd(input, after: member.end) else { break }
            start = next
        }
        return members.count == 1 ? members[0] : Array(members.joined())
    }

    /// Where the member after the one ending at `end` starts; nil when zero padding (or nothing)
    /// ends the file, as `gunzip` allows.
    ///
    /// - Throws: ``DataError`` for other bytes after the end.
    private static func nextMemberOrEnd(_ input: UnsafeRawBufferPointer, after end: Int) throws -> Int? {
        let rest = UnsafeRawBufferPointer(rebasing: input[end...])
        if rest.allSatisfy({ $0 == 0 }) { return nil }
        guard let next = nextMember(input, after: end) else {
            throw DataError(.corrupt, offset: end,
                            "gzip: \(rest.count) bytes of unexpected data after the end of the compressed stream")
        }
        return next
    }

    /// `end` when another member starts there (with the magic number), else nil.
    private static func nextMember(_ input: UnsafeRawBufferPointer, after end: Int) -> Int? {
        input.count - end >= 2 && input[end] == 0x1F && input[end + 1] == 0x8B ? end : nil
    }

    /// Header flag bits (RFC 1952 §2.3.1).
    private static let headerChecksumFlag: UInt8 = 0x02, extraFlag: UInt8 = 0x04
    private static let nameFlag: UInt8 = 0x08, commentFlag: UInt8 = 0x10

    /// One member: header, DEFLATE stream, trailer. Returns its output and where the next
    /// begins; or, when the output passes `limit` bytes, its first `limit` bytes and
    /// `isComplete` false (the trailer is then not read) and, unless `keepsPartialOutput`, no
    /// output.
    private static func decompressMember(_ input: UnsafeRawBufferPointer, from start: Int, limit: Int,
                                         keepsPartialOutput: Bool = false) throws -> (output: [UInt8], end: Int, isComplete: Bool) {
        var offset = start
        func need(_ count: Int, _ what: String) throws {
            guard offset + count <= input.count else {
                throw DataError(.truncated, offset: input.count, "truncated gzip data: the file ends inside the \(what)")
            }
        }
        func littleEndian(at index: Int, byteCount: Int) -> UInt32 {
            (0..<byteCount).reduce(UInt32(0)) { $0 | UInt32(input[index + $1]) << (8 * UInt32($1)) }
        }

        try need(10, "header")
        guard input[offset] == 0x1F, input[offset + 1] == 0x8B else {
            throw DataError(.corrupt, offset: offset, "not gzip data: expected the magic number 1f 8b, found \(byteHex(input[offset])) \(byteHex(input[offset + 1]))")
        }
        guard input[offset + 2] == 8 else {
            throw DataError(.unsupported, offset: offset + 2,
                            "gzip: compression method \(input[offset + 2]); only 8 (DEFLATE) exists")
        }
        let flags = input[offset + 3]
        guard flags & 0xE0 == 0 else {
            throw DataError(.corrupt, offset: offset + 3, "gzip: reserved header flag bits are set (flags \(flags))")
        }
        offset += 10
        if flags & extraFlag != 0 {
            try need(2, "extra field length")
            let length = Int(littleEndian(at: offset, byteCount: 2))
            offset += 2
            try need(length, "extra field")
            offset += length
        }
        for (flag, what) in [(nameFlag, "file name"), (commentFlag, "comment")] where flags & flag != 0 {
            // A zero-terminated string.
            while true {
                try need(1, what)
                offset += 1
                if input[offset - 1] == 0 { break }
            }
        }
        if flags & headerChecksumFlag != 0 {
            try need(2, "header checksum")
            let expected = littleEndian(at: offset, byteCount: 2)
            let actual = CRC32.checksum(UnsafeRawBufferPointer(rebasing: input[start..<offset])) & 0xFFFF
            guard expected == actual else {
                throw DataError(.corrupt, offset: offset,
                                "gzip: header checksum is \(hex(actual)), but the header records \(hex(expected))")
            }
            offset += 2
        }

        // The trailer's ISIZE (length modulo 2^32) of a single-member file sizes the output
        // buffer; it is only a hint, bounded by DEFLATE's best ratio (1032:1) and 1 GiB so a corrupt file
        // (or a truncated one, whose last bytes are not ISIZE) cannot ask for a huge allocation.
        let sizeHint = input.count >= 4
            ? min(Int(littleEndian(at: input.count - 4, byteCount: 4)), (input.count - offset) * 1032, 1 << 30)
            : 0
        let (output, end, isComplete) = try Inflate.decompress(input, from: offset, sizeHint: sizeHint, limit: limit,
                                                               keepsPartialOutput: keepsPartialOutput)
        guard isComplete else { return (output, end, false) }
        offset = end

        try need(8, "trailer (CRC-32 and length)")
        let expectedChecksum = littleEndian(at: offset, byteCount: 4)
        let expectedSize = littleEndian(at: offset + 4, byteCount: 4)
        let checksum = output.withUnsafeBytes { CRC32.checksum($0) }
        guard checksum == expectedChecksum else {
            throw DataError(.corrupt, offset: offset,
                            "gzip: the decompressed data has CRC-32 \(hex(checksum)), but the file records \(hex(expectedChecksum))")
        }
        guard UInt32(truncatingIfNeeded: output.count) == expectedSize else {
            throw DataError(.corrupt, offset: offset + 4,
                            "gzip: the decompressed data is \(output.count) bytes, but the file records \(expectedSize) (modulo 2^32)")
        }
        return (output, offset + 8, true)
    }

    private static func hex(_ value: UInt32) -> String { "0x" + String(value, radix: 16) }
    private static func byteHex(_ byte: UInt8) -> String { (byte < 16 ? "0" : "") + String(byte, radix: 16) }
}
