/// DEFLATE decompression (RFC 1951), the compression inside gzip, zlib, zip and PNG.
///
/// Reads all three block kinds: stored (uncompressed), fixed Huffman codes and dynamic Huffman
/// codes. Written for speed on large inputs (MNIST's 47 MB of training images): input is read
/// 64 bits at a time, Huffman codes are decoded by table look-up, and output is written into raw
/// memory.
package enum Inflate {
    /// Decompresses a raw DEFLATE stream (no zlib or gzip wrapper around it).
    ///
    /// - Throws: ``DataError`` (`.truncated` or `.corrupt`) with the byte offset in `bytes` where
    ///   decoding failed.
    ///
    /// - Parameter limit: the most output accepted; more is an error (`.unsupported`), found
    ///   having held at most `limit` bytes, so that a small stream cannot fill the memory.
    package static func decompress(_ bytes: [UInt8], limit: Int = Gzip.maximumByteCount) throws -> [UInt8] {
        try bytes.withUnsafeBytes { input in
            let result = try decompress(input, from: 0, sizeHint: input.count * 4, limit: limit)
            guard result.isComplete else {
                throw DataError(.unsupported, offset: 0,
                                "DEFLATE data decompresses to more than \(limit) bytes, the most accepted here")
            }
            return result.output
        }
    }

    /// Decompresses the DEFLATE stream that starts at byte `start` of `input`, or its first
    /// `limit` bytes.
    ///
    /// - Parameters:
    ///   - sizeHint: the expected size of the output, used to size the first buffer.
    ///   - limit: where decoding stops: the output never holds more than `limit` bytes.
    ///   - keepsPartialOutput: whether a caller wants the first `limit` bytes of a stream that
    ///     goes on past them (copying them out would double the memory of a refusal).
    /// - Returns: the output; the index of the first byte after the stream (streams end on a
    ///   byte boundary; the bits left in the last byte are padding); and whether the stream
    ///   ended, which is false when it goes on past `limit` bytes of output (the output is then
    ///   its first `limit` bytes if `keepsPartialOutput`, else empty, and `end` means nothing).
    static func decompress(_ input: UnsafeRawBufferPointer, from start: Int, sizeHint: Int, limit: Int,
                           keepsPartialOutput: Bool = false) throws -> (output: [UInt8], end: Int, isComplete: Bool) {
        guard start < input.count, let base = input.baseAddress else {
            throw DataError(.truncated, offset: start, "truncated DEFLATE data: no compressed data at all")
        }
        var inflater = Inflater(input: base.assumingMemoryBound(to: UInt8.self), count: input.count, start: start,
                                sizeHint: sizeHint, limit: limit)
        defer { inflater.deallocate() }
        let isComplete = try inflater.run()
        return (isComplete || keepsPartialOutput ? inflater.outputArray() : [], inflater.byteOffset, isComplete)
    }
}

// MARK: - The decoder

/// The lengths and distances that the length and distance symbols stand for (RFC 1951 §3.2.5):
/// a base value and a number of extra bits to add to it.
private let lengthBases: [Int] = [3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31,
                                  35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258]
private let lengthExtraBits: [Int] = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2,
                                      3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0]
private let distanceBases: [Int] = [1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193,
                                    257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145,
                                    8193, 12289, 16385, 24577]
private let distanceExtraBits: [Int] = [0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6,
                                        7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13]
/// The order in which a dynamic block lists the lengths of the code-length code.
private let codeLengthOrder: [Int] = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15]

/// One decompression: a bit reader over the input, the output buffer and the Huffman tables.
private struct Inflater {
    // Input. Bits are consumed from the low end of `bitBuffer`; `position` is the next byte to
    // load. Bits above `bitCount` may hold the (correct) bits of following bytes, loaded early
    // by the 8-byte refill; loading them again ORs in the same values.
    let input: UnsafePointer<UInt8>
    let inputEnd: Int
    var position: Int
    var bitBuffer: UInt64 = 0
    var bitCount = 0

    // Output, grown by doubling, never past `limit` bytes.
    var output: UnsafeMutablePointer<UInt8>
    var outputCount = 0
    var outputCapacity: Int
    /// Decoding stops once the output passes this many bytes.
    let limit: Int
    /// The largest buffer needed: `limit`, and the 258 bytes of one back-reference beyond,
    /// which is as far as a block writes before it checks the limit.
    let capacityLimit: Int

    let fixedLiterals = HuffmanTable.allocate()
    let fixedDistances = HuffmanTable.allocate()
    let literals = HuffmanTable.allocate()
    let distances = HuffmanTable.allocate()
    let codeLengths = HuffmanTable.allocate()

