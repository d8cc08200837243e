import Foundation

/// What one CSV cell holds, read from its bytes: a number (exactly the float32 C's `strtof`
/// gives for the same text), a missing value, or text.
///
/// Reading numbers is the hot loop of loading a table, so the common case — at most 19
/// significant digits and a small exponent — is computed here without a library call and
/// without allocating; everything else goes to `strtof` itself, so the result is always the
/// one `strtof` gives.
enum CellValue: Equatable {
    /// A decimal number that fits a float32.
    case number(Float)
    /// An empty cell, `NA`, `NaN` (any case) or `?`.
    case missing
    /// A decimal number too large for a float32 (beyond ±3.4e38), such as `1e39`.
    case outOfRange
    /// Anything else.
    case text

    /// The cell spelled by the `count` bytes at `start`. Spaces and tabs around the text are
    /// ignored. A number is an optional sign, digits with an optional decimal point (at least
    /// one digit), and an optional exponent (`e` or `E`, an optional sign, digits).
    static func read(_ start: UnsafePointer<UInt8>, count: Int) -> CellValue {
        var first = 0, end = count
        while first < end, start[first] == space || start[first] == tab { first += 1 }
        while end > first, start[end - 1] == space || start[end - 1] == tab { end -= 1 }
        if first == end { return .missing }
        if let value = fastNumber(start, first, end) { return value }
        if isMissingToken(start + first, count: end - first) { return .missing }
        return .text
    }

    /// The text of a cell, for ``read(_:count:)`` from Swift strings (tests, small tables).
    static func read(_ text: String) -> CellValue {
        var text = text
        return text.withUTF8 { bytes in
            guard let base = bytes.baseAddress else { return .missing }
            return read(base, count: bytes.count)
        }
    }

    private static var space: UInt8 { 0x20 }
    private static var tab: UInt8 { 0x09 }

    /// Whether the bytes spell one of the tokens that mean "no value".
    private static func isMissingToken(_ start: UnsafePointer<UInt8>, count: Int) -> Bool {
        switch count {
        case 1: return start[0] == UInt8(ascii: "?")
        case 2: return start[0] == UInt8(ascii: "N") && start[1] == UInt8(ascii: "A")
        case 3:
            // NaN in any case, as NumPy and pandas write it ("nan", "NaN", "NAN").
            return start[0] | 0x20 == UInt8(ascii: "n") && start[1] | 0x20 == UInt8(ascii: "a")
                && start[2] | 0x20 == UInt8(ascii: "n")
        default: return false
        }
    }

    /// 10^`exponent` for 0 … 22, the powers of ten a Double holds exactly (literals, not a
    /// stored table, which would be initialized lazily and checked on every call).
    @inline(__always)
    private static func powerOfTen(_ exponent: Int) -> Double {
        switch exponent {
        case 0: 1e0
        case 1: 1e1
        case 2: 1e2
        case 3: 1e3
        case 4: 1e4
        case 5: 1e5
        case 6: 1e6
        case 7: 1e7
        case 8: 1e8
        case 9: 1e9
        case 10: 1e10
        case 11: 1e11
        case 12: 1e12
        case 13: 1e13
        case 14: 1e14
        case 15: 1e15
        case 16: 1e16
        case 17: 1e17
        case 18: 1e18
        case 19: 1e19
        case 20: 1e20
        case 21: 1e21
        default: 1e22
        }
    }

    /// The number in `start[first..<end]`, or nil when the bytes are not a decimal number.
    private static func fastNumber(_ start: UnsafePointer<UInt8>, _ first: Int, _ end: Int) -> CellValue? {
        var index = first
        var negative = false
        if start[index] == UInt8(ascii: "-") || start[index] == UInt8(ascii: "+") {
            negative = start[index] == UInt8(ascii: "-")
            index += 1
        }
        var mantissa: UInt64 = 0
        var significantDigits = 0
        var exponent = 0
        var sawDigit = false
        var dropped = false  // digits beyond the 19 a UInt64 holds
        while index < end, start[index] &- 48 < 10 {
            let digit = UInt64(start[index] &- 48)
            sawDigit = true
            if significantDigits < 19 {
                mantissa = mantissa &* 10 &+ digit
                if mantissa != 0 { significantDigits += 1 }
            } else {
                exponent += 1
                if digit != 0 { dropped = true }
            }
            index += 1
        }
        if index < end, start[index] == UInt8(ascii: ".") {
            index += 1
            while index < end, start[index] &- 48 < 10 {
                let digit = UInt64(start[index] &- 48)
                sawDigit = true
                if significantDigits < 19 {
                    mantissa = mantissa &* 10 &+ digit
                    if mantissa != 0 { significantDigits += 1 }
                    exponent -= 1
                } else if digit != 0 {
                    dropped = true
                }
                index += 1
            }
        }
        guard sawDigit else { return nil }
        if index < end, start[index] | 0x20 == UInt8(ascii: "e") {
            index += 1
            var exponentNegative = false
            if index < end, start[index] == UInt8(ascii: "-") || start[index] == UInt8(ascii: "+") {
                exponentNegative = start[index] == UInt8(ascii: "-")
                index += 1
            }
            var written = 0
            var sawExponentDigit = false
            while index < end, start[index] &- 48 < 10 {
                // Capped: any exponent this large overflows or underflows a float anyway.
                if written < 100_000 { written = written * 10 + Int(start[index] &- 48) }
                sawExponentDigit = true
                index += 1
            }
            guard sawExponentDigit else { return nil }
            exponent += exponentNegative ? -written : written
        }
        guard index == end else { return nil }
        if mantissa == 0 && !dropped { return .number(negative ? -0.0 : 0.0) }

        // Clinger's fast path in Double: the mantissa and 10^|exponent| are exact, so one
        // multiplication or division gives the correctly rounded double. Rounding that double
        // to float gives the correctly rounded float unless the double lies exactly halfway
        // between two floats (the one case where rounding twice differs from rounding once);
        // that case, and every other, is left to strtof.
        if !dropped, mantissa <= 1 << 53, (-22...22).contains(exponent) {
            let scaled = exponent < 0 ? Double(mantissa) / powerOfTen(-exponent) : Double(mantissa) * powerOfTen(exponent)
            // The 29 bits a float drops from a double's 52-bit fraction; 1 followed by zeros is a tie.
            let droppedBits = scaled.bitPattern & ((1 << 29) - 1)
            if droppedBits != 1 << 28 {
                let value = Float(scaled)
                return .number(negative ? -value : value)
            }
        }
        return libraryNumber(start + first, count: end - first)
    }

    /// The number as `strtof` reads the (already validated) decimal text.
    private static func libraryNumber(_ start: UnsafePointer<UInt8>, count: Int) -> CellValue {
        withUnsafeTemporaryAllocation(of: CChar.self, capacity: count + 1) { buffer in
            for index in 0..<count { buffer[index] = CChar(bitPattern: start[index]) }
            buffer[count] = 0
            let value = strtof(buffer.baseAddress!, nil)
            return value.isInfinite ? .outOfRange : .number(value)
        }
    }
}
