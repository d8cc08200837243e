import Foundation
import Testing

/// The shared MNIST files (`shared/data/mnist` above the package), when this checkout has them.
let sharedMNIST: URL? = {
    var folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    for _ in 0..<6 {
        folder = folder.deletingLastPathComponent()
        let candidate = folder.appendingPathComponent("shared/data/mnist")
        if FileManager.default.fileExists(atPath: candidate.appendingPathComponent("t10k-labels-idx1-ubyte.gz").path) {
            return candidate
        }
    }
    return nil
}()

let mnistFileNames = ["train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
                      "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"]

@Suite struct DatasetsCommandTests {
    /// A folder holding copies of the shared MNIST files: a mirror for `--mirror file://…`.
    func mirrorFolder(in folder: URL) throws -> URL {
        let mirror = folder.appendingPathComponent("mirror")
        try FileManager.default.createDirectory(at: mirror, withIntermediateDirectories: true)
        for name in mnistFileNames {
            try FileManager.default.copyItem(at: try #require(sharedMNIST).appendingPathComponent(name),
                                            to: mirror.appendingPathComponent(name))
        }
        return mirror
    }

    @Test("fetch mnist into the per-user cache from file:// mirrors, again, list, train",
          .enabled(if: sharedMNIST != nil, "the shared MNIST folder (shared/data/mnist) is absent"))
    func fetchIntoTheCacheSkipAndList() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let mirror = try mirrorFolder(in: folder)
        let cache = folder.appendingPathComponent("cache")
        let environment = ["XDG_CACHE_HOME": cache.path, "DESCENT_DATA": ""]
        // The first mirror has nothing: every file comes from the second.
        let arguments = ["datasets", "fetch", "mnist", "--mirror", folder.appendingPathComponent("nothing-here").absoluteString,
                         "--mirror", mirror.absoluteString]

