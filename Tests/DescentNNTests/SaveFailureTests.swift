import Descent
import Foundation
import Synchronization
import Testing
import _DescentTestSupport

/// The real file operations, except that operation number `failing` (counted from 0) fails —
/// and, when `dies`, every one after it too, as in a process killed at that point: nothing it
/// would have done afterwards (cleaning up included) happens.
private final class FailingFileOperations: FileOperations, Sendable {
    struct InjectedFailure: Error {}

    private let system = SystemFileOperations()
    private let failing: Int?
    private let dies: Bool
    private let canExchange: Bool
    private let count = Mutex(0)
    /// Whether an exchange of two names succeeded (the one-step replacement was taken).
    let exchanged = Mutex(false)

    init(failing: Int?, dies: Bool = false, canExchange: Bool = true) {
        (self.failing, self.dies, self.canExchange) = (failing, dies, canExchange)
    }

    /// The operations attempted so far.
    var operationCount: Int { count.withLock { $0 } }

    private func step() throws {
        let number = count.withLock { count in
            defer { count += 1 }
            return count
        }
        guard let failing else { return }
        if number == failing || (dies && number > failing) { throw InjectedFailure() }
    }

    func createFolder(at path: String) throws { try step(); try system.createFolder(at: path) }
    func writeFile(_ data: Data, to path: String) throws { try step(); try system.writeFile(data, to: path) }
    func rename(_ source: String, to destination: String) throws { try step(); try system.rename(source, to: destination) }
    func exchange(_ first: String, _ second: String) throws -> Bool {
        try step()
        let done = canExchange ? try system.exchange(first, second) : false
        exchanged.withLock { $0 = $0 || done }
        return done
    }
    func remove(_ path: String) throws { try step(); try system.remove(path) }
    func contentsOfFolder(at path: String) throws -> [String] { try step(); return try system.contentsOfFolder(at: path) }
    func syncFolder(at path: String) { if (try? step()) != nil { system.syncFolder(at: path) } }
}

/// A small model whose weights depend on `seed`.
private func model(seed: UInt64) -> Sequential {
    var generator = RandomGenerator(seed: seed)
    return Sequential {
        Dense(inputCount: 3, outputCount: 4, activation: .relu, using: &generator)
        Dense(inputCount: 4, outputCount: 2, using: &generator)
    }
}

/// Saves `model` into `folder` with a history beside it, as training does.
private func save(_ model: Sequential, to folder: URL, using operations: any FileOperations = SystemFileOperations(),
                  history: String) throws {
    try model.save(to: folder, additionalFiles: [("history.csv", Data(history.utf8)), ("checkpoint/state.json", Data("{}".utf8))],
                   using: operations)
}

/// The weights' bytes and the history of the model folder at `folder`, loaded as a user would.
private func savedContents(of folder: URL) throws -> (weights: Data, history: String) {
    let loaded = try Sequential.load(from: folder)
    return (try loaded.parametersFile().serialized(), try String(contentsOf: folder.appendingPathComponent("history.csv"), encoding: .utf8))
}

