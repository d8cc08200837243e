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
        #expect(error.contains("expected SHA-256 ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db"))
        #expect(error.contains("found 3ef83aa954827a43e4b22ac9b3b65b42aa0cf4bc649ff0fa38a4d18e5ba50b63"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: destination.path) == [])
    }

    @Test func unknownDatasetsAndBadMirrors() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let unknown = try descent(["datasets", "fetch", "cifar10"], in: folder)
        #expect(unknown.status != 0)
        #expect(unknown.standardError.contains("cannot fetch \"cifar10\": the datasets to download are mnist"))
        let ftp = try descent(["datasets", "fetch", "mnist", "--directory", "out", "--mirror", "ftp://example.com/mnist/"], in: folder)
        #expect(ftp.status != 0)
        #expect(ftp.standardError.contains("cannot download from a ftp URL"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.appendingPathComponent("out").path) == [])
    }
}
