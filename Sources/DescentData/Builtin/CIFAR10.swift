import Foundation

/// The two parts of CIFAR-10's binary version (`cifar-10-batches-bin`).
public enum CIFAR10Part: String, Sendable, CaseIterable {
    /// 50,000 training images in five files (`data_batch_1.bin` … `data_batch_5.bin`).
    case train
    /// 10,000 test images (`test_batch.bin`).
    case test

    /// The part's files, in the order their records are read.
    public var fileNames: [String] {
        self == .train ? (1...5).map { "data_batch_\($0).bin" } : ["test_batch.bin"]
    }
}

extension Dataset {
    /// CIFAR-10's classes, by label: the publisher's `batches.meta.txt`.
    public static let cifar10ClassNames = ["airplane", "automobile", "bird", "cat", "deer",
                                           "dog", "frog", "horse", "ship", "truck"]

    /// The bytes of one CIFAR-10 record: a label byte, then 32 × 32 red, green and blue bytes.
    static let cifar10RecordSize = 1 + 3 * 32 * 32

    /// One part of CIFAR-10 from the binary files in `directory` (see ``CIFAR10Part``).
    ///
    /// Features are float32 `[count, 3072]`: each image's bytes as the file stores them (the red
    /// plane, then green, then blue, each 32 rows of 32) divided by 255, so in [0, 1] as
    /// torchvision's `ToTensor` makes them. Reshaped to `[count, 3, 32, 32]` they are the
    /// channels-first images a convolution takes. Labels are int32 class indices 0–9, named by
    /// ``cifar10ClassNames``.
    ///
    /// - Throws: ``DataError``: `.fileNotFound` for a missing file; `.truncated` for an empty
    ///   file or one that ends inside a record (a record is 3,073 bytes); `.corrupt` for a label
    ///   above 9.
    public static func cifar10(_ part: CIFAR10Part, directory: URL) throws -> Dataset {
        let recordSize = cifar10RecordSize, pixelCount = recordSize - 1
        var files: [(url: URL, bytes: [UInt8])] = []
        for name in part.fileNames {
            let url = directory.appendingPathComponent(name)
            guard FileManager.default.fileExists(atPath: url.path) else {
                throw DataError(.fileNotFound, file: url.path, "no CIFAR-10 \(part) file: expected \(part.fileNames.joined(separator: ", "))")
            }
            let bytes = try Files.read(url)
            guard !bytes.isEmpty else {
                throw DataError(.truncated, file: url.path, offset: 0, "the file is empty; expected CIFAR-10 records of \(recordSize) bytes")
            }
            guard bytes.count % recordSize == 0 else {
                let whole = bytes.count / recordSize
                throw DataError(.truncated, file: url.path, offset: whole * recordSize, """
                    the file ends inside record \(whole) (\(bytes.count - whole * recordSize) of its \(recordSize) bytes): \
                    \(bytes.count) bytes is not a whole number of CIFAR-10 records (1 label byte and 3,072 pixel bytes each)
                    """)
            }
            if let bad = stride(from: 0, to: bytes.count, by: recordSize).first(where: { bytes[$0] > 9 }) {
                throw DataError(.corrupt, file: url.path, offset: bad,
                                "record \(bad / recordSize) has the label \(bytes[bad]); expected a class index 0–9")
            }
            files.append((url, bytes))
        }
        let count = files.reduce(0) { $0 + $1.bytes.count / recordSize }
        var features = Tensor.zeros([count, pixelCount])
        var labels = [Int32](repeating: 0, count: count)
        features.withUnsafeMutableBufferPointer(as: Float.self) { values in
            var example = 0
            for file in files {
                file.bytes.withUnsafeBufferPointer { bytes in
                    for record in stride(from: 0, to: bytes.count, by: recordSize) {
                        labels[example] = Int32(bytes[record])
                        let row = example * pixelCount
                        for pixel in 0..<pixelCount {
                            values[row + pixel] = Float(bytes[record + 1 + pixel]) / 255
                        }
                        example += 1
                    }
                }
            }
        }
        return Dataset(features: features, labels: Tensor(shape: [count], scalars: labels), task: .classification,
                       classCount: 10, classNames: cifar10ClassNames)
    }

