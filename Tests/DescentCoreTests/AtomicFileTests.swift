import Descent
import Foundation
import Testing
import _DescentTestSupport
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A fresh empty folder for one test, removed afterwards.
func withTemporaryFolder<R>(_ body: (URL) throws -> R) throws -> R {
    let folder = scratchFolder.appendingPathComponent("descent-test-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: false)
    defer { try? FileManager.default.removeItem(at: folder) }
    return try body(folder)
}

/// The names in `folder`, hidden ones included, sorted.
func contents(of folder: URL) throws -> [String] {
    try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted()
}

@Suite struct AtomicFileTests {
    @Test func writeCreatesThenReplacesAFileAndLeavesNoTemporaryFiles() throws {
        try withTemporaryFolder { folder in
            let url = folder.appendingPathComponent("model.json")
            try AtomicFile.write(Data("first".utf8), to: url)
            #expect(try Data(contentsOf: url) == Data("first".utf8))
            try AtomicFile.write(Data("second, longer".utf8), to: url)
            #expect(try Data(contentsOf: url) == Data("second, longer".utf8))
            try AtomicFile.write(Data(), to: url)
            #expect(try Data(contentsOf: url).isEmpty)
            #expect(try contents(of: folder) == ["model.json"])
        }
    }

    @Test func writeIntoAMissingFolderThrowsAndCreatesNothing() throws {
        try withTemporaryFolder { folder in
            let url = folder.appendingPathComponent("missing/model.json")
            let error = try #require(throws: FileError.self) { try AtomicFile.write(Data("x".utf8), to: url) }
            #expect(error.operation == .write)
            #expect(error.path == url.path)
            #expect(error.errorNumber == ENOENT)
            #expect(error.description.contains(url.path))
            #expect(error.description.contains("No such file or directory"))
            #expect(try contents(of: folder) == [])
        }
    }

    @Test func failedWriteLeavesTheDestinationUntouched() throws {
        try withTemporaryFolder { folder in
            // A folder in the way makes the final rename fail, even for root.
            let url = folder.appendingPathComponent("weights")
            try FileManager.default.createDirectory(at: url, withIntermediateDirectories: false)
            try Data("keep".utf8).write(to: url.appendingPathComponent("inside"))
            #expect(throws: FileError.self) { try AtomicFile.write(Data("x".utf8), to: url) }
            #expect(try contents(of: folder) == ["weights"])
            #expect(try Data(contentsOf: url.appendingPathComponent("inside")) == Data("keep".utf8))
        }
    }

    @Test(.enabled(if: geteuid() != 0, "root ignores folder permissions"))
    func writeIntoAReadOnlyFolderThrowsAndKeepsTheOldFile() throws {
        try withTemporaryFolder { folder in
            let url = folder.appendingPathComponent("model.json")
            try AtomicFile.write(Data("old".utf8), to: url)
            chmod(folder.path, 0o555)
            defer { chmod(folder.path, 0o755) }
            let error = try #require(throws: FileError.self) { try AtomicFile.write(Data("new".utf8), to: url) }
            #expect(error.errorNumber == EACCES)
            #expect(try Data(contentsOf: url) == Data("old".utf8))
            #expect(try contents(of: folder) == ["model.json"])
        }
    }

    @Test func writeFolderCreatesANewFolder() throws {
        try withTemporaryFolder { folder in
            let model = folder.appendingPathComponent("mnist-mlp")
            try AtomicFile.writeFolder(at: model) { temporary in
                #expect(temporary.deletingLastPathComponent().path == folder.path)
                try AtomicFile.write(Data("{}".utf8), to: temporary.appendingPathComponent("model.json"))
                try AtomicFile.write(Data([1, 2, 3]), to: temporary.appendingPathComponent("model.safetensors"))
            }
            #expect(try contents(of: folder) == ["mnist-mlp"])
            #expect(try contents(of: model) == ["model.json", "model.safetensors"])
            #expect(try Data(contentsOf: model.appendingPathComponent("model.safetensors")) == Data([1, 2, 3]))
        }
    }

    @Test func writeFolderReplacesAnExistingFolderWhole() throws {
        try withTemporaryFolder { folder in
            let model = folder.appendingPathComponent("model")
            try AtomicFile.writeFolder(at: model) { temporary in
                try AtomicFile.write(Data("old".utf8), to: temporary.appendingPathComponent("model.json"))
                try AtomicFile.write(Data("stale".utf8), to: temporary.appendingPathComponent("notes.txt"))
            }
            try AtomicFile.writeFolder(at: model) { temporary in
                try AtomicFile.write(Data("new".utf8), to: temporary.appendingPathComponent("model.json"))
            }
            #expect(try contents(of: folder) == ["model"])
            #expect(try contents(of: model) == ["model.json"])
            #expect(try Data(contentsOf: model.appendingPathComponent("model.json")) == Data("new".utf8))
        }
    }

    struct Interrupted: Error {}

    @Test func writeFolderThatThrowsLeavesTheOldFolderAndNoLeftovers() throws {
        try withTemporaryFolder { folder in
            let model = folder.appendingPathComponent("model")
            try AtomicFile.writeFolder(at: model) { temporary in
                try AtomicFile.write(Data("old".utf8), to: temporary.appendingPathComponent("model.json"))
            }
            #expect(throws: Interrupted.self) {
                try AtomicFile.writeFolder(at: model) { temporary in
                    try AtomicFile.write(Data("half".utf8), to: temporary.appendingPathComponent("model.json"))
                    throw Interrupted()
                }
            }
            #expect(try contents(of: folder) == ["model"])
            #expect(try Data(contentsOf: model.appendingPathComponent("model.json")) == Data("old".utf8))

            // Nothing at the destination before: still nothing after.
            let other = folder.appendingPathComponent("other")
            #expect(throws: Interrupted.self) { try AtomicFile.writeFolder(at: other) { _ in throw Interrupted() } }
            #expect(try contents(of: folder) == ["model"])
        }
    }

    @Test func writeFolderRefusesToReplaceAFile() throws {
        try withTemporaryFolder { folder in
            let url = folder.appendingPathComponent("model")
            try Data("a file".utf8).write(to: url)
            var filled = false
            let error = try #require(throws: FileError.self) {
                try AtomicFile.writeFolder(at: url) { _ in filled = true }
            }
            #expect(!filled)
            #expect(error.operation == .replace)
            #expect(error.description.contains("not a folder"))
            #expect(try Data(contentsOf: url) == Data("a file".utf8))
            #expect(try contents(of: folder) == ["model"])
        }
    }

    @Test func writeFolderInAMissingParentThrows() throws {
        try withTemporaryFolder { folder in
            let url = folder.appendingPathComponent("missing/model")
            let error = try #require(throws: FileError.self) { try AtomicFile.writeFolder(at: url) { _ in } }
            #expect(error.errorNumber == ENOENT)
            #expect(try contents(of: folder) == [])
        }
    }
}
