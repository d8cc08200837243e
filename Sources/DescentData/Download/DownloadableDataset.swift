import Foundation

/// A dataset that can be downloaded: its files, the SHA-256 of each, and the mirrors that serve
/// them. ``fetch(into:mirrors:report:)`` puts checked copies in a folder.
///
/// Checksums are checked on the bytes as downloaded, before anything decompresses them, so that
/// a bad mirror never reaches the inflater: a file lists the sum of each known copy as served
/// (mirrors that compress the same contents differently serve different bytes), and the sum of
/// its uncompressed contents, for a server that decompresses what it sends.
public struct DownloadableDataset: Sendable {
    /// One file of a dataset.
    public struct File: Sendable, Equatable {
        /// The name on the mirrors, which is also the name it is saved under
        /// (`train-images-idx3-ubyte.gz`).
        public var name: String
        /// The SHA-256 of the file's contents after gzip decompression (of the file as is when
        /// it is not compressed), as 64 lowercase hexadecimal digits: a copy that is not gzip
        /// data (one a server decompressed on the way) must have this sum.
        public var sha256: String
        /// The SHA-256 of each known copy of the file as served (its gzip-compressed bytes, which
        /// differ from mirror to mirror when they compress differently): a copy that is gzip
        /// data must have one of these sums, checked before anything decompresses it.
        public var servedSHA256: [String] = []

        /// The MD5 of the file as served (32 lowercase hexadecimal digits), for a file whose
        /// publisher gives that rather than a SHA-256: when set, it is checked instead of
        /// ``sha256``, on the bytes as downloaded.
        public var md5: String?
        /// For a gzip-compressed tar archive, the files to take out of it; empty for a file that
        /// is saved as it is. An archive itself is not kept, only these files.
        public var members: [Member] = []

        /// A file to take out of a downloaded tar archive.
        public struct Member: Sendable, Equatable {
            /// The path inside the archive (`cifar-10-batches-bin/test_batch.bin`).
            public var path: String
            /// The name it is saved under (`test_batch.bin`).
            public var name: String
            /// Its size in bytes, checked when the archive is taken apart and when deciding
            /// whether a copy already there is whole; nil to take any size.
            public var byteCount: Int?

            /// The file at `path` in an archive, saved as `name`, of `byteCount` bytes.
            public init(path: String, name: String, byteCount: Int? = nil) {
                self.path = path
                self.name = name
                self.byteCount = byteCount
            }
        }

        /// A file called `name` whose uncompressed contents have the SHA-256 `sha256`, and whose
        /// known compressed copies have the sums `servedSHA256`.
        public init(name: String, sha256: String, servedSHA256: [String] = []) {
            self.name = name
            self.sha256 = sha256
            self.servedSHA256 = servedSHA256
        }

        /// A gzip-compressed tar archive called `name` whose bytes as served have the MD5
        /// `md5`, from which `members` are taken.
        public init(archive name: String, md5: String, members: [Member]) {
            self.name = name
            self.sha256 = ""
            self.md5 = md5
            self.members = members
        }

        /// The name without `.gz`: where a copy goes when the server already decompressed it
        /// (some send `.gz` files with `Content-Encoding: gzip`, which the client undoes).
        var uncompressedName: String { name.hasSuffix(".gz") ? String(name.dropLast(3)) : name }

        /// The names a copy may have in a folder.
        var localNames: [String] { name == uncompressedName ? [name] : [name, uncompressedName] }
    }

    /// The name the command line uses (`mnist`).
    public var name: String
    /// The files, in the order they are fetched.
    public var files: [File]
    /// Base URLs tried in order for each file; a file's URL is the base followed by its name.
    public var mirrors: [URL]

    /// A dataset called `name` made of `files`, served by `mirrors`.
    public init(name: String, files: [File], mirrors: [URL]) {
        self.name = name
        self.files = files
        self.mirrors = mirrors
    }

    /// What ``fetch(into:mirrors:report:)`` is doing, for a progress display.
    public enum Event: Sendable, Equatable {
        /// A copy with the right checksum is already at this path: nothing to download.
        case alreadyThere(URL)
        /// The copy at this path has the wrong checksum (or cannot be read): it will be replaced.
        case replacingBadCopy(URL)
        /// Starting to download the file at this URL.
        case downloading(URL)
        /// The file at `source` could not be downloaded or had the wrong checksum; the next
        /// mirror is tried.
        case mirrorFailed(source: URL, reason: String)
        /// The file from `source` had the right checksum and was saved at `destination`.
        case saved(destination: URL, source: URL, byteCount: Int)
        /// Every file an archive holds is already at these paths, with the expected sizes:
        /// nothing to download.
        case alreadyExtracted([URL])
        /// The archive from `source` had the right checksum, and this file, taken out of it,
        /// was saved at `destination`.
        case extracted(destination: URL, source: URL, byteCount: Int)
    }

