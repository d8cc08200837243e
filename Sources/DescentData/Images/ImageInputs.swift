/// How stored uint8 images become a network's float32 inputs, one batch at a time: values
/// scaled to [0, 1], then normalized per channel, x ← (x − mean) / std, after the batch's
/// augmentation when there is one.
///
/// Converting per batch keeps a dataset at one byte per pixel; ``Dataset/batches(_:shuffled:seed:epoch:)``
/// applies a dataset's ``Dataset/imageInputs`` to every batch of uint8 features.
public struct ImageInputs: Sendable, Equatable {
    /// The shape of one image.
    public var shape: ImageShape
    /// Per channel, on the [0, 1] scale (one value per channel).
    public var mean: [Double]
    /// Per channel, positive.
    public var standardDeviation: [Double]
    /// Random changes to training images; nil for none (validation, prediction).
    public var augmentation: ImageAugmentation?

    /// Inputs of `shape` with `mean` and `standardDeviation` given per channel or as one value for
    /// all channels; by default no normalization (mean 0, std 1).
    ///
    /// - Throws: ``DataError`` (`.invalidArgument`) for a count that is neither 1 nor the channel
    ///   count, or a standard deviation that is not positive.
    public init(shape: ImageShape, mean: [Double] = [0], standardDeviation: [Double] = [1],
                augmentation: ImageAugmentation? = nil) throws {
        func perChannel(_ values: [Double], _ name: String) throws -> [Double] {
            if values.count == 1 { return Array(repeating: values[0], count: shape.channels) }
            guard values.count == shape.channels else {
                throw DataError(.invalidArgument,
                                "the images have \(counted(shape.channels, "channel")), but the normalization's \(name) has \(counted(values.count, "value"))")
            }
            return values
        }
        self.shape = shape
        self.mean = try perChannel(mean, "mean")
        self.standardDeviation = try perChannel(standardDeviation, "std")
        guard self.mean.allSatisfy(\.isFinite), self.standardDeviation.allSatisfy({ $0.isFinite && $0 > 0 }) else {
            throw DataError(.invalidArgument, "the normalization needs finite means and positive standard deviations")
        }
        self.augmentation = augmentation
    }

    /// Parses `--normalize`: "MEAN,STD" for every channel, or all the means then all the stds
    /// ("0.485,0.456,0.406,0.229,0.224,0.225").
    ///
    /// - Throws: ``DataError`` (`.invalidArgument`) for an odd count or a value that is not a number.
    public static func parseNormalization(_ text: String) throws -> (mean: [Double], standardDeviation: [Double]) {
        let values = text.split(separator: ",").map { Double($0.trimmingCharacters(in: .whitespaces)) }
        guard !values.isEmpty, values.count.isMultiple(of: 2), values.allSatisfy({ $0 != nil }) else {
            throw DataError(.invalidArgument,
                            "expected MEAN,STD (or the means then the stds, one per channel), found \"\(text)\"")
        }
        let numbers = values.compactMap { $0 }
        return (Array(numbers[..<(numbers.count / 2)]), Array(numbers[(numbers.count / 2)...]))
    }

    /// `pixels` (uint8, `[n, …]` with `shape.count` values per example, any layout of them) as
    /// float32 of the same shape, augmented with draws from `seed` when there is an augmentation.
    public func floats(_ pixels: Tensor, seed: UInt64 = 0) -> Tensor {
        let count = pixels.shape.first ?? 0
        var values = pixels.scalars(as: UInt8.self)
        if let augmentation, count > 0 {
            var generator = RandomGenerator(seed: seed)
            augmentation.apply(to: &values, shape: shape, count: count, using: &generator)
        }
        let planeSize = shape.height * shape.width
        // One multiply-add per value: (x/255 − mean)/std = x × scale + offset.
        let scales = standardDeviation.map { Float(1 / (255 * $0)) }
        let offsets = zip(mean, standardDeviation).map { Float(-$0 / $1) }
        var result = [Float](repeating: 0, count: values.count)
        result.withUnsafeMutableBufferPointer { output in
            values.withUnsafeBufferPointer { input in
                for example in 0..<count {
                    for channel in 0..<shape.channels {
                        let (scale, offset) = (scales[channel], offsets[channel])
                        let start = (example * shape.channels + channel) * planeSize
                        for index in start..<(start + planeSize) { output[index] = Float(input[index]) * scale + offset }
                    }
                }
            }
        }
        return Tensor(shape: pixels.shape, scalars: result, on: pixels.device)
    }
}

