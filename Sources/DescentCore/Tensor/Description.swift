extension Tensor: CustomStringConvertible {
    /// Shape, dtype and values, laid out like NumPy prints arrays; large tensors are summarised
    /// with `...` (the first and last three entries of each axis).
    public var description: String {
        let place = device == .cpu ? "" : ", device: \(device)"
        return "Tensor(shape: \(shape), dtype: \(dtype)\(place))\n" + formattedValues(summarise: scalarCount > 1000)
    }

    private func formattedValues(summarise: Bool) -> String {
        let values = doubles()
        let text: (Double) -> String = !dtype.isFloatingPoint
            ? { String(Int64(fromDouble: $0)) }
            : { value in
                if value.isNaN { return "nan" }
                if value.isInfinite { return value > 0 ? "inf" : "-inf" }
                let magnitude = Swift.abs(value)
                if magnitude != 0 && (magnitude >= 1e6 || magnitude < 1e-4) {
                    return String(format: "%.4e", value)
                }
                return String(format: "%.4f", value)
            }
        if rank == 0 { return text(values[0]) }
        let strides = Broadcasting.strides(of: shape, broadcastTo: shape)
        func indices(_ axis: Int) -> [Int?] {
            let n = shape[axis]
            if summarise && n > 6 { return [0, 1, 2, nil, n - 3, n - 2, n - 1] }
            return (0..<n).map { $0 }
        }
        func format(axis: Int, offset: Int, indent: String) -> String {
            if axis == rank - 1 {
                return "[" + indices(axis).map { $0.map { text(values[offset + $0]) } ?? "..." }
                    .joined(separator: ", ") + "]"
            }
            let separator = ",\n" + String(repeating: "\n", count: rank - axis - 2) + indent + " "
            return "[" + indices(axis).map { index in
                index.map { format(axis: axis + 1, offset: offset + $0 * strides[axis], indent: indent + " ") } ?? "..."
            }.joined(separator: separator) + "]"
        }
        return format(axis: 0, offset: 0, indent: "")
    }
}

import Foundation
