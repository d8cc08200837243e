import Descent
import Foundation
import Testing
import _DescentTestSupport

/// The `faces` image folder of the shared data (200 grayscale 25×25 PNG), found beside the
/// repository or through `$DESCENT_SHARED_DATA`; the tests that need it are skipped without it.
let facesFolder: URL? = {
    var candidates: [URL] = []
    if let shared = ProcessInfo.processInfo.environment["DESCENT_SHARED_DATA"] {
        candidates.append(URL(fileURLWithPath: shared).appendingPathComponent("faces"))
    }
    var directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    for _ in 0..<6 {
        directory = directory.deletingLastPathComponent()
        candidates.append(directory.appendingPathComponent("shared/data/faces"))
    }
    return candidates.first { FileManager.default.fileExists(atPath: $0.appendingPathComponent("face").path) }
}()

@Suite("Images: PNG and JPEG decoding, image folders, per-batch conversion")
struct ImageTests {
    func url(_ name: String) -> URL { fixtureURL("images/\(name)", in: .module) }

    /// Pillow's decode of each fixture (see make_images.py).
    struct Expected: Decodable {
        var width: Int, height: Int, channels: Int, pixels: [Int]
    }

    func expected() throws -> [String: Expected] {
        try JSONDecoder().decode([String: Expected].self, from: Data(contentsOf: url("expected.json")))
    }

    @Test(arguments: ["gray.png", "rgb.png", "palette.png", "rgba.png"])
    func decodesPNGExactlyAsPillow(name: String) throws {
        let image = try Image.read(contentsOf: url(name))
        let pillow = try #require(try expected()[name])
        #expect(image.width == pillow.width && image.height == pillow.height && image.channels == pillow.channels)
        #expect(image.pixels.map(Int.init) == pillow.pixels)
    }

    @Test(arguments: ["rgb.jpg", "gray.jpg", "progressive.jpg"])
    func decodesJPEGCloseToPillow(name: String) throws {
        let image = try Image.read(contentsOf: url(name))
        let pillow = try #require(try expected()[name])
        #expect(image.width == pillow.width && image.height == pillow.height && image.channels == pillow.channels)
        let largest = zip(image.pixels, pillow.pixels).map { abs(Int($0) - $1) }.max() ?? 0
        #expect(image.pixels.count == pillow.pixels.count && largest <= 2, "largest difference \(largest)")
    }

    @Test func refusesFilesThatAreNotImagesNamingThem() throws {
        for name in ["text.png", "truncated.png", "truncated.jpg"] {
            let error = try #require(throws: DataError.self) { try Image.read(contentsOf: url(name)) }
            #expect(error.kind == .corrupt && error.file == url(name).path, "\(name): \(error)")
            #expect("\(error)".contains(name))
        }
    }

    @Test func refusesAbsurdDimensionsBeforeAllocating() throws {
        let error = try #require(throws: DataError.self) { try Image.read(contentsOf: url("huge.png")) }
        #expect(error.kind == .unsupported && error.file == url("huge.png").path)
        #expect(error.message.contains("100000×100000"), "\(error)")
    }

    @Test func resizesBilinearlyWithoutAntialiasing() {
        let image = Image(width: 4, height: 4, channels: 1, pixels: (0..<16).map { UInt8($0 * 10) })
        // Halving: each output pixel's centre falls between four inputs, their mean.
        let half = image.resized(height: 2, width: 2)
        #expect(half.pixels == [25, 45, 105, 125])
        #expect(image.resized(height: 4, width: 4) == image)
        // Doubling: the outer pixels repeat the edge, the inner blend 3:1 (PyTorch's half-pixel centres).
        let small = Image(width: 2, height: 1, channels: 1, pixels: [0, 100])
        #expect(small.resized(height: 1, width: 4).pixels == [0, 25, 75, 100])
        let colour = Image(width: 2, height: 1, channels: 3, pixels: [0, 10, 20, 100, 110, 120])
        #expect(colour.resized(height: 1, width: 4).pixels == [0, 10, 20, 25, 35, 45, 75, 85, 95, 100, 110, 120])
    }

    @Test func convertsChannels() {
        let gray = Image(width: 2, height: 1, channels: 1, pixels: [7, 200])
        #expect(gray.converted(toChannels: 3).pixels == [7, 7, 7, 200, 200, 200])
        let colour = Image(width: 1, height: 1, channels: 3, pixels: [255, 0, 0])
        #expect(colour.converted(toChannels: 1).pixels == [76])  // Pillow's "L" of pure red
        #expect(Image(width: 1, height: 2, channels: 3, pixels: [1, 2, 3, 4, 5, 6]).planarPixels == [1, 4, 2, 5, 3, 6])
    }

    @Test func readsAClassFolderMixingGrayAndColourAsThreeChannels() throws {
        let dataset = try Dataset.imageFolder(at: url("folder"))
        #expect(dataset.classNames == ["a-class", "b-class"])
        #expect(dataset.features.dtype == .uint8 && dataset.features.shape == [4, 3, 3, 4])
        #expect(dataset.labels.scalars(as: Int32.self) == [0, 0, 1, 1])
        #expect(dataset.task == .binary)
        let pillow = try expected()
        // Files in sorted order within a class: b-class/0.png before 1.png; gray repeated in all channels.
        let pixels = dataset.features.scalars(as: UInt8.self)
        let gray0 = try #require(pillow["folder/b-class/0.png"]).pixels
        #expect(pixels[(2 * 3) * 12..<(2 * 3 + 1) * 12].map(Int.init) == gray0)
        #expect(pixels[(2 * 3 + 2) * 12..<(2 * 3 + 3) * 12].map(Int.init) == gray0)
        // The colour PNG, planar: red plane first.
        let x = try #require(pillow["folder/a-class/x.png"]).pixels
        #expect(pixels[0..<12].map(Int.init) == stride(from: 0, to: 36, by: 3).map { x[$0] })
    }