    /// - Parameter sizeHint: the output's expected size. The first buffer holds it and one
    /// copy's 258 bytes more, since a block makes room for a copy before each symbol: an output
    /// of exactly the expected size then never grows (which would hold two buffers at once).
    init(input: UnsafePointer<UInt8>, count: Int, start: Int, sizeHint: Int, limit: Int) {
        self.limit = limit
        capacityLimit = limit > Int.max - 258 ? Int.max : limit + 258
        self.input = input
        inputEnd = count
        position = start
        let capacity = max(min(sizeHint > Int.max - 258 ? Int.max : sizeHint + 258, capacityLimit), 1024)
        output = .allocate(capacity: capacity)
        outputCapacity = capacity

        // The fixed codes of RFC 1951 §3.2.6.
        var lengths = [UInt8](repeating: 8, count: 288)
        for symbol in 144..<256 { lengths[symbol] = 9 }
        for symbol in 256..<280 { lengths[symbol] = 7 }
        _ = lengths.withUnsafeBufferPointer { fixedLiterals.build(lengths: $0) }
        let distanceLengths = [UInt8](repeating: 5, count: 30)
        _ = distanceLengths.withUnsafeBufferPointer { fixedDistances.build(lengths: $0) }
    }

    func deallocate() {
        output.deallocate()
        for table in [fixedLiterals, fixedDistances, literals, distances, codeLengths] { table.deallocate() }
    }

    func outputArray() -> [UInt8] {
        Array(UnsafeBufferPointer(start: output, count: min(outputCount, limit)))
    }

    /// The index of the next input byte not yet consumed.
    var byteOffset: Int { position - bitCount / 8 }

    // MARK: Errors

    func corrupt(_ message: String) -> DataError {
        DataError(.corrupt, offset: byteOffset, "corrupt DEFLATE data: \(message)")
    }

    func truncated() -> DataError {
        DataError(.truncated, offset: inputEnd,
                  "truncated DEFLATE data: the input ends before the last compressed block does")
    }

    // MARK: Reading bits

    /// Tops the bit buffer up to at least 56 bits, or to all that is left of the input.
    @inline(__always)
    mutating func refill() {
        if position + 8 <= inputEnd {
            let word = UnsafeRawPointer(input + position).loadUnaligned(as: UInt64.self).littleEndian
            bitBuffer |= word << UInt64(bitCount)
            position += (63 - bitCount) >> 3
            bitCount |= 56
        } else {
            while bitCount <= 56 && position < inputEnd {
                bitBuffer |= UInt64(input[position]) << UInt64(bitCount)
                position += 1
                bitCount += 8
            }
        }
    }

    /// The next `count` bits (at most 32) as a number, least significant bit first.
    @inline(__always)
    mutating func bits(_ count: Int) throws -> Int {
        guard count <= bitCount else { throw truncated() }
        let value = Int(truncatingIfNeeded: bitBuffer & ((1 << UInt64(count)) - 1))
        bitBuffer >>= UInt64(count)
        bitCount -= count
        return value
    }

    /// The next symbol of `table`'s code.
    @inline(__always)
    mutating func decode(_ table: HuffmanTable) throws -> Int {
        let entry = table.fast[Int(truncatingIfNeeded: bitBuffer & HuffmanTable.fastMask)]
        let length = Int(entry & 15)
        if length != 0 && length <= bitCount {
            bitBuffer >>= UInt64(length)
            bitCount -= length
            return Int(entry >> 4)
        }
        return try decodeSlowly(table)
    }

    /// Decodes one bit at a time (RFC 1951's canonical codes: within a length, codes are
    /// consecutive numbers, so a code is found by counting how many codes each length has).
    mutating func decodeSlowly(_ table: HuffmanTable) throws -> Int {
        var code = 0, first = 0, index = 0
        for length in 1...HuffmanTable.maximumLength {
            guard length <= bitCount else { throw truncated() }
            code |= Int((bitBuffer >> UInt64(length - 1)) & 1)
            let count = Int(table.counts[length])
            if code - first < count {
                bitBuffer >>= UInt64(length)
                bitCount -= length
                return Int(table.symbols[index + code - first])
            }
            index += count
            first = (first + count) << 1
            code <<= 1
        }
        throw corrupt("a Huffman code that the block's code table does not define")
    }

    // MARK: Writing output

    @inline(__always)
    mutating func reserve(_ extra: Int) {
        if outputCapacity - outputCount < extra { grow(toFit: extra) }
    }

    /// Doubles the buffer, but to no more than `capacityLimit` bytes.
    mutating func grow(toFit extra: Int) {
        let capacity = max(min(outputCapacity * 2, capacityLimit), outputCount + extra)
        let larger = UnsafeMutablePointer<UInt8>.allocate(capacity: capacity)
        larger.initialize(from: output, count: outputCount)
        output.deallocate()
        output = larger
        outputCapacity = capacity
    }

    // MARK: Blocks

    /// Decodes blocks up to the last one, or until the output passes `limit` bytes.
    ///
    /// - Returns: whether the stream ended (false: it went on past `limit`).
    mutating func run() throws -> Bool {
        var isLastBlock = false
        repeat {
            refill()
            isLastBlock = try bits(1) == 1
            switch try bits(2) {
            case 0: try copyStoredBlock()
            case 1: try decodeCompressedBlock(literals: fixedLiterals, distances: fixedDistances)
            case 2:
                try readDynamicCodes()
                try decodeCompressedBlock(literals: literals, distances: distances)
            default: throw corrupt("block type 3, which RFC 1951 reserves")
            }
            if outputCount > limit { return false }
        } while !isLastBlock
        // The stream ends at a byte boundary: drop the padding bits of the last byte.
        bitBuffer >>= UInt64(bitCount & 7)
        bitCount &= ~7
        return true
    }

