import Foundation

/// The two parts of MNIST (and of Fashion-MNIST, which uses the same file names).
public enum MNISTPart: String, Sendable, CaseIterable {
    /// 60,000 training images (`train-*` files).
    case train
    /// 10,000 test images (`t10k-*` files).
    case test

    /// The file names' prefix.
    public var filePrefix: String { self == .train ? "train" : "t10k" }

    /// The names of the images and labels files, uncompressed (`train-images-idx3-ubyte`…).
    public var fileNames: (images: String, labels: String) {
        ("\(filePrefix)-images-idx3-ubyte", "\(filePrefix)-labels-idx1-ubyte")
    }

    /// The file in `folder` holding this part's images or labels: the usual name with or without
    /// `.gz`, or with a dot before `idx` as some mirrors spell it.
    func url(images: Bool, in folder: URL) -> URL? {
        let base = images ? fileNames.images : fileNames.labels
        let dotted = base.replacingOccurrences(of: "s-idx", with: "s.idx")
        for name in [base + ".gz", base, dotted + ".gz", dotted] {
            let url = folder.appendingPathComponent(name)
            if FileManager.default.fileExists(atPath: url.path) { return url }
        }
        return nil
    }
}

extension Dataset {
    /// One part of MNIST from the IDX files in `directory` (plain or gzip-compressed).
    ///
    /// Features are float32 `[count, rows × columns]` (`[count, 784]`): the pixels divided by
    /// 255, so in [0, 1], as torchvision's `ToTensor` makes them. Labels are int32 class indices
    /// 0–9, class names "0"…"9".
    ///
    /// - Throws: ``DataError`` if a file is missing, not IDX bytes of the expected shape, or the
    ///   images and labels disagree in number.
    public static func mnist(_ part: MNISTPart, directory: URL) throws -> Dataset {
        try mnistPart(part, directory: directory).dataset
    }

    /// One part of MNIST, with the size of its images and the file they came from.
    private static func mnistPart(_ part: MNISTPart, directory: URL)
        throws -> (dataset: Dataset, rows: Int, columns: Int, file: URL) {
        guard let imagesURL = part.url(images: true, in: directory) else {
            throw DataError(.fileNotFound, file: directory.appendingPathComponent(part.fileNames.images).path,
                            "no MNIST \(part) images: expected \(part.fileNames.images) or \(part.fileNames.images).gz")
        }
        guard let labelsURL = part.url(images: false, in: directory) else {
            throw DataError(.fileNotFound, file: directory.appendingPathComponent(part.fileNames.labels).path,
                            "no MNIST \(part) labels: expected \(part.fileNames.labels) or \(part.fileNames.labels).gz")
        }
        let images = try IDXArray(contentsOf: imagesURL)
        guard images.elementType == .uint8, images.shape.count == 3 else {
            throw DataError(.corrupt, file: imagesURL.path,
                            "expected MNIST images: unsigned bytes of shape [count, rows, columns], found \(images.elementType) of shape \(images.shape)")
        }
        // An image of no pixels would reach the network as a row of no features.
        guard images.shape[1] > 0, images.shape[2] > 0 else {
            throw DataError(.corrupt, file: imagesURL.path,
                            "expected images of at least 1×1 pixels, found shape \(images.shape) (\(images.shape[1])×\(images.shape[2]) pixels)")
        }
        let labels = try IDXArray(contentsOf: labelsURL)
        guard labels.elementType == .uint8, labels.shape.count == 1 else {
            throw DataError(.corrupt, file: labelsURL.path,
                            "expected MNIST labels: unsigned bytes of shape [count], found \(labels.elementType) of shape \(labels.shape)")
        }
        guard labels.shape[0] == images.shape[0] else {
            throw DataError(.corrupt, file: labelsURL.path,
                            "\(counted(labels.shape[0], "label")) for \(counted(images.shape[0], "image")) in \(imagesURL.lastPathComponent)")
        }
        let labelTensor = labels.tensor(dtype: .int32)
        if let bad = labelTensor.scalars(as: Int32.self).firstIndex(where: { $0 > 9 }) {
            throw DataError(.corrupt, file: labelsURL.path, offset: 8 + bad,
                            "label \(bad) is \(labelTensor.scalars(as: Int32.self)[bad]); expected a digit 0–9")
        }
        var pixels = images.tensor(dtype: .float32).reshaped(to: [images.shape[0], images.shape[1] * images.shape[2]])
        // Divided in place: `pixels / 255` would hold a second copy (188 MB for the training set).
        pixels.withUnsafeMutableBufferPointer(as: Float.self) { values in
            for i in values.indices { values[i] /= 255 }
        }
        let dataset = Dataset(features: pixels, labels: labelTensor, task: .classification, classCount: 10,
                              classNames: (0..<10).map(String.init))
        return (dataset, images.shape[1], images.shape[2], imagesURL)
    }

    /// Both parts of MNIST from the four IDX files in `directory`.
    ///
    /// - Throws: what ``mnist(_:directory:)`` throws; ``DataError`` (`.corrupt`) when the test
    ///   images are not the training images' size (a network for one would fail on the other
    ///   after an epoch of training), naming both files and sizes.
    public static func mnist(directory: URL) throws -> (train: Dataset, test: Dataset) {
        let train = try mnistPart(.train, directory: directory)
        let test = try mnistPart(.test, directory: directory)
        guard (test.rows, test.columns) == (train.rows, train.columns) else {
            throw DataError(.corrupt, file: test.file.path,
                            "the test images are \(test.rows)×\(test.columns) pixels, but the training images in "
                                + "\(train.file.lastPathComponent) are \(train.rows)×\(train.columns); both parts must have one size")
        }
        return (train.dataset, test.dataset)
    }
}
