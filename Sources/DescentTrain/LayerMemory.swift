import DescentNN
import Foundation

/// The memory that layers sized from options need, checked before any of them is built: a
/// layer list such as `65536,65536,65536` must be an error saying how many bytes it would take,
/// never an allocation that fails (a trap).
enum LayerMemory {
    /// Bytes per parameter that training needs at the least: its float32 value and its gradient.
    /// (Optimizers with state, Adam's two moments, need more; this is the floor.)
    static let bytesPerParameter = 8.0

    /// The number of parameters `layer` holds, from its settings alone (as a `Double`: a sum
    /// of products of sizes that may pass `Int`'s range).
    static func parameterCount(of layer: LayerConfiguration) -> Double {
        func value(_ key: String) -> Double {
            switch layer.fields.first(where: { $0.key == key })?.value {
            case let .integer(number)?: Double(number)
            case let .array(values)?:
                values.reduce(1) { product, value in
                    if case let .integer(number) = value { product * Double(number) } else { product }
                }
            default: 0
            }
        }
        func has(_ key: String) -> Bool { layer.fields.contains { $0.key == key } }
        let bias = layer.fields.contains { $0.key == "bias" && $0.value == .bool(false) } ? 0.0 : 1.0
        switch layer.type {
        case Dense.typeName:
            return value("in_features") * value("out_features") + bias * value("out_features")
        case Conv2d.typeName:
            let kernel = layer.fields.first(where: { $0.key == "kernel_size" }).map { field -> Double in
                if case .integer = field.value { return value("kernel_size") * value("kernel_size") }
                return value("kernel_size")
            } ?? 1
            let groups = has("groups") ? max(value("groups"), 1) : 1
            return value("out_channels") * (value("in_channels") / groups) * kernel + bias * value("out_channels")
        default:
            // Batch normalization: weight, bias and two running statistics per feature.
            return has("num_features") ? 4 * value("num_features") : 0
        }
    }

    /// Throws unless training `layers` fits in this machine's memory.
    ///
    /// - Parameter item: names where the list passed the limit, for the error.
    static func check(_ layers: [LayerConfiguration], item: String) throws {
        let parameters = layers.reduce(0) { $0 + parameterCount(of: $1) }
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