    @Test func requiresOneSizeOrResizes() throws {
        let error = try #require(throws: DataError.self) { try Dataset.imageFolder(at: url("sizes")) }
        #expect(error.file == url("sizes/one/b.png").path && error.message.contains("5×6"), "\(error)")
        let resized = try Dataset.imageFolder(at: url("sizes"), size: (height: 2, width: 3))
        #expect(resized.features.shape == [2, 1, 2, 3])
        #expect(resized.classNames == ["one"] && resized.classCount == 1)
    }

    @Test func convertsBatchesToNormalizedFloats() throws {
        let shape = ImageShape(channels: 2, height: 1, width: 2)
        let pixels = Tensor(shape: [1, 2, 1, 2], scalars: [UInt8(0), 255, 51, 102])
        let inputs = try ImageInputs(shape: shape, mean: [0.5, 0], standardDeviation: [0.5, 0.2])
        expectClose(inputs.floats(pixels), Tensor(shape: [1, 2, 1, 2], scalars: [Float(-1), 1, 1, 2]))
        #expect(throws: DataError.self) { try ImageInputs(shape: shape, mean: [0, 0, 0]) }
        #expect(throws: DataError.self) { try ImageInputs(shape: shape, standardDeviation: [0]) }
        let parsed = try ImageInputs.parseNormalization("0.1,0.2,0.3,0.4")
        #expect(parsed.mean == [0.1, 0.2] && parsed.standardDeviation == [0.3, 0.4])
        #expect(throws: DataError.self) { try ImageInputs.parseNormalization("0.1,0.2,0.3") }

        var dataset = Dataset(features: pixels, labels: Tensor([Int32(0)]))
        expectClose(dataset.batches(.miniBatch(size: 1), shuffled: false)[0].inputs,
                    Tensor(shape: [1, 2, 1, 2], scalars: [Float(0), 1, 0.2, 0.4]))
        dataset.imageInputs = inputs
        expectClose(dataset.batches(.fullBatch, shuffled: false)[0].inputs, Tensor(shape: [1, 2, 1, 2], scalars: [Float(-1), 1, 1, 2]))
    }

    @Test func augmentsTheSameWayForTheSameSeed() throws {
        let augmentation = try ImageAugmentation(parsing: "crop=2,flip")
        #expect(augmentation == ImageAugmentation(cropPadding: 2, horizontalFlip: true) && "\(augmentation)" == "crop=2,flip")
        #expect(throws: DataError.self) { try ImageAugmentation(parsing: "rotate=3") }
        let count = 16
        let pixels = Tensor(shape: [count, 1, 4, 4], scalars: (0..<(count * 16)).map { UInt8($0 % 251 + 1) })
        var dataset = Dataset(features: pixels, labels: Tensor([Int32](repeating: 0, count: count)))
        dataset.imageInputs = try ImageInputs(shape: ImageShape(channels: 1, height: 4, width: 4), augmentation: augmentation)
        func batch(seed: UInt64, epoch: Int) -> [Float] {
            // Back to 0…255, exactly, for comparing pixels.
            dataset.batches(.miniBatch(size: 8), shuffled: false, seed: seed, epoch: epoch)[1].inputs.scalars(as: Float.self)
                .map { ($0 * 255).rounded() }
        }
        #expect(batch(seed: 1, epoch: 0) == batch(seed: 1, epoch: 0))
        #expect(batch(seed: 1, epoch: 0) != batch(seed: 1, epoch: 1))
        #expect(batch(seed: 1, epoch: 0) != batch(seed: 2, epoch: 0))
        // Every value is an original pixel or the black padding.
        let original = Set(pixels.scalars(as: UInt8.self).map(Float.init))
        #expect(batch(seed: 3, epoch: 0).allSatisfy { $0 == 0 || original.contains($0) })
        // A flip alone keeps every row's values, mirrored or not.
        dataset.imageInputs?.augmentation = ImageAugmentation(horizontalFlip: true)
        let flipped = dataset.batches(.fullBatch, shuffled: false, seed: 5)[0].inputs.scalars(as: Float.self).map { ($0 * 255).rounded() }
        let plain = pixels.scalars(as: UInt8.self).map(Float.init)
        var mirroredCount = 0
        for row in 0..<(count * 4) {
            let (got, want) = (Array(flipped[row * 4..<row * 4 + 4]), Array(plain[row * 4..<row * 4 + 4]))
            #expect(got == want || got == want.reversed())
            if got != want { mirroredCount += 1 }
        }
        #expect(mirroredCount > 0 && mirroredCount < count * 4)
    }

    @Test func loadsTheFacesFolder() throws {
        guard let facesFolder else {
            print("skipped: the shared faces folder is not here (set DESCENT_SHARED_DATA)")
            return
        }
        let faces = try Dataset.imageFolder(at: facesFolder)
        #expect(faces.count == 200 && faces.features.shape == [200, 1, 25, 25] && faces.features.dtype == .uint8)
        #expect(faces.classNames == ["face", "not-face"])
        #expect(faces.labels.scalars(as: Int32.self) == [Int32](repeating: 0, count: 100) + [Int32](repeating: 1, count: 100))
    }
}
