/// Rescales each feature to mean 0 and standard deviation 1, with statistics measured on one
/// dataset (the training split) and applied unchanged to others (validation, test, new data).
///
/// Like scikit-learn's `StandardScaler`: the standard deviation is the population one (divides by
/// n), and a feature that never varies (standard deviation 0) is divided by 1 instead, so it
/// becomes 0 rather than NaN. It is `Codable` so that it can be saved with a model and applied
/// again at prediction time.
public struct FeatureStandardizer: Codable, Equatable, Sendable {
    /// The mean of each feature.
    public var mean: [Double]
    /// The divisor of each feature: its standard deviation, or 1 where that is 0.
    public var scale: [Double]

    /// Statistics given directly.
    public init(mean: [Double], scale: [Double]) {
        precondition(mean.count == scale.count, "FeatureStandardizer: \(mean.count) means but \(scale.count) scales")
        self.mean = mean
        self.scale = scale
    }

    /// The statistics of `features` (examples along the first axis; trailing axes flattened).
    public init(fitting features: Tensor) {
        let count = features.shape.first ?? 0
        let width = features.shape.dropFirst().reduce(1, *)
        let values = features.doubles()
        var mean = [Double](repeating: 0, count: width)
        var variance = [Double](repeating: 0, count: width)
        for row in 0..<count {
            for column in 0..<width { mean[column] += values[row * width + column] }
        }
        if count > 0 { for column in 0..<width { mean[column] /= Double(count) } }
        // Two passes (mean first) keep the variance accurate when the mean is large.
        for row in 0..<count {
            for column in 0..<width {
                let deviation = values[row * width + column] - mean[column]
                variance[column] += deviation * deviation
            }
        }
        let scale = variance.map { sum -> Double in
            let deviation = count > 0 ? (sum / Double(count)).squareRoot() : 0
            return deviation > 0 ? deviation : 1
        }
        self.init(mean: mean, scale: scale)
    }

    /// The statistics of a dataset's features; for a table (a dataset with a
    /// ``Dataset/tableEncoding``), of its numeric columns only.
    ///
    /// A category's one-hot features stay 0 and 1 (mean 0, scale 1), as scikit-learn's pipelines
    /// usually leave them: scaled, a rare category's 1 would become a large number, and the
    /// feature would no longer read as "has it" or "has it not".
    public init(fitting dataset: Dataset) {
        self.init(fitting: dataset.features)
        guard let encoding = dataset.tableEncoding, encoding.featureCount == featureCount else { return }
        var feature = 0
        for column in encoding.columns {
            if column.categories != nil {
                for index in feature..<(feature + column.featureCount) { (mean[index], scale[index]) = (0, 1) }
            }
            feature += column.featureCount
        }
    }

    /// The number of features it standardizes.
    public var featureCount: Int { mean.count }

    /// `(features − mean) / scale`, feature by feature, in the features' dtype.
    ///
    /// - Throws: ``DataError`` (`.invalidArgument`) if the features have a different number of
    ///   columns than the data the statistics came from.
    public func apply(to features: Tensor) throws -> Tensor {
        let width = features.shape.dropFirst().reduce(1, *)
        guard features.rank >= 1, width == featureCount else {
            throw DataError(.invalidArgument,
                            "the standardization was measured on \(counted(featureCount, "feature")), but the data has \(width) (shape \(features.shape))")
        }
        let shape = [1] + Array(features.shape.dropFirst())
        let mean = Tensor(doubles: mean, shape: shape, dtype: features.dtype)
        let scale = Tensor(doubles: scale, shape: shape, dtype: features.dtype)
        return (features - mean) / scale
    }

    /// The dataset with its features standardized.
    public func apply(to dataset: Dataset) throws -> Dataset {
        var result = dataset
        result.features = try apply(to: dataset.features)
        return result
    }
}
