import Descent
import Foundation
import Testing

@Suite struct AtomicFolderTests {
    @Test func aFolderIsWrittenFromFilesWithSubfolders() throws {
        try withTemporaryFolder { folder in
            let model = folder.appendingPathComponent("model")
            try AtomicFile.writeFolder(at: model, files: [("model.json", Data("{}".utf8)), ("checkpoint/state.json", Data("1".utf8)),
                                                          ("checkpoint/optimizer.safetensors", Data([7]))])
            #expect(try contents(of: folder) == ["model"])
            #expect(try contents(of: model) == ["checkpoint", "model.json"])
            #expect(try contents(of: model.appendingPathComponent("checkpoint")) == ["optimizer.safetensors", "state.json"])
            #expect(try Data(contentsOf: model.appendingPathComponent("checkpoint/state.json")) == Data("1".utf8))
        }
    }

    @Test func aPathOutsideTheFolderIsRefusedAndNothingIsLeft() throws {
        try withTemporaryFolder { folder in
            let model = folder.appendingPathComponent("model")
            let error = try #require(throws: FileError.self) {
                try AtomicFile.writeFolder(at: model, files: [("../escape.json", Data())])
            }
            #expect(error.reason == "a file in a folder needs a relative path without '.' or '..'")
            #expect(try contents(of: folder) == [])
        }
    }

    /// What killed saves left beside `model` goes with the next save; an old folder renamed
    /// aside with nothing in its place is the only copy, so it is put back first (and then
    /// replaced, as the save asks). Other names' hidden files stay.
    @Test func theNextSaveRemovesLeftoversOfItsNameOnly() throws {
        try withTemporaryFolder { folder in
            let model = folder.appendingPathComponent("model")
            let old = folder.appendingPathComponent(".model.\(UUID().uuidString).old")
            let temporary = folder.appendingPathComponent(".model.\(UUID().uuidString).tmp")
            let others = [".other.\(UUID().uuidString).tmp", ".model.backup.old"]
            for leftover in [old, temporary] {
                try FileManager.default.createDirectory(at: leftover, withIntermediateDirectories: false)
                try Data("left".utf8).write(to: leftover.appendingPathComponent("model.json"))
            }
            for name in others { try Data().write(to: folder.appendingPathComponent(name)) }
            try AtomicFile.writeFolder(at: model, files: [("model.json", Data("new".utf8))])
            #expect(try contents(of: folder) == (others + ["model"]).sorted())
            #expect(try Data(contentsOf: model.appendingPathComponent("model.json")) == Data("new".utf8))
        }
    }
}
