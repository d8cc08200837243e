import Foundation

/// What happened during training, epoch by epoch: the cost, each metric and the learning rate,
/// on the training data and (prefixed `val_`) on the validation data.
public struct History: Sendable, Equatable {
    /// One series per quantity ("loss", "accuracy", "val_loss", "learning_rate" …), one value per
    /// epoch.
    public private(set) var series: [String: [Double]] = [:]
    /// The names of the series in the order they first appeared.
    public private(set) var names: [String] = []

    public init() {}

    /// The number of epochs recorded.
    public var epochCount: Int { series["loss"]?.count ?? 0 }

    /// The values of one quantity, per epoch.
    public subscript(name: String) -> [Double]? { series[name] }

    /// The values recorded for the last epoch.
    public var last: [String: Double] { series.compactMapValues(\.last) }

    /// Appends one epoch's values.
    public mutating func record(_ values: [(String, Double)]) {
        for (name, value) in values {
            if series[name] == nil { names.append(name) }
            series[name, default: []].append(value)
        }
    }

    /// The history as CSV: a header `epoch,<names…>` and one row per epoch.
    public func csv() -> String {
        var lines = [(["epoch"] + names).joined(separator: ",")]
        for epoch in 0..<epochCount {
            let row = names.map { name -> String in
                guard let values = series[name], epoch < values.count else { return "" }
                return "\(values[epoch])"
            }
            lines.append((["\(epoch + 1)"] + row).joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