@Suite struct SaveFailureTests {
    /// For every operation of a save that replaces a model folder — failing alone (an error) or
    /// with every later one (a killed process) — the folder holds a whole model with its history:
    /// the previous one when the save failed, the new one when it got far enough; and the next
    /// save leaves nothing else beside it.
    @Test(arguments: [false, true])
    func aFailureAtAnyStepOfASaveLosesNothingAndLeavesNothing(dies: Bool) throws {
        let (old, new, next) = (model(seed: 1), model(seed: 2), model(seed: 3))
        let counter = FailingFileOperations(failing: nil)
        let parent = scratchFolder.appendingPathComponent("descent-save-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: parent, withIntermediateDirectories: false)
        defer { try? FileManager.default.removeItem(at: parent) }
        let folder = parent.appendingPathComponent("model")
        try save(old, to: folder, history: "old")
        let oldContents = try savedContents(of: folder)
        try save(new, to: folder, using: counter, history: "new")
        let newContents = try savedContents(of: folder)
        let operationCount = counter.operationCount
        #expect(operationCount >= 8)
        #expect(counter.exchanged.withLock { $0 }, "this file system swaps two names in one step")
        for failing in 0..<operationCount {
            try FileManager.default.removeItem(at: folder)
            try save(old, to: folder, history: "old")
            var failed = false
            do {
                try save(new, to: folder, using: FailingFileOperations(failing: failing, dies: dies), history: "new")
            } catch is FailingFileOperations.InjectedFailure {
                failed = true
            }
            let found = try savedContents(of: folder)
            if failed {
                #expect(found.weights == oldContents.weights && found.history == "old", "operation \(failing) failed")
            } else {
                #expect(found.weights == newContents.weights && found.history == "new", "operation \(failing) failed")
            }

            try save(next, to: folder, history: "next")
            #expect(try FileManager.default.contentsOfDirectory(atPath: parent.path) == ["model"], "operation \(failing) failed")
            #expect(try savedContents(of: folder).history == "next")
        }
    }

    /// Where the system cannot swap two names, the old folder is renamed aside first: a save
    /// killed between the two renames leaves no folder at the destination, but the old one whole
    /// beside it, and the next save puts it back before it replaces it.
    @Test func withoutAnExchangeAKilledSaveIsRecoveredByTheNextOne() throws {
        let (old, new) = (model(seed: 1), model(seed: 2))
        let parent = scratchFolder.appendingPathComponent("descent-save-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: parent, withIntermediateDirectories: false)
        defer { try? FileManager.default.removeItem(at: parent) }
        let folder = parent.appendingPathComponent("model")
        let counter = FailingFileOperations(failing: nil, canExchange: false)
        try save(old, to: folder, history: "old")
        let oldContents = try savedContents(of: folder)
        try save(new, to: folder, using: counter, history: "new")

        for failing in 0..<counter.operationCount {
            try? FileManager.default.removeItem(at: folder)
            try save(old, to: folder, history: "old")
            let threw = (try? save(new, to: folder, using: FailingFileOperations(failing: failing, dies: true, canExchange: false),
                                   history: "new")) == nil
            if FileManager.default.fileExists(atPath: folder.path) {
                let found = try savedContents(of: folder)
                #expect(found.history == (threw ? "old" : "new"), "operation \(failing) failed")
            } else {
                // Killed between the renames: the old folder is whole under its hidden name.
                let aside = try FileManager.default.contentsOfDirectory(atPath: parent.path).filter { $0.hasSuffix(".old") }
                #expect(aside.count == 1, "operation \(failing) failed")
                let found = try savedContents(of: parent.appendingPathComponent(aside[0]))
                #expect(found.weights == oldContents.weights && found.history == "old")
                // What a user who loads now sees is recovered by the next save of any kind.
                try save(old, to: folder, using: FailingFileOperations(failing: nil, canExchange: false), history: "old")
            }
            try save(new, to: folder, using: FailingFileOperations(failing: nil, canExchange: false), history: "new")
            #expect(try FileManager.default.contentsOfDirectory(atPath: parent.path) == ["model"], "operation \(failing) failed")
        }
    }

    /// A plain file written atomically has its leftovers removed by the next write too.
    @Test func leftoverTemporaryFilesAreRemovedByTheNextWrite() throws {
        let parent = scratchFolder.appendingPathComponent("descent-save-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: parent, withIntermediateDirectories: false)
        defer { try? FileManager.default.removeItem(at: parent) }
        let file = parent.appendingPathComponent("weights.safetensors")
        let leftovers = [".weights.safetensors.\(UUID().uuidString).tmp", ".model.\(UUID().uuidString).old"]
        for name in leftovers { try Data("half".utf8).write(to: parent.appendingPathComponent(name)) }
        try Data("mine".utf8).write(to: parent.appendingPathComponent(".weights.safetensors.notes.tmp"))
        try AtomicFile.write(Data("whole".utf8), to: file)
        // Only the leftovers of this name, and only names that a save makes.
        #expect(try FileManager.default.contentsOfDirectory(atPath: parent.path).sorted()
            == [leftovers[1], ".weights.safetensors.notes.tmp", "weights.safetensors"].sorted())
    }
}
