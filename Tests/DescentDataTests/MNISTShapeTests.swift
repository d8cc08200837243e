import Descent
import Foundation
import Testing
import _DescentTestSupport

/// MNIST files whose image sizes cannot make a dataset are refused before training, naming the
/// file and the sizes (issue 12: a trap in Dense after an epoch, or at once for 0 columns).
@Suite struct MNISTShapeTests {
    /// IDX bytes of `count` uint8 images of `rows`×`columns` pixels.
    private func images(count: Int, rows: Int, columns: Int) -> Data {
        let header: [UInt8] = [0, 0, 8, 3] + [count, rows, columns].flatMap { size in
            (0..<4).reversed().map { UInt8(truncatingIfNeeded: size >> (8 * $0)) }
        }
        return Data(header + [UInt8](repeating: 7, count: count * rows * columns))
    }

    /// A folder with two training and two test images of the given sizes.
    private func folder(train: (Int, Int), test: (Int, Int)) throws -> URL {
        let folder = scratchFolder.appendingPathComponent("descent-mnist-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        for (part, size) in [(MNISTPart.train, train), (MNISTPart.test, test)] {
            try images(count: 2, rows: size.0, columns: size.1).write(to: folder.appendingPathComponent(part.fileNames.images))
            try Data([0, 0, 8, 1, 0, 0, 0, 2, 3, 9]).write(to: folder.appendingPathComponent(part.fileNames.labels))
        }
        return folder
    }

    @Test func imagesWithNoPixelsAreRefused() throws {
        let folder = try folder(train: (0, 28), test: (28, 28))
        defer { try? FileManager.default.removeItem(at: folder) }
        let error = try #require(throws: DataError.self) { try Dataset.mnist(directory: folder) }
        #expect(error.file == folder.appendingPathComponent("train-images-idx3-ubyte").path)
        #expect(error.message == "expected images of at least 1×1 pixels, found shape [2, 0, 28] (0×28 pixels)")
    }

    @Test func testImagesOfAnotherSizeAreRefusedBeforeTraining() throws {
        let folder = try folder(train: (28, 28), test: (28, 27))
        defer { try? FileManager.default.removeItem(at: folder) }
        let error = try #require(throws: DataError.self) { try Dataset.mnist(directory: folder) }
        #expect(error.file == folder.appendingPathComponent("t10k-images-idx3-ubyte").path)
        #expect(error.message == "the test images are 28×27 pixels, but the training images in train-images-idx3-ubyte are 28×28; "
                + "both parts must have one size")
    }
}
