import Foundation
import Testing

/// The shared `faces` image folder, or nil (see DescentDataTests' ImageTests).
private let faces: URL? = {
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

@Suite struct ImageFolderCLITests {
    @Test func trainOnFacesThenPredictAPhotoAndAFolder() throws {
        guard let faces else {
            print("skipped: the shared faces folder is not here (set DESCENT_SHARED_DATA)")
            return
        }
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let train = try descent(["train", faces.path, "--model", "linear", "--epochs", "5", "--normalize", "0.5,0.25",
                                 "--augment", "flip", "--output", "model", "--json"], in: folder)
        #expect(train.status == 0, "\(train.standardError)")
        let metrics = try jsonObject(train.standardOutput)
        #expect((metrics["val_accuracy"] as? Double ?? 0) > 0.8)
        let model = try String(contentsOf: folder.appendingPathComponent("model/model.json"), encoding: .utf8)
        #expect(model.contains(#"{"type": "image", "size": [25, 25], "channels": 1, "mean": [0.5], "std": [0.25]}"#))

        let photo = faces.appendingPathComponent("face/000.png").path
        let one = try descent(["predict", "model", photo], in: folder)
        #expect(one.status == 0, "\(one.standardError)")
        #expect(one.standardOutput.hasPrefix("\(photo): ") && one.standardOutput.hasSuffix(" %)\n"), "\(one.standardOutput)")

        let all = try descent(["predict", "model", faces.path, "--output", "predictions.csv"], in: folder)
        #expect(all.status == 0, "\(all.standardError)")
        let table = try String(contentsOf: folder.appendingPathComponent("predictions.csv"), encoding: .utf8)
        let rows = table.split(separator: "\n")
        #expect(rows.count == 201 && rows[0] == "file,prediction,probability,p_face,p_not-face")
        #expect(rows[1].hasPrefix("\(photo),"))

        let evaluate = try descent(["evaluate", "model", faces.path], in: folder)
        #expect(evaluate.status == 0 && evaluate.standardOutput.contains("200 examples"), "\(evaluate.standardError)")
    }

    @Test func imageOptionsAreChecked() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        for (option, value) in [("--augment", "rotate"), ("--image-size", "32by32"), ("--normalize", "0.5")] {
            let run = try descent(["train", ".", option, value], in: folder)
            #expect(run.status != 0 && run.standardError.contains(option), "\(option): \(run.standardError)")
        }
        let onDigits = try descent(["train", "digits", "--augment", "flip", "--epochs", "1"], in: folder)
        #expect(onDigits.status != 0 && onDigits.standardError.contains("image folder"), "\(onDigits.standardError)")
        let empty = try descent(["train", ".", "--epochs", "1"], in: folder)
        #expect(empty.status != 0 && empty.standardError.contains("one subfolder per class"), "\(empty.standardError)")
    }
}
