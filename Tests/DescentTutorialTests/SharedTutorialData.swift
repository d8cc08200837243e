import Foundation

/// The project's shared data that three tutorials read (`housing.csv`, `breast_cancer.csv`, the
/// `faces` folder): under `$DESCENT_SHARED_DATA`, or in `shared/data` beside the repository (one
/// level up from a worktree too). Nil where it is absent; the tests that need it then say so and
/// stop.
enum SharedTutorialData {
    static func path(_ relative: String) -> String? {
        var candidates: [URL] = []
        if let shared = ProcessInfo.processInfo.environment["DESCENT_SHARED_DATA"] {
            candidates.append(URL(fileURLWithPath: shared).appendingPathComponent(relative))
        }
        var directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        for _ in 0..<6 {
            directory = directory.deletingLastPathComponent()
            candidates.append(directory.appendingPathComponent("shared/data").appendingPathComponent(relative))
        }
        return candidates.first { FileManager.default.fileExists(atPath: $0.path) }?.path
    }
}
