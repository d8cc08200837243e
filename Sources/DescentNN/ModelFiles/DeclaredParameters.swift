extension LayerConfiguration {
    /// The number of parameters a layer of this configuration holds, read from its settings
    /// without building it: exact for linear and conv2d layers, 0 for the others (whose
    /// parameters grow with a single size, never past what a file can hold in practice).
    ///
    /// A `Double`, because the settings of a file or an option may multiply past `Int`'s range.
    /// Used to check sizes before anything is allocated: against a weights file's size when a
    /// model folder is read, and against memory for a layer list.
    package var declaredParameterCount: Double {
        func value(_ key: String) -> Double {
            switch fields.first(where: { $0.key == key })?.value {
            case let .integer(number)?: Double(number)
            default: 0
            }
        }
        let bias = fields.contains { $0.key == "bias" && $0.value == .bool(false) } ? 0.0 : 1.0
        switch type {
        case Dense.typeName, "dense":
            return value("in_features") * value("out_features") + bias * value("out_features")
        case Conv2d.typeName:
            // A kernel size is one integer for both axes, or [height, width].
            let kernel: Double = switch fields.first(where: { $0.key == "kernel_size" })?.value {
            case let .integer(size)?: Double(size) * Double(size)
            case let .array(sizes)?:
                sizes.reduce(1.0) { product, size in if case let .integer(number) = size { product * Double(number) } else { 0 } }
            default: 0
            }
            let groups = max(value("groups"), 1)
            return value("out_channels") * (value("in_channels") / groups).rounded(.down) * kernel + bias * value("out_channels")
        default:
            return 0
        }
    }
}