        let first = try descent(arguments, in: folder, environment: environment)
        #expect(first.status == 0, "\(first.standardError)")
        let destination = cache.appendingPathComponent("descent/mnist")
        #expect(first.standardOutput.contains("Fetching mnist into \(destination.path)"))
        #expect(first.standardOutput.components(separatedBy: "failed: no such file").count == 5)
        #expect(first.standardOutput.components(separatedBy: "SHA-256 checked").count == 5)
        #expect(first.standardOutput.contains("train-images-idx3-ubyte.gz: saved (9.7 MB)"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: destination.path).sorted() == mnistFileNames.sorted())
        for name in mnistFileNames {
            #expect(FileManager.default.contentsEqual(atPath: destination.appendingPathComponent(name).path,
                                                      andPath: mirror.appendingPathComponent(name).path))
        }

        let second = try descent(arguments, in: folder, environment: environment)
        #expect(second.status == 0, "\(second.standardError)")
        #expect(second.standardOutput.components(separatedBy: "already there").count == 5)
        #expect(!second.standardOutput.contains("downloading"))

        let list = try descent(["datasets", "list"], in: folder, environment: environment)
        #expect(list.status == 0, "\(list.standardError)")
        #expect(list.standardOutput.contains("mnist    70,000 28×28 handwritten digits, 10 classes: in \(destination.path) (the per-user cache)"))
        #expect(list.standardOutput.contains("digits   1,797 8×8 handwritten digits"))

        // `descent train mnist` finds the files in the cache (one step: this is about finding them).
        let train = try descent(["train", "mnist", "--steps", "1", "--layers", "8,relu", "--json"], in: folder,
                                environment: environment)
        #expect(train.status == 0, "\(train.standardError)")
        let metrics = try jsonObject(train.standardOutput)
        #expect(metrics["val_accuracy"] is Double)  // measured on MNIST's 10,000 test images
    }

    @Test func aMismatchingFileIsAnErrorAndNothingIsWritten() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let mirror = folder.appendingPathComponent("mirror")
        try FileManager.default.createDirectory(at: mirror, withIntermediateDirectories: true)
        // Not gzip data, so its sum is taken as it is (`printf 'not mnist' | sha256sum`).
        try Data("not mnist".utf8).write(to: mirror.appendingPathComponent("train-images-idx3-ubyte.gz"))
        let destination = folder.appendingPathComponent("mnist")

        let result = try descent(["datasets", "fetch", "mnist", "--directory", destination.path, "--mirror", mirror.absoluteString],
                                 in: folder)
        #expect(result.status != 0)
        let error = result.standardError
        #expect(error.contains("train-images-idx3-ubyte.gz"))
        #expect(error.contains(mirror.appendingPathComponent("train-images-idx3-ubyte.gz").absoluteString))
        #expect(error.contains("expected SHA-256 440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609 or "))
        #expect(error.contains("or ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db (of its uncompressed contents)"))
        #expect(error.contains("found 3ef83aa954827a43e4b22ac9b3b65b42aa0cf4bc649ff0fa38a4d18e5ba50b63"))
        // Nothing at all: not even the folder the fetch made for the files.
        #expect(!FileManager.default.fileExists(atPath: destination.path))
    }

    @Test func unknownDatasetsAndBadMirrors() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let unknown = try descent(["datasets", "fetch", "imagenet"], in: folder)
        #expect(unknown.status != 0)
        #expect(unknown.standardError.contains("cannot fetch \"imagenet\": the datasets to download are mnist, cifar10; digits, xor"))
        let ftp = try descent(["datasets", "fetch", "mnist", "--directory", "out", "--mirror", "ftp://example.com/mnist/"], in: folder)
        #expect(ftp.status != 0)
        #expect(ftp.standardError.contains("cannot download from a ftp URL"))
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("out").path))
    }

    /// Six CIFAR-10 batch files of `records` made-up records each in `folder`.
    func writeTinyCIFAR10(into folder: URL, records: Int = 2) throws {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        for (file, name) in ((1...5).map { "data_batch_\($0).bin" } + ["test_batch.bin"]).enumerated() {
            var bytes: [UInt8] = []
            for record in 0..<records {
                bytes.append(UInt8((file * records + record) % 10))
                bytes += (0..<3072).map { (pixel: Int) -> UInt8 in UInt8(truncatingIfNeeded: pixel * (record + 1)) }
            }
            try Data(bytes).write(to: folder.appendingPathComponent(name))
        }
    }

    @Test func cifar10IsListedTrainedOnAndItsChecksumChecked() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let cache = folder.appendingPathComponent("cache")
        let environment = ["XDG_CACHE_HOME": cache.path, "DESCENT_DATA": ""]

        let missing = try descent(["datasets", "list"], in: folder, environment: environment)
        #expect(missing.status == 0, "\(missing.standardError)")
        #expect(missing.standardOutput.contains("cifar10  60,000 32×32 colour images, 10 classes: not found; looked in"))
        #expect(missing.standardOutput.contains("`descent datasets fetch cifar10` downloads it to \(cache.path)/descent/cifar10"))

        let data = folder.appendingPathComponent("data")
        try writeTinyCIFAR10(into: data.appendingPathComponent("cifar-10-batches-bin"))
        let found = try descent(["datasets", "list", "--data-dir", data.path], in: folder, environment: environment)
        #expect(found.standardOutput.contains("cifar10  60,000 32×32 colour images, 10 classes: in \(data.path)/cifar-10-batches-bin (--data-dir)"))

        let train = try descent(["train", "cifar10", "--data-dir", data.path, "--steps", "1", "--layers", "8,relu", "--json"],
                                in: folder, environment: environment)
        #expect(train.status == 0, "\(train.standardError)")
        #expect(try jsonObject(train.standardOutput)["val_accuracy"] is Double)  // on the 2 test records
        let notFound = try descent(["train", "cifar10", "--steps", "1"], in: folder, environment: environment)
        #expect(notFound.status != 0)
        #expect(notFound.standardError.contains("CIFAR-10 was not found"))
        #expect(notFound.standardError.contains("--data-dir FOLDER"))

        // A mirror serving something else: the MD5 does not match and nothing is written.
        let mirror = folder.appendingPathComponent("mirror")
        try FileManager.default.createDirectory(at: mirror, withIntermediateDirectories: true)
        try Data("not cifar".utf8).write(to: mirror.appendingPathComponent("cifar-10-binary.tar.gz"))
        let fetch = try descent(["datasets", "fetch", "cifar10", "--mirror", mirror.path], in: folder, environment: environment)
        #expect(fetch.status != 0)
        #expect(fetch.standardOutput.contains("Fetching cifar10 into \(cache.path)/descent/cifar10"))
        #expect(fetch.standardError.contains("expected MD5 c32a1d4ab5d03f1284b67883e8d87530"))
        // Not even the cache folders the fetch made: they were empty when it failed.
        #expect(!FileManager.default.fileExists(atPath: cache.appendingPathComponent("descent").path))
    }
}