    /// Makes sure `directory` holds a copy of every file with the right checksum, downloading
    /// those that are missing or wrong.
    ///
    /// Each file is tried from each mirror in turn until a copy's checksum matches. A copy is
    /// checked in memory before anything is written, then written to a temporary file in
    /// `directory` and renamed into place, so a failed or mismatching download leaves nothing
    /// behind. A copy the server sent already decompressed is saved without `.gz`.
    ///
    /// A file with ``File/members`` is a `.tar.gz` archive whose MD5 (``File/md5``) is checked
    /// as downloaded; its members are then written to temporary files and renamed into place
    /// only once all of them are written, so that no member is ever half there.
    ///
    /// - Parameters:
    ///   - directory: where the files go; created if needed.
    ///   - mirrors: base URLs to use instead of ``mirrors`` (`file://` URLs work too).
    ///   - report: told what happens, file by file, as it happens.
    /// - Returns: where each file is, in the order of ``files`` (for an archive, each file taken
    ///   out of it, in the order of its ``File/members``).
    /// - Throws: ``DataError``: `.downloadFailed` naming the file, every URL tried and why it
    ///   failed (for a wrong checksum, the expected and the found sums); `.writeFailed` when
    ///   `directory` cannot be written; `.invalidArgument` for an empty list of mirrors.
    @discardableResult
    public func fetch(into directory: URL, mirrors: [URL]? = nil,
                      report: (Event) -> Void = { _ in }) async throws -> [URL] {
        let mirrors = mirrors ?? self.mirrors
        guard !mirrors.isEmpty else {
            throw DataError(.invalidArgument, "no mirror to download \(name) from")
        }
        let createdFolders = Self.missingFolders(upTo: directory)
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            throw DataError(.writeFailed, file: directory.path, "cannot create the folder: \(FileError.reason(for: error))")
        }
        do {
            var locations: [URL] = []
            for file in files {
                if file.members.isEmpty {
                    locations.append(try await fetch(file, into: directory, mirrors: mirrors, report: report))
                } else {
                    locations += try await fetchArchive(file, into: directory, mirrors: mirrors, report: report)
                }
            }
            return locations
        } catch {
            // The folders this fetch made and its failure left empty go again: an empty cache
            // folder would only hide that nothing was downloaded.
            for folder in createdFolders
            where (try? FileManager.default.contentsOfDirectory(atPath: folder.path))?.isEmpty == true {
                try? FileManager.default.removeItem(at: folder)
            }
            throw error
        }
    }

    /// `directory` and those of its parents that do not exist yet, innermost first.
    private static func missingFolders(upTo directory: URL) -> [URL] {
        var missing: [URL] = []
        var folder = directory.standardizedFileURL
        while !FileManager.default.fileExists(atPath: folder.path), folder.path != "/" {
            missing.append(folder)
            folder = folder.deletingLastPathComponent()
        }
        return missing
    }

    /// One file: the copy already there, or a fresh one from the first mirror that has it right.
    private func fetch(_ file: File, into directory: URL, mirrors: [URL],
                       report: (Event) -> Void) async throws -> URL {
        var badCopies: [URL] = []
        for copy in file.localNames.map(directory.appendingPathComponent)
        where FileManager.default.fileExists(atPath: copy.path) {
            if let bytes = try? Files.read(copy), (try? Self.check(bytes, against: file)) != nil {
                report(.alreadyThere(copy))
                return copy
            }
            badCopies.append(copy)
            report(.replacingBadCopy(copy))
        }

        var failures: [String] = []
        for mirror in mirrors {
            let source = mirror.appendingPathComponent(file.name)
            report(.downloading(source))
            let bytes: [UInt8]
            do {
                bytes = try await Download.bytes(at: source)
                try Self.check(bytes, against: file)
            } catch let failure as Download.Failure {
                failures.append("\(source.absoluteString): \(failure)")
                report(.mirrorFailed(source: source, reason: failure.description))
                continue
            }
            let destination = directory.appendingPathComponent(Gzip.isCompressed(bytes) ? file.name : file.uncompressedName)
            try Files.writeAtomically(bytes, to: destination)
            // A bad copy under the other name would shadow or confuse; the good one replaces it.
            for copy in badCopies where copy.path != destination.path {
                try? FileManager.default.removeItem(at: copy)
            }
            report(.saved(destination: destination, source: source, byteCount: bytes.count))
            return destination
        }
        throw DataError(.downloadFailed, file: directory.appendingPathComponent(file.name).path, """
            no mirror had a copy of \(file.name) with the expected SHA-256, so nothing was written \
            for it. Tried \(failures.joined(separator: "; ")).
            """)
    }

    /// Checks that `bytes` (a download, or a copy already in the folder) are a right copy of
    /// `file`, by their SHA-256 as they are: one of a served copy's, or the uncompressed
    /// contents' when they are not gzip data. Nothing is decompressed.
    ///
    /// - Throws: ``Download/Failure`` giving the expected sums and the one found.
    private static func check(_ bytes: [UInt8], against file: File) throws {
        let found = SHA256.hexDigest(of: bytes)
        if file.servedSHA256.contains(found) || (!Gzip.isCompressed(bytes) && found == file.sha256) { return }
        let expected = file.servedSHA256.isEmpty
            ? "\(file.sha256) (of the uncompressed file)"
            : "\(file.servedSHA256.joined(separator: " or ")) (of the file as served) or \(file.sha256) (of its uncompressed contents)"
        throw Download.Failure(description: "expected SHA-256 \(expected), found \(found) (of the bytes as downloaded, checked before any decompression)")
    }
}