/// Random changes to training images, drawn afresh for every batch from the run's seed (the
/// same seed gives the same changes): torchvision's `RandomCrop(size, padding=P)` and
/// `RandomHorizontalFlip()`.
public struct ImageAugmentation: Sendable, Hashable, CustomStringConvertible {
    /// Pads every side with this many black pixels, then crops the original size at a random
    /// offset (0 for none).
    public var cropPadding: Int
    /// Mirrors each image left to right with probability ½.
    public var horizontalFlip: Bool

    /// An augmentation with the given crop padding and flip; by default none of either.
    public init(cropPadding: Int = 0, horizontalFlip: Bool = false) {
        self.cropPadding = cropPadding
        self.horizontalFlip = horizontalFlip
    }

    /// `--augment`'s form: "crop=P", "flip", or both separated by a comma.
    public var description: String {
        ((cropPadding > 0 ? ["crop=\(cropPadding)"] : []) + (horizontalFlip ? ["flip"] : [])).joined(separator: ",")
    }

    /// Parses `--augment`: comma-separated `crop=P` (P ≥ 1) and `flip`.
    ///
    /// - Throws: ``DataError`` (`.invalidArgument`) for anything else.
    public init(parsing text: String) throws {
        self.init()
        for item in text.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) {
            if item == "flip" {
                horizontalFlip = true
            } else if item.hasPrefix("crop="), let padding = Int(item.dropFirst(5)), padding >= 1, padding <= 1024 {
                cropPadding = padding
            } else {
                throw DataError(.invalidArgument, "expected crop=P (P from 1 to 1024) or flip, comma-separated; found \"\(item)\" in \"\(text)\"")
            }
        }
        if cropPadding == 0 && !horizontalFlip {
            throw DataError(.invalidArgument, "expected crop=P and/or flip, found \"\(text)\"")
        }
    }

    /// Changes `count` images of `shape` (planar uint8) in place, each with its own draws.
    func apply(to values: inout [UInt8], shape: ImageShape, count: Int, using generator: inout RandomGenerator) {
        let (height, width, planeSize) = (shape.height, shape.width, shape.height * shape.width)
        var plane = [UInt8](repeating: 0, count: planeSize)
        for example in 0..<count {
            // The draws are made whether or not they change the image, so one option's draws
            // do not depend on the other's outcome.
            let dy = cropPadding > 0 ? Int(generator.next() % UInt64(2 * cropPadding + 1)) - cropPadding : 0
            let dx = cropPadding > 0 ? Int(generator.next() % UInt64(2 * cropPadding + 1)) - cropPadding : 0
            let flip = horizontalFlip && generator.next() & 1 == 1
            if dy == 0 && dx == 0 && !flip { continue }
            for channel in 0..<shape.channels {
                let start = (example * shape.channels + channel) * planeSize
                for y in 0..<height {
                    let sourceY = y + dy
                    for x in 0..<width {
                        let sourceX = (flip ? width - 1 - x : x) + dx
                        plane[y * width + x] = sourceY >= 0 && sourceY < height && sourceX >= 0 && sourceX < width
                            ? values[start + sourceY * width + sourceX] : 0
                    }
                }
                values.replaceSubrange(start..<(start + planeSize), with: plane)
            }
        }
    }
}
