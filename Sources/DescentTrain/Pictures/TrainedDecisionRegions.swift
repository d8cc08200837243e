extension TrainingOutcome {
    /// The decision regions of the trained network when it classifies examples of two features
    /// (moons, circles, spirals, XOR, a CSV with two feature columns); nil for any other task
    /// or number of features.
    ///
    /// The plane is in the data's own units: when the job standardized the features, the
    /// examples are drawn where they were before, and every point of the grid is standardized
    /// before the network sees it, as new data would be.
    ///
    /// At most `maximumExamples` examples are drawn (every k-th, training and validation alike), so
    /// that a large table still makes a picture a browser opens quickly.
    public func decisionRegions(resolution: Int = 120, maximumExamples: Int = 2000) -> DecisionRegions? {
        guard hasDecisionRegions else { return nil }
        let training = plan.training
        let sets = [(training, false)] + (plan.validation.map { [($0, true)] } ?? [])
        let all = sets.flatMap { dataset, isValidation in
            zip(originalPoints(dataset.features), Self.classIndices(of: dataset.labels)).map { point, label in
                DecisionRegions.Example(point: point, label: label, isValidation: isValidation)
            }
        }
        guard !all.isEmpty else { return nil }
        let stride = (all.count + max(maximumExamples, 1) - 1) / max(maximumExamples, 1)
        let examples = Swift.stride(from: 0, to: all.count, by: stride).map { all[$0] }
        let classNames = metadata.classNames ?? (0..<(training.classCount ?? 2)).map(String.init)
        let features = Array((training.featureNames ?? ["x₁", "x₂"]).prefix(2))
        return DecisionRegions(examples: examples, classNames: classNames, featureNames: features, resolution: resolution) { points in
            var inputs = Tensor(shape: [points.count, 2], scalars: points.flatMap { [Float($0.x), Float($0.y)] })
            if let standardizer = plan.standardizer, let scaled = try? standardizer.apply(to: inputs) { inputs = scaled }
            let outputs = PredictionOutputs(outputs: model.predict(inputs), classNames: classNames, lossName: plan.recipe.loss.name)
            return outputs.tensor.scalars(as: Int32.self).map(Int.init)
        }
    }

    /// Whether ``decisionRegions(resolution:maximumExamples:)`` has a picture to draw: whether
    /// the network classifies examples of two features.
    public var hasDecisionRegions: Bool {
        plan.training.task.isClassification && plan.training.features.rank == 2 && plan.training.featureCount == 2
            && plan.training.count > 0
    }

    /// The examples' features as points, undoing the job's standardization.
    private func originalPoints(_ features: Tensor) -> [PlanePoint] {
        let values = features.doubles()
        let (mean, scale) = (plan.standardizer?.mean ?? [0, 0], plan.standardizer?.scale ?? [1, 1])
        return stride(from: 0, to: values.count, by: 2).map { index in
            PlanePoint(x: values[index] * scale[0] + mean[0], y: values[index + 1] * scale[1] + mean[1])
        }
    }

    /// Class indices from labels in any form a recipe prepares: int32 indices, one float per
    /// example (binary cross-entropy's 0 and 1), or one-hot rows.
    private static func classIndices(of labels: Tensor) -> [Int] {
        if labels.dtype == .int32 { return labels.scalars(as: Int32.self).map(Int.init) }
        let count = labels.shape.first ?? 0
        let width = count > 0 ? labels.scalarCount / count : 1
        let values = labels.doubles()
        guard width > 1 else { return values.map { Int($0.rounded()) } }
        return (0..<count).map { row in
            let slice = values[(row * width)..<((row + 1) * width)]
            return slice.indices.max { slice[$0] < slice[$1] }! - row * width
        }
    }
}

extension TrainingOutcome {
    /// What the picture of the decision regions says under its title: the accuracy reached
    /// and on which examples.
    var decisionRegionsSubtitle: String {
        let on = plan.validation == nil ? "the training examples" : "the \(plan.validationName) examples"
        let accuracy = finalMetrics["accuracy"].map { String(format: "accuracy %.1f %% on ", 100 * $0) + on } ?? ""
        return "\(accuracy) after \(history.epochCount) epochs; \(plan.recipe.loss.name) cost"
    }
}
