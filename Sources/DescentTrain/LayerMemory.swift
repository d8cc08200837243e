import DescentNN
import Foundation

/// The memory that layers sized from options need, checked before any of them is built: a
/// layer list such as `65536,65536,65536` must be an error saying how many bytes it would take,
/// never an allocation that fails (a trap).
enum LayerMemory {
    /// Bytes per parameter that training needs at the least: its float32 value and its gradient.
    /// (Optimizers with state, Adam's two moments, need more; this is the floor.)
    static let bytesPerParameter = 8.0

    /// Throws unless training `layers` fits in this machine's memory.
    ///
    /// - Parameter item: names where the list passed the limit, for the error.
    static func check(_ layers: [LayerConfiguration], item: String) throws {
        let parameters = layers.reduce(0) { $0 + $1.declaredParameterCount }
        let needed = parameters * bytesPerParameter
        let available = Double(ProcessInfo.processInfo.physicalMemory)
        guard needed > available else { return }
        throw TrainingError.invalidSetting("""
            the layer list: \(item) brings the network to \(count(parameters)) parameters, and training \
            needs at least \(count(needed)) bytes (\(text(needed))) for their values and gradients: more \
            than this machine's \(text(available)) of memory
            """)
    }

    /// A whole number with thousands separators, or in scientific notation past 10^18.
    static func count(_ value: Double) -> String {
        guard value < 1e18 else { return String(format: "%.3g", value) }
        let digits = String(Int64(value))
        var result = ""
        for (index, digit) in digits.enumerated() {
            if index > 0 && (digits.count - index) % 3 == 0 { result += "," }
            result.append(digit)
        }
        return result
    }

    /// Bytes in decimal units, as `ls -lh --si` and disk makers count: "34.4 GB".
    static func text(_ bytes: Double) -> String {
        let units = ["bytes", "kB", "MB", "GB", "TB", "PB", "EB"]
        var value = bytes, unit = 0
        while value >= 1000 && unit < units.count - 1 {
            value /= 1000
            unit += 1
        }
        return unit == 0 ? "\(Int(value)) bytes" : String(format: "%.1f %@", value, units[unit])
    }
}
