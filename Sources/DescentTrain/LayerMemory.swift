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

    /// Bytes per element of a layer's output that a training step keeps: the float32 value,
    /// kept for the backward pass, and its gradient, which flows back at the same size.
    static let bytesPerActivation = 8.0

    /// Throws unless a training step of `model` on batches of `batchSize` examples of
    /// `inputShape` fits in `available` bytes: a convolution with many channels has few weights
    /// but outputs of gigabytes per batch (`--layers conv=65536x3`: 177 MB per 28×28 example),
    /// which would fail to allocate in the middle of the first step.
    static func checkActivations(of model: Sequential, inputShape: [Int], batchSize: Int,
                                 available: Double = Double(ProcessInfo.processInfo.physicalMemory)) throws {
        let shapes = try model.outputShapes(for: inputShape)
        let sizes = shapes.map { Double($0.reduce(1, *)) }
        let perExample = sizes.reduce(Double(inputShape.reduce(1, *)), +)
        let needed = perExample * Double(batchSize) * bytesPerActivation
        guard needed > available, let largest = sizes.indices.max(by: { sizes[$0] < sizes[$1] }) else { return }
        let layer = type(of: model.layers[largest])
        throw TrainingError.invalidSetting("""
            a training step on batches of \(count(Double(batchSize))) needs at least \(count(needed)) bytes \
            (\(text(needed))) for the layers' outputs and their gradients, more than this machine's \
            \(text(available)) of memory; the largest is layer \(largest) (\(layer)), \(shapes[largest]) per example: \
            use a smaller --batch-size or smaller layers
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
