/// Rescales regression targets to mean 0 and standard deviation 1 for training, and a model's
/// outputs back to the targets' own units: a target in dollars (10⁴–10⁵) is then learned with
/// the same learning rates and initial weights as one near 1.
///
/// The statistics come from the training split (population standard deviation, 1 where it is
/// 0, as ``FeatureStandardizer``), one pair per target column, and are saved with the model.
public struct TargetStandardizer: Sendable, Equatable {
    /// The mean of each target column.
    public var mean: [Double]
    /// The standard deviation of each target column (1 where it is 0).
    public var scale: [Double]

    /// Statistics given directly, one mean and one scale per target column.
    public init(mean: [Double], scale: [Double]) {
        precondition(mean.count == scale.count, "TargetStandardizer: \(mean.count) means but \(scale.count) scales")
        self.mean = mean
        self.scale = scale
    }

    /// The statistics of float `labels` `[count, targets]`.
    public init(fitting labels: Tensor) {
        let standardizer = FeatureStandardizer(fitting: labels)
        self.init(mean: standardizer.mean, scale: standardizer.scale)
    }

    /// `(labels − mean) / scale`, in the labels' dtype and shape.
    public func standardize(_ labels: Tensor) -> Tensor {
        let (mean, scale) = tensors(like: labels)
        return ((labels.reshaped(to: [labels.scalarCount / max(self.mean.count, 1), self.mean.count]) - mean) / scale).reshaped(to: labels.shape)
    }

    /// `outputs × scale + mean`: a model's outputs in the targets' units.
    public func restore(_ outputs: Tensor) -> Tensor {
        let (mean, scale) = tensors(like: outputs)
        return (outputs.reshaped(to: [outputs.scalarCount / max(self.mean.count, 1), self.mean.count]) * scale + mean).reshaped(to: outputs.shape)
    }

    /// The dataset with its labels standardized.
    public func standardize(_ dataset: Dataset) -> Dataset {
        var result = dataset
        result.labels = standardize(dataset.labels)
        return result
    }

    private func tensors(like values: Tensor) -> (Tensor, Tensor) {
        (Tensor(doubles: mean, shape: [1, mean.count], dtype: values.dtype).to(values.device),
         Tensor(doubles: scale, shape: [1, scale.count], dtype: values.dtype).to(values.device))
    }
}