    /// A stored block: LEN, its one's complement NLEN, then LEN bytes, starting at a byte boundary.
    mutating func copyStoredBlock() throws {
        bitBuffer >>= UInt64(bitCount & 7)
        bitCount &= ~7
        refill()
        let length = try bits(16)
        let complement = try bits(16)
        guard length == ~complement & 0xFFFF else {
            throw corrupt("stored block length \(length) does not match its complement \(complement)")
        }
        // Hand the bytes still in the bit buffer back to the input and copy directly.
        position = byteOffset
        bitBuffer = 0
        bitCount = 0
        guard position + length <= inputEnd else { throw truncated() }
        // Past the limit, one byte more than it is enough to tell the caller so.
        let kept = min(length, limit + 1 - outputCount)
        reserve(kept)
        (output + outputCount).initialize(from: input + position, count: kept)
        outputCount += kept
        position += length
    }

    /// The code lengths of a dynamic block (RFC 1951 §3.2.7), themselves Huffman coded.
    mutating func readDynamicCodes() throws {
        refill()
        let literalCount = try bits(5) + 257
        let distanceCount = try bits(5) + 1
        let codeLengthCount = try bits(4) + 4
        guard literalCount <= 286, distanceCount <= 30 else {
            throw corrupt("a dynamic block declares \(literalCount) literal/length and \(distanceCount) distance codes (at most 286 and 30)")
        }

        var codeLengthLengths = [UInt8](repeating: 0, count: 19)
        for i in 0..<codeLengthCount {
            refill()
            codeLengthLengths[codeLengthOrder[i]] = UInt8(try bits(3))
        }
        guard codeLengthLengths.withUnsafeBufferPointer({ codeLengths.build(lengths: $0) }) else {
            throw corrupt("over-subscribed code-length code")
        }

        let total = literalCount + distanceCount
        var lengths = [UInt8](repeating: 0, count: total)
        var i = 0
        while i < total {
            refill()
            let symbol = try decode(codeLengths)
            if symbol < 16 {
                lengths[i] = UInt8(symbol)
                i += 1
                continue
            }
            let value: UInt8, repeats: Int
            switch symbol {
            case 16:
                guard i > 0 else { throw corrupt("a code length repeats the previous one, but there is none") }
                value = lengths[i - 1]
                repeats = 3 + (try bits(2))
            case 17:
                value = 0
                repeats = 3 + (try bits(3))
            default:
                value = 0
                repeats = 11 + (try bits(7))
            }
            guard i + repeats <= total else {
                throw corrupt("code lengths run past the \(total) codes the block declares")
            }
            for j in i..<(i + repeats) { lengths[j] = value }
            i += repeats
        }
        guard lengths[256] != 0 else { throw corrupt("the literal/length code has no end-of-block code") }
        let builtLiterals = lengths.withUnsafeBufferPointer {
            literals.build(lengths: UnsafeBufferPointer(rebasing: $0[0..<literalCount]))
        }
        let builtDistances = lengths.withUnsafeBufferPointer {
            distances.build(lengths: UnsafeBufferPointer(rebasing: $0[literalCount..<total]))
        }
        guard builtLiterals, builtDistances else { throw corrupt("over-subscribed literal/length or distance code") }
    }

    /// Literals and (length, distance) back-references up to the end-of-block symbol.
    mutating func decodeCompressedBlock(literals: HuffmanTable, distances: HuffmanTable) throws {
        // The limit is checked once per symbol, which writes at most 258 bytes: `grow` leaves room.
        while outputCount <= limit {
            // One refill gives at least 56 bits: enough for a literal/length code (15 bits), its
            // extra bits (5), a distance code (15) and its extra bits (13).
            refill()
            reserve(258)
            let symbol = try decode(literals)
            if symbol < 256 {
                output[outputCount] = UInt8(truncatingIfNeeded: symbol)
                outputCount += 1
                continue
            }
            if symbol == 256 { return }
            let lengthIndex = symbol - 257
            guard lengthIndex < 29 else { throw corrupt("invalid length symbol \(symbol)") }
            let length = lengthBases[lengthIndex] + (try bits(lengthExtraBits[lengthIndex]))
            let distanceSymbol = try decode(distances)
            guard distanceSymbol < 30 else { throw corrupt("invalid distance symbol \(distanceSymbol)") }
            let distance = distanceBases[distanceSymbol] + (try bits(distanceExtraBits[distanceSymbol]))
            guard distance <= outputCount else {
                throw corrupt("a back-reference \(distance) bytes back, before the start of the output (\(outputCount) bytes so far)")
            }
            let target = output + outputCount
            let source = target - distance
            if distance >= length {
                target.update(from: source, count: length)
            } else if distance == 1 {
                target.update(repeating: source.pointee, count: length)
            } else {
                // Overlapping: the copy reads bytes it has just written (a repeated pattern).
                for k in 0..<length { target[k] = source[k] }
            }
            outputCount += length
        }
    }
}