    /// Both parts of CIFAR-10 from the six binary files in `directory`.
    public static func cifar10(directory: URL) throws -> (train: Dataset, test: Dataset) {
        (try cifar10(.train, directory: directory), try cifar10(.test, directory: directory))
    }
}

/// Finds the folder that holds CIFAR-10's binary files, the way ``MNISTLocator`` finds MNIST's.
///
/// Where it looks, in order:
/// 1. the folder given explicitly (``dataDirectory``), or its `cifar10` or
///    `cifar-10-batches-bin` subfolder — and nowhere else;
/// 2. otherwise `$DESCENT_DATA`, or its `cifar10` or `cifar-10-batches-bin` subfolder;
/// 3. then the per-user cache that `descent datasets fetch cifar10` fills (``cacheDirectory``),
///    the `cifar10` folder beside MNIST's.
///
/// A folder qualifies when it holds the six files of both parts (see ``CIFAR10Part``).
public struct CIFAR10Locator: Sendable {
    /// The folder the user named, if any.
    public var dataDirectory: URL?
    /// The environment to read `DESCENT_DATA` and `XDG_CACHE_HOME` from.
    public var environment: [String: String]
    /// The user's home folder.
    public var homeDirectory: URL

    /// A locator for the current process.
    public init(dataDirectory: URL? = nil,
                environment: [String: String] = ProcessInfo.processInfo.environment,
                homeDirectory: URL = FileManager.default.homeDirectoryForCurrentUser) {
        self.dataDirectory = dataDirectory
        self.environment = environment
        self.homeDirectory = homeDirectory
    }

    /// The per-user cache folder for CIFAR-10, where a download should put the files.
    public var cacheDirectory: URL {
        MNISTLocator(environment: environment, homeDirectory: homeDirectory).cacheDirectory
            .deletingLastPathComponent().appendingPathComponent("cifar10")
    }

    /// The folders looked at, in order, each with where it came from.
    public var candidates: [(folder: URL, origin: MNISTLocator.Origin)] {
        func withSubfolders(_ folder: URL, _ origin: MNISTLocator.Origin) -> [(URL, MNISTLocator.Origin)] {
            [(folder, origin), (folder.appendingPathComponent("cifar10"), origin),
             (folder.appendingPathComponent("cifar-10-batches-bin"), origin)]
        }
        if let dataDirectory { return withSubfolders(dataDirectory, .given) }
        var result: [(URL, MNISTLocator.Origin)] = []
        if let root = environment["DESCENT_DATA"], !root.isEmpty {
            result += withSubfolders(URL(fileURLWithPath: root), .environment)
        }
        result.append((cacheDirectory, .cache))
        return result
    }

    /// Whether `folder` holds all six CIFAR-10 files.
    public static func containsCIFAR10(_ folder: URL) -> Bool {
        CIFAR10Part.allCases.flatMap(\.fileNames).allSatisfy {
            FileManager.default.fileExists(atPath: folder.appendingPathComponent($0).path)
        }
    }

    /// The first candidate folder that holds CIFAR-10.
    ///
    /// - Throws: ``DataError`` (`.fileNotFound`) listing every folder looked at and how to get
    ///   the files.
    public func locate() throws -> URL {
        let candidates = candidates
        if let found = candidates.first(where: { Self.containsCIFAR10($0.folder) }) { return found.folder }
        let places = candidates.map { "  \($0.folder.path) (\($0.origin))" }.joined(separator: "\n")
        let names = CIFAR10Part.allCases.flatMap(\.fileNames).joined(separator: ", ")
        throw DataError(.fileNotFound, """
            CIFAR-10 was not found. Looked for \(names) in:
            \(places)
            Download it with `descent datasets fetch cifar10` (or `DownloadableDataset.cifar10`), or name the folder that holds it.
            """)
    }
}
