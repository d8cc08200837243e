/// How many examples each step of gradient descent looks at: the three regimes of the textbooks.
public enum Batching: Hashable, Sendable, Codable, CustomStringConvertible {
    /// Batch (full-batch) gradient descent: one step per epoch, from the gradient over the whole
    /// training set.
    case fullBatch
    /// Stochastic gradient descent: one step per example.
    case stochastic
    /// Mini-batch gradient descent: one step per `size` examples (the last batch of an epoch
    /// may be smaller).
    case miniBatch(size: Int)

    /// The number of examples per batch for a dataset of `count` examples.
    public func batchSize(forCount count: Int) -> Int {
        switch self {
        case .fullBatch: max(count, 1)
        case .stochastic: 1
        case .miniBatch(let size): size
        }
    }

    /// The number of steps (batches) per epoch over `count` examples.
    public func batchCount(forCount count: Int) -> Int {
        let size = batchSize(forCount: count)
        return (count + size - 1) / size
    }

    public var description: String {
        switch self {
        case .fullBatch: "full batch"
        case .stochastic: "stochastic (batch size 1)"
        case .miniBatch(let size): "mini-batch (batch size \(size))"
        }
    }
}

/// One step's worth of examples.
public struct Batch: Sendable {
    /// The features of the examples, first axis the batch: float32 for images (converted from
    /// the dataset's uint8 by its ``Dataset/imageInputs``).
    public var inputs: Tensor
    /// Their labels.
    public var labels: Tensor
    /// The positions of the examples in the dataset.
    public var indices: [Int]
}

/// The batches of one epoch, in order; made on demand as the collection is walked.
public struct Batches: RandomAccessCollection, Sendable {
    /// The dataset the batches are taken from.
    public let dataset: Dataset
    /// The examples' order for this epoch.
    public let order: [Int]
    /// The size of every batch but perhaps the last.
    public let batchSize: Int
    /// Whether the batches are the whole dataset in its own order (no gathering needed).
    private let isWholeDataset: Bool
    /// The seed of this epoch's image augmentation; each batch mixes in its position.
    private let augmentationSeed: UInt64

    init(dataset: Dataset, order: [Int], batchSize: Int, isWholeDataset: Bool, augmentationSeed: UInt64 = 0) {
        self.dataset = dataset
        self.order = order
        self.batchSize = batchSize
        self.isWholeDataset = isWholeDataset
        self.augmentationSeed = augmentationSeed
    }

    public var startIndex: Int { 0 }
    public var endIndex: Int { (order.count + batchSize - 1) / batchSize }

    public subscript(position: Int) -> Batch {
        precondition(indices.contains(position), "Batches: batch \(position) is out of range 0..<\(endIndex)")
        if isWholeDataset {
            return Batch(inputs: inputs(dataset.features, position: position), labels: dataset.labels, indices: order)
        }
        let chosen = Array(order[(position * batchSize)..<Swift.min(order.count, (position + 1) * batchSize)])
        return Batch(inputs: inputs(dataset.features.gathering(atIndices: chosen), position: position),
                     labels: dataset.labels.gathering(atIndices: chosen), indices: chosen)
    }

    /// Features as a network takes them: uint8 images become float32 here, one batch at a time,
    /// so that the dataset stays at one byte per pixel.
    private func inputs(_ features: Tensor, position: Int) -> Tensor {
        guard features.dtype == .uint8 else { return features }
        guard let imageInputs = dataset.imageInputs else { return features.cast(to: .float32) * (1.0 / 255) }
        return imageInputs.floats(features, seed: Dataset.epochSeed(augmentationSeed, epoch: position))
    }
}

extension Dataset {
    /// The batches of one epoch for a gradient-descent regime.
    ///
    /// With `shuffled`, the examples are put in a random order that depends only on `seed` and
    /// `epoch`: each epoch is reshuffled, and the same seed gives the same batches on every run.
    /// The last mini-batch holds what is left over (like PyTorch's `DataLoader` with its default
    /// `drop_last=False`). A full batch is the whole dataset in its own order whether or not it
    /// is shuffled: order does not change a full-batch gradient, so no copy is made. Image
    /// batches (uint8 features) are converted to float32 by ``imageInputs``, with augmentation
    /// drawn from `seed`, `epoch` and the batch's position.
    ///
    /// - Precondition: a mini-batch size is at least 1 (a batch size from a user is checked first).
    public func batches(_ batching: Batching, shuffled: Bool, seed: UInt64 = 0, epoch: Int = 0) -> Batches {
        if case .miniBatch(let size) = batching {
            precondition(size >= 1, "batches: mini-batch size must be at least 1, found \(size)")
        }
        if batching == .fullBatch {
            return Batches(dataset: self, order: Array(0..<count), batchSize: max(count, 1), isWholeDataset: true,
                           augmentationSeed: Self.epochSeed(seed, epoch: epoch))
        }
        let order: [Int]
        if shuffled {
            var generator = RandomGenerator(seed: Self.epochSeed(seed, epoch: epoch))
            order = generator.permutation(count: count)
        } else {
            order = Array(0..<count)
        }
        return Batches(dataset: self, order: order, batchSize: batching.batchSize(forCount: count), isWholeDataset: false,
                       augmentationSeed: Self.epochSeed(seed, epoch: epoch))
    }

    /// The seed of one epoch's shuffle: the run's seed mixed with the epoch number (the
    /// generator's SplitMix seeding scrambles it further).
    static func epochSeed(_ seed: UInt64, epoch: Int) -> UInt64 {
        seed ^ ((UInt64(truncatingIfNeeded: epoch) &+ 1) &* 0x9E37_79B9_7F4A_7C15)
    }
}
