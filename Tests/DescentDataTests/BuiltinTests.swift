import Descent
import Foundation
import Testing
import _DescentTestSupport

@Suite("Built-in and synthetic datasets")
struct BuiltinTests {
    @Test func digitsAreEmbedded() throws {
        let digits = try Dataset.digits()
        #expect(digits.count == 1797 && digits.features.shape == [1797, 64])
        #expect(digits.task == .classification && digits.classCount == 10)
        #expect(digits.classNames == (0..<10).map(String.init))
        #expect(digits.featureNames?.first == "pixel_0_0" && digits.featureNames?.last == "pixel_7_7")
        let pixels = digits.features.scalars(as: Float.self)
        #expect(pixels.min() == 0 && pixels.max() == 1)
        // The first image of scikit-learn's load_digits is a 0: its first row is 0 0 5 13 9 1 0 0.
        #expect(Array(pixels[0..<8]) == [0, 0, 5, 13, 9, 1, 0, 0].map { Float($0) / 16 })
        #expect(Array(digits.labels.scalars(as: Int32.self).prefix(10)) == Array(0..<10))
    }

    /// A folder holding a two-image MNIST look-alike (3×4 pixels) under the usual names.
    func tinyMNIST(labels: [UInt8] = [3, 9]) throws -> URL {
        let folder = scratchFolder.appendingPathComponent("descent-mnist-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let images = fixtureURL("idx/images-ubyte.idx.gz", in: .module)
        let labelBytes = Data([0, 0, 8, 1, 0, 0, 0, UInt8(labels.count)] + labels)
        for part in MNISTPart.allCases {
            try FileManager.default.copyItem(at: images, to: folder.appendingPathComponent(part.fileNames.images + ".gz"))
            try labelBytes.write(to: folder.appendingPathComponent(part.fileNames.labels))
        }
        return folder
    }

    @Test func mnistFromAFolder() throws {
        let folder = try tinyMNIST()
        defer { try? FileManager.default.removeItem(at: folder) }
        let (train, test) = try Dataset.mnist(directory: folder)
        for data in [train, test] {
            #expect(data.features.shape == [2, 12] && data.features.dtype == .float32)
            expectClose(data.features.flattened(), Tensor((0..<24).map { Float($0 * 10) / 255 }))
            #expect(data.labels.dtype == .int32 && data.labels.scalars(as: Int32.self) == [3, 9])
            #expect(data.task == .classification && data.classCount == 10)
        }
    }

    @Test func mnistErrors() throws {
        let mismatched = try tinyMNIST(labels: [1, 2, 3])
        defer { try? FileManager.default.removeItem(at: mismatched) }
        let count = try #require(throws: DataError.self) { try Dataset.mnist(.test, directory: mismatched) }
        #expect(count.kind == .corrupt && count.description.contains("3 labels for 2 images"))

        let badLabel = try tinyMNIST(labels: [1, 12])
        defer { try? FileManager.default.removeItem(at: badLabel) }
        let label = try #require(throws: DataError.self) { try Dataset.mnist(.train, directory: badLabel) }
        #expect(label.offset == 9 && label.description.contains("12"))

        let empty = scratchFolder.appendingPathComponent("descent-none-\(UUID().uuidString)")
        let missing = try #require(throws: DataError.self) { try Dataset.mnist(.train, directory: empty) }
        #expect(missing.kind == .fileNotFound && missing.description.contains("train-images-idx3-ubyte"))
    }

    @Test("MNIST test part from the shared data folder",
          .enabled(if: SharedData.mnist != nil, "the shared MNIST folder (shared/data/mnist) is absent"))
    func realMNISTTestPart() throws {
        let test = try Dataset.mnist(.test, directory: SharedData.mnist!)
        #expect(test.count == 10000 && test.features.shape == [10000, 784])
        #expect(Array(test.labels.scalars(as: Int32.self).prefix(5)) == [7, 2, 1, 0, 4])
        let firstImage = test.features[0].scalars(as: Float.self)
        #expect(firstImage.min() == 0 && firstImage.max() == 1)
        #expect(firstImage.filter { $0 > 0 }.count > 50)
    }

    @Test func locatorOrder() throws {
        let home = URL(fileURLWithPath: "/home/someone")
        let data = try tinyMNIST()
        defer { try? FileManager.default.removeItem(at: data) }
        let root = data.deletingLastPathComponent()

        // An explicit folder is the only place looked at, directly or its mnist subfolder.
        let explicit = MNISTLocator(dataDirectory: data, environment: ["DESCENT_DATA": "/elsewhere"], homeDirectory: home)
        #expect(try explicit.locate() == data)
        #expect(explicit.candidates.map(\.folder.path) == [data.path, data.appendingPathComponent("mnist").path])

        // $DESCENT_DATA, then the cache.
        let environment = MNISTLocator(environment: ["DESCENT_DATA": data.path], homeDirectory: home)
        #expect(try environment.locate().path == data.path)
        let cache = MNISTLocator(environment: ["XDG_CACHE_HOME": root.path], homeDirectory: home)
        #expect(cache.cacheDirectory.path == root.appendingPathComponent("descent/mnist").path)
        let plain = MNISTLocator(environment: [:], homeDirectory: home)
        #if os(macOS)
        #expect(plain.cacheDirectory.path == "/home/someone/Library/Caches/descent/mnist")
        #else
        #expect(plain.cacheDirectory.path == "/home/someone/.cache/descent/mnist")
        #endif
        #expect(MNISTLocator.containsMNIST(data))
        #expect(!MNISTLocator.containsMNIST(root.appendingPathComponent("no-such-folder")))
    }

    @Test func locatorErrorListsThePlacesLookedAt() throws {
        let home = URL(fileURLWithPath: "/nonexistent-home")
        let locator = MNISTLocator(environment: ["DESCENT_DATA": "/nonexistent-data"], homeDirectory: home)
        let error = try #require(throws: DataError.self) { try locator.locate() }
        #expect(error.kind == .fileNotFound)
        for place in ["/nonexistent-data ($DESCENT_DATA)", "/nonexistent-data/mnist ($DESCENT_DATA)",
                      "(the per-user cache)", "descent datasets fetch mnist", "name the folder", "t10k-labels-idx1-ubyte"] {
            #expect(error.description.contains(place), "missing \(place) in: \(error)")
        }
    }

    @Test func xor() {
        let data = Dataset.xor()
        #expect(data.features.scalars(as: Float.self) == [0, 0, 0, 1, 1, 0, 1, 1])
        #expect(data.labels.scalars(as: Int32.self) == [0, 1, 1, 0])
        #expect(data.task == .binary)
    }

    @Test func twoMoons() {
        let data = Dataset.twoMoons(count: 101, noise: 0, seed: 3)
        #expect(data.features.shape == [101, 2] && data.task == .binary)
        let labels = data.labels.scalars(as: Int32.self)
        #expect(labels.filter { $0 == 0 }.count == 50 && labels.filter { $0 == 1 }.count == 51)
        let xy = data.features.scalars(as: Float.self)
        for (i, label) in labels.enumerated() {
            let (x, y) = (Double(xy[2 * i]), Double(xy[2 * i + 1]))
            // Without noise each point lies on its unit half circle.
            let (cx, cy) = label == 0 ? (0.0, 0.0) : (1.0, 0.5)
            #expect(Swift.abs(((x - cx) * (x - cx) + (y - cy) * (y - cy)).squareRoot() - 1) < 1e-5)
            #expect(label == 0 ? y >= -1e-6 : y <= 0.5 + 1e-6)
        }
        // Seeded: the same points for the same seed, others for another.
        #expect(Dataset.twoMoons(seed: 1).features.scalars(as: Float.self) == Dataset.twoMoons(seed: 1).features.scalars(as: Float.self))
        #expect(Dataset.twoMoons(seed: 1).features.scalars(as: Float.self) != Dataset.twoMoons(seed: 2).features.scalars(as: Float.self))
        // Noise moves points off the circles by about its standard deviation.
        let noisy = Dataset.twoMoons(count: 2000, noise: 0.1, seed: 3)
        let clean = Dataset.twoMoons(count: 2000, noise: 0, seed: 3)
        let difference = (noisy.features - clean.features).squared().mean().doubleValue.squareRoot()
        #expect(Swift.abs(difference - 0.1) < 0.01)
    }

    @Test func circles() {
        let data = Dataset.circles(count: 100, noise: 0, factor: 0.3, seed: 5)
        let labels = data.labels.scalars(as: Int32.self)
        let xy = data.features.scalars(as: Float.self)
        for (i, label) in labels.enumerated() {
            let radius = (Double(xy[2 * i]) * Double(xy[2 * i]) + Double(xy[2 * i + 1]) * Double(xy[2 * i + 1])).squareRoot()
            #expect(Swift.abs(radius - (label == 0 ? 1 : 0.3)) < 1e-5)
        }
        #expect(labels.filter { $0 == 1 }.count == 50 && data.classNames == ["0", "1"])
    }

    @Test func spirals() {
        let data = Dataset.spirals(count: 301, classes: 4, noise: 0.2, seed: 9)
        #expect(data.features.shape == [301, 2] && data.task == .classification && data.classCount == 4)
        let labels = data.labels.scalars(as: Int32.self)
        #expect((0..<4).map { arm in labels.filter { $0 == arm }.count } == [76, 75, 75, 75])
        let xy = data.features.scalars(as: Float.self)
        #expect(xy.allSatisfy { Swift.abs($0) <= 1 + 1e-6 })   // radius at most 1
        #expect(Dataset.spirals(seed: 4).labels.scalars(as: Int32.self) == Dataset.spirals(seed: 4).labels.scalars(as: Int32.self))
    }
}