extension DownloadableDataset {
    /// An archive's members: those already there, or fresh ones from the first mirror whose copy
    /// of the archive has the right MD5 and holds them all.
    private func fetchArchive(_ file: File, into directory: URL, mirrors: [URL],
                              report: (Event) -> Void) async throws -> [URL] {
        let destinations = file.members.map { directory.appendingPathComponent($0.name) }
        let whole = zip(file.members, destinations).allSatisfy { member, destination in
            guard let size = (try? FileManager.default.attributesOfItem(atPath: destination.path))?[.size] as? Int else {
                return false
            }
            return member.byteCount.map { $0 == size } ?? true
        }
        if whole {
            report(.alreadyExtracted(destinations))
            return destinations
        }

        var failures: [String] = []
        for mirror in mirrors {
            let source = mirror.appendingPathComponent(file.name)
            report(.downloading(source))
            let tar: [UInt8], contents: [Range<Int>]
            do {
                (tar, contents) = try Self.members(of: file, in: try await Download.bytes(at: source))
            } catch let failure as Download.Failure {
                failures.append("\(source.absoluteString): \(failure)")
                report(.mirrorFailed(source: source, reason: failure.description))
                continue
            }
            try Self.writeAll(contents.map { tar[$0] }, to: destinations)
            for (destination, range) in zip(destinations, contents) {
                report(.extracted(destination: destination, source: source, byteCount: range.count))
            }
            return destinations
        }
        throw DataError(.downloadFailed, file: directory.appendingPathComponent(file.name).path, """
            no mirror had a copy of \(file.name) with the expected MD5 holding \
            \(file.members.map(\.path).joined(separator: ", ")), so nothing was written for it. \
            Tried \(failures.joined(separator: "; ")).
            """)
    }

    /// The tar bytes of the downloaded `archive` and where `file`'s members lie in them, checked.
    private static func members(of file: File, in archive: [UInt8]) throws -> (tar: [UInt8], members: [Range<Int>]) {
        let found = MD5.hexDigest(of: archive)
        if let md5 = file.md5, found != md5 {
            throw Download.Failure(description: "expected MD5 \(md5) (of the file as served), found \(found)")
        }
        let tar: [UInt8], entries: [Tar.Entry]
        do {
            tar = Gzip.isCompressed(archive) ? try Gzip.decompress(archive) : archive
        } catch let error as DataError {
            throw Download.Failure(description: "not valid gzip data: \(error)")
        }
        do {
            entries = try Tar.entries(tar)
        } catch let error as DataError {
            throw Download.Failure(description: "not a valid tar archive: \(error)")
        }
        return (tar, try file.members.map { member in
            guard let entry = entries.last(where: { $0.path == member.path && $0.kind == .file }) else {
                throw Download.Failure(description: "the archive holds no file \(member.path)")
            }
            if let expected = member.byteCount, entry.contents.count != expected {
                throw Download.Failure(description: "\(member.path) in the archive is \(entry.contents.count) bytes; expected \(expected)")
            }
            return entry.contents
        })
    }

    /// Writes every file, each to a temporary file beside its destination first; only when all
    /// are written are they renamed into place. On failure the temporary files are removed.
    private static func writeAll(_ contents: [ArraySlice<UInt8>], to destinations: [URL]) throws {
        var temporaries: [URL] = []
        defer { for temporary in temporaries { try? FileManager.default.removeItem(at: temporary) } }
        for (bytes, destination) in zip(contents, destinations) {
            let temporary = destination.deletingLastPathComponent()
                .appendingPathComponent(".\(destination.lastPathComponent).\(UUID().uuidString).tmp")
            temporaries.append(temporary)
            do {
                try Data(bytes).write(to: temporary)
            } catch {
                throw DataError(.writeFailed, file: destination.path, "cannot write the file: \(FileError.reason(for: error))")
            }
        }
        // A temporary file renamed into place is no longer there for the cleanup above to remove.
        for (temporary, destination) in zip(temporaries, destinations) where rename(temporary.path, destination.path) != 0 {
            let reason = String(cString: strerror(errno))
            throw DataError(.writeFailed, file: destination.path, "cannot move the written file into place: \(reason)")
        }
    }
}
