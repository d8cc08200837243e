import Foundation

/// The hidden files and folders that a killed save leaves beside its destination —
/// `.<name>.<UUID>.tmp` (contents being written) and `.<name>.<UUID>.old` (the previous folder,
/// renamed aside) — and how the next save into the same place gets rid of them.
enum Leftovers {
    /// Removes the leftovers beside `url`. If nothing is at `url` but an `.old` folder is, the
    /// save that renamed it aside was killed before the new folder took its place: the old folder
    /// is the only copy, so it is put back at `url` rather than removed.
    ///
    /// Best effort: a leftover that cannot be removed now is tried again by the next save.
    static func recover(besides url: URL, using operations: any FileOperations) {
        let parent = url.deletingLastPathComponent()
        guard let names = try? operations.contentsOfFolder(at: parent.path) else { return }
        var leftovers = names.filter { isLeftover($0, of: url.lastPathComponent) }.sorted()
        if !FileManager.default.fileExists(atPath: url.path),
           let old = leftovers.first(where: { $0.hasSuffix(".old") }),
           (try? operations.rename(parent.appendingPathComponent(old).path, to: url.path)) != nil {
            leftovers.removeAll { $0 == old }
        }
        for name in leftovers { try? operations.remove(parent.appendingPathComponent(name).path) }
    }

    /// Whether `candidate` is `.<name>.<UUID>.tmp` or `.<name>.<UUID>.old`.
    static func isLeftover(_ candidate: String, of name: String) -> Bool {
        let prefix = ".\(name)."
        guard candidate.hasPrefix(prefix), candidate.hasSuffix(".tmp") || candidate.hasSuffix(".old") else { return false }
        let middle = candidate.dropFirst(prefix.count).dropLast(4)
        return UUID(uuidString: String(middle)) != nil
    }
}
