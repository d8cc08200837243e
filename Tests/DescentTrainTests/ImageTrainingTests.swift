import Descent
import Foundation
import Testing
import _DescentTestSupport

/// The shared `faces` image folder (see DescentDataTests' ImageTests), or nil.
let sharedFaces: URL? = {
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

/// A small convolutional network for 1×25×25 images, in format 2.
let facesConvolutionModel = """
    {"format": "descent.sequential", "version": 2, "input_shape": [1, 25, 25],
     "layers": [{"type": "conv2d", "in_channels": 1, "out_channels": 8, "kernel_size": 3, "padding": 1},
                {"type": "relu"}, {"type": "maxpool2d", "kernel_size": 2}, {"type": "flatten"},
                {"type": "linear", "in_features": 1152, "out_features": 1}]}
    """

@Suite("Training on image folders")
struct ImageTrainingTests {
    func temporaryFolder() throws -> URL {
        let url = scratchFolder.appendingPathComponent("descent-images-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    @Test func imagePreprocessingIsSavedAndChecked() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let image = try ImageInputs(shape: ImageShape(channels: 3, height: 2, width: 4), mean: [0.5, 0.4, 0.3],
                                    standardDeviation: [0.2], augmentation: ImageAugmentation(horizontalFlip: true))
        let metadata = ModelMetadata(classNames: ["a", "b"], lossName: "cross-entropy", task: .classification, image: image)
        #expect(metadata.image?.augmentation == nil)
        let model = try Sequential(layers: [.dense(inputCount: 24, outputCount: 2, activation: .identity, useBias: true)])
        try model.save(to: folder, inputShape: [24], metadata: metadata)
        let saved = try SavedModel(folder: folder.path)
        #expect(saved.metadata.image == metadata.image)
        #expect(saved.metadata.image?.standardDeviation == [0.2, 0.2, 0.2])

        let file = folder.appendingPathComponent("model.json")
        let text = try String(contentsOf: file, encoding: .utf8)
        #expect(text.contains(#"{"type": "image", "size": [2, 4], "channels": 3, "mean": [0.5, 0.4, 0.3], "std": [0.2, 0.2, 0.2]}"#))
        for (bad, named) in [(#""channels": 3"#, #""channels": 2"#), (#""size": [2, 4]"#, #""size": [2, 5]"#),
                             (#""std": [0.2, 0.2, 0.2]"#, #""std": [0.2, 0, 0.2]"#), (#""mean": [0.5, 0.4, 0.3]"#, #""mean": [0.5]"#)] {
            try text.replacingOccurrences(of: bad, with: named).write(to: file, atomically: true, encoding: .utf8)
            #expect(throws: ModelFileError.self, "\(named)") { try SavedModel(folder: folder.path) }
        }
    }

    @Test func aConvolutionalModelLearnsFacesAndPredictsPhotos() throws {
        guard let faces = sharedFaces else {
            print("skipped: the shared faces folder is not here (set DESCENT_SHARED_DATA)")
            return
        }
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let modelFile = folder.appendingPathComponent("net.json")
        try facesConvolutionModel.write(to: modelFile, atomically: true, encoding: .utf8)
        var job = TrainingJob(dataset: faces.path)
        job.architecture = .file(path: modelFile.path)
        job.epochs = 4
        job.batching = .miniBatch(size: 16)
        job.seed = 1
        job.normalization = ([0.5], [0.25])
        job.augmentation = ImageAugmentation(horizontalFlip: true)
        job.output = folder.appendingPathComponent("model").path
        let outcome = try job.run()
        #expect(outcome.plan.training.features.shape == [160, 1, 25, 25] && outcome.plan.training.features.dtype == .uint8)
        let accuracy = try #require(outcome.finalMetrics["accuracy"])
        #expect(accuracy > 0.8, "validation accuracy \(accuracy)")

        let saved = try SavedModel(folder: folder.appendingPathComponent("model").path)
        #expect(saved.inputShape == [1, 25, 25])
        #expect(saved.metadata.image?.mean == [0.5] && saved.metadata.image?.shape == ImageShape(channels: 1, height: 25, width: 25))
        let one = try saved.predict(inputsAt: faces.appendingPathComponent("face/000.png").path)
        #expect(one.files == [faces.appendingPathComponent("face/000.png").path] && one.outputs.shape == [1, 1])
        let all = try saved.predict(inputsAt: faces.path)
        #expect(all.files?.count == 200)
        let csv = all.csv().split(separator: "\n")
        #expect(csv.first == "file,prediction,probability,p_face,p_not-face" && csv.count == 201)
        let evaluation = try saved.evaluate(on: faces.path)
        #expect(evaluation.count == 200 && (evaluation.values["accuracy"] ?? 0) > 0.8)
    }

    /// A layer list that starts with a dense layer gets a flatten in front of it, so the images
    /// keep their shape and the model takes them as they are.
    @Test func aLinearModelTakesTheImagesFlattened() throws {
        guard let faces = sharedFaces else {
            print("skipped: the shared faces folder is not here (set DESCENT_SHARED_DATA)")
            return
        }
        var job = TrainingJob(dataset: faces.path)
        job.architecture = .layerList(ModelPreset.linear.layerList)
        job.epochs = 3
        job.seed = 2
        let outcome = try job.run()
        #expect(outcome.plan.training.features.shape == [160, 1, 25, 25])
        #expect(outcome.model.layers.first is Flatten)
        #expect((outcome.finalMetrics["accuracy"] ?? 0) > 0.7)
    }

    @Test func imageSettingsNeedAnImageFolder() {
        var job = TrainingJob(dataset: "digits")
        job.epochs = 1
        job.augmentation = ImageAugmentation(horizontalFlip: true)
        #expect(throws: TrainingError.self) { try job.run() }
    }
}
