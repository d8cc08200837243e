import Descent
import Foundation
import Testing
import _DescentTestSupport

/// `DownloadableDataset.fetch` from `file://` mirrors (this machine has no internet; the http
/// path is exercised only for its errors).
@Suite("Downloading datasets")
struct DownloadTests {
    /// A fresh empty folder, removed by the caller.
    func temporaryFolder(_ purpose: String) throws -> URL {
        let url = scratchFolder.appendingPathComponent("descent-\(purpose)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    func names(in folder: URL) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted()
    }

    /// `raw` as a valid gzip file made of stored (uncompressed) DEFLATE blocks: the same
    /// contents as a mirror's copy, compressed differently.
    func storedGzip(_ raw: [UInt8]) -> [UInt8] {
        var bytes: [UInt8] = [0x1F, 0x8B, 8, 0, 0, 0, 0, 0, 0, 0xFF]
        var start = 0
        repeat {
            let end = min(start + 65_535, raw.count)
            let length = UInt16(end - start)
            bytes.append(end == raw.count ? 1 : 0)  // BFINAL, BTYPE 00
            bytes += [UInt8(length & 0xFF), UInt8(length >> 8), UInt8(~length & 0xFF), UInt8(~length >> 8)]
            bytes += raw[start..<end]
            start = end
        } while start < raw.count
        for value in [CRC32.checksum(raw), UInt32(raw.count)] {
            bytes += (0..<4).map { UInt8(truncatingIfNeeded: value >> (8 * UInt32($0))) }
        }
        return bytes
    }

    /// A two-file dataset whose contents the tests make up, and a mirror folder serving it.
    func smallDatasetAndMirror() throws -> (DownloadableDataset, mirror: URL) {
        let contents = ["first": Array("one, two, three\n".utf8), "second": (0..<70_000).map { UInt8($0 % 253) }]
        let dataset = DownloadableDataset(
            name: "small",
            files: contents.keys.sorted().map {
                .init(name: "\($0).gz", sha256: SHA256.hexDigest(of: contents[$0]!),
                      servedSHA256: [SHA256.hexDigest(of: storedGzip(contents[$0]!))])
            },
            mirrors: [])
        let mirror = try temporaryFolder("mirror")
        for (name, raw) in contents {
            try Data(storedGzip(raw)).write(to: mirror.appendingPathComponent("\(name).gz"))
        }
        return (dataset, mirror)
    }

    @Test func fetchesChecksAndSkipsWhatIsAlreadyThere() async throws {
        let (dataset, mirror) = try smallDatasetAndMirror()
        let destination = try temporaryFolder("destination").appendingPathComponent("made/by/fetch")
        defer {
            try? FileManager.default.removeItem(at: mirror)
            try? FileManager.default.removeItem(at: destination.deletingLastPathComponent().deletingLastPathComponent())
        }
        var events: [DownloadableDataset.Event] = []
        let locations = try await dataset.fetch(into: destination, mirrors: [mirror]) { events.append($0) }
        #expect(locations == [destination.appendingPathComponent("first.gz"), destination.appendingPathComponent("second.gz")])
        #expect(try names(in: destination) == ["first.gz", "second.gz"])
        for name in ["first.gz", "second.gz"] {
            #expect(FileManager.default.contentsEqual(atPath: destination.appendingPathComponent(name).path,
                                                      andPath: mirror.appendingPathComponent(name).path))
        }
        // Each stored-gzip file: a 10-byte header, 5 bytes per block, the contents, an 8-byte trailer.
        let firstSize = 10 + 5 + 16 + 8, secondSize = 10 + 2 * 5 + 70_000 + 8
        #expect(events == [
            .downloading(mirror.appendingPathComponent("first.gz")),
            .saved(destination: locations[0], source: mirror.appendingPathComponent("first.gz"), byteCount: firstSize),
            .downloading(mirror.appendingPathComponent("second.gz")),
            .saved(destination: locations[1], source: mirror.appendingPathComponent("second.gz"), byteCount: secondSize),
        ])

        events = []
        try await dataset.fetch(into: destination, mirrors: [mirror]) { events.append($0) }
        #expect(events == locations.map { .alreadyThere($0) })
    }

    @Test func aWrongChecksumIsAnErrorAndLeavesNothingBehind() async throws {
        let (dataset, mirror) = try smallDatasetAndMirror()
        let destination = try temporaryFolder("destination")
        defer {
            try? FileManager.default.removeItem(at: mirror)
            try? FileManager.default.removeItem(at: destination)
        }
        let tampered = Array("one, two, four\n".utf8)
        try Data(storedGzip(tampered)).write(to: mirror.appendingPathComponent("first.gz"))
        let error = try await #require(throws: DataError.self) {
            try await dataset.fetch(into: destination, mirrors: [mirror])
        }
        #expect(error.kind == .downloadFailed)
        let message = error.description
        #expect(message.contains(destination.appendingPathComponent("first.gz").path))
        #expect(message.contains(mirror.appendingPathComponent("first.gz").absoluteString))
        #expect(message.contains("expected SHA-256 \(dataset.files[0].servedSHA256[0]) (of the file as served) or \(dataset.files[0].sha256) (of its uncompressed contents)"))
        #expect(message.contains("found \(SHA256.hexDigest(of: storedGzip(tampered))) (of the bytes as downloaded, checked before any decompression)"))
        #expect(!message.contains("\n"))
        #expect(try names(in: destination) == [])
    }

    /// A mirror serving corrupt gzip data with the wrong sum: refused on its checksum, before
    /// the inflater sees it (which would have said "not valid gzip data"), and nothing is written.
    @Test func aWrongChecksumIsRefusedBeforeAnyDecompression() async throws {
        let (dataset, mirror) = try smallDatasetAndMirror()
        let destination = try temporaryFolder("destination")
        defer {
            try? FileManager.default.removeItem(at: mirror)
            try? FileManager.default.removeItem(at: destination)
        }
        var bytes = [UInt8](try Data(contentsOf: mirror.appendingPathComponent("first.gz")))
        bytes[10] = 0xFF  // the first block's header: block type 3, which no inflater accepts
        try Data(bytes).write(to: mirror.appendingPathComponent("first.gz"))
        let error = try await #require(throws: DataError.self) {
            try await dataset.fetch(into: destination, mirrors: [mirror])
        }
        #expect(error.description.contains("found \(SHA256.hexDigest(of: bytes)) (of the bytes as downloaded, checked before any decompression)"))
        #expect(!error.description.contains("gzip"))
        #expect(!error.description.contains("DEFLATE"))
        #expect(try names(in: destination) == [])
    }

    @Test func aMissingOrBadMirrorFallsBackToTheNext() async throws {
        let (dataset, mirror) = try smallDatasetAndMirror()
        let empty = try temporaryFolder("empty-mirror"), destination = try temporaryFolder("destination")
        defer {
            for folder in [mirror, empty, destination] { try? FileManager.default.removeItem(at: folder) }
        }
        var events: [DownloadableDataset.Event] = []
        let unreachable = try #require(URL(string: "http://127.0.0.1:9/mnist/"))  // the discard port: refused
        let locations = try await dataset.fetch(into: destination, mirrors: [empty, unreachable, mirror]) { events.append($0) }
        #expect(try names(in: destination) == ["first.gz", "second.gz"])
        let failures = events.compactMap { event -> (URL, String)? in
            if case .mirrorFailed(let source, let reason) = event { return (source, reason) }
            return nil
        }
        #expect(failures.map(\.0) == [empty.appendingPathComponent("first.gz"), unreachable.appendingPathComponent("first.gz"),
                                       empty.appendingPathComponent("second.gz"), unreachable.appendingPathComponent("second.gz")])
        #expect(failures[0].1 == "no such file")
        let secondSize = 10 + 2 * 5 + 70_000 + 8
        let lastEvent = DownloadableDataset.Event.saved(destination: locations[1], source: mirror.appendingPathComponent("second.gz"),
                                                        byteCount: secondSize)
        #expect(events.last == lastEvent)
    }

    @Test func aCopyTheServerDecompressedIsSavedWithoutGz() async throws {
        let (dataset, mirror) = try smallDatasetAndMirror()
        let destination = try temporaryFolder("destination")
        defer {
            try? FileManager.default.removeItem(at: mirror)
            try? FileManager.default.removeItem(at: destination)
        }
        try Data("one, two, three\n".utf8).write(to: mirror.appendingPathComponent("first.gz"))
        let locations = try await dataset.fetch(into: destination, mirrors: [mirror])
        #expect(locations.map(\.lastPathComponent) == ["first", "second.gz"])
        #expect(try names(in: destination) == ["first", "second.gz"])
    }

    @Test func aBadCopyInTheDestinationIsReplaced() async throws {
        let (dataset, mirror) = try smallDatasetAndMirror()
        let destination = try temporaryFolder("destination")
        defer {
            try? FileManager.default.removeItem(at: mirror)
            try? FileManager.default.removeItem(at: destination)
        }
        // A stale uncompressed copy with other contents: the download replaces (and removes) it.
        try Data("stale\n".utf8).write(to: destination.appendingPathComponent("first"))
        var events: [DownloadableDataset.Event] = []
        try await dataset.fetch(into: destination, mirrors: [mirror]) { events.append($0) }
        #expect(events.first == .replacingBadCopy(destination.appendingPathComponent("first")))
        #expect(try names(in: destination) == ["first.gz", "second.gz"])
    }

    @Test func noMirrorsOrAnUnsupportedScheme() async throws {
        let (dataset, mirror) = try smallDatasetAndMirror()
        let destination = try temporaryFolder("destination")
        defer {
            try? FileManager.default.removeItem(at: mirror)
            try? FileManager.default.removeItem(at: destination)
        }
        let none = try await #require(throws: DataError.self) { try await dataset.fetch(into: destination, mirrors: []) }
        #expect(none.kind == .invalidArgument)
        let ftp = try #require(URL(string: "ftp://example.com/data/"))
        let error = try await #require(throws: DataError.self) { try await dataset.fetch(into: destination, mirrors: [ftp]) }
        #expect(error.description.contains("cannot download from a ftp URL"))
        #expect(try names(in: destination) == [])
    }

    @Test("MNIST from a file:// mirror holding the shared copies",
          .enabled(if: SharedData.mnist != nil, "the shared MNIST folder (shared/data/mnist) is absent"))
    func mnistFromTheSharedCopies() async throws {
        let destination = try temporaryFolder("mnist")
        defer { try? FileManager.default.removeItem(at: destination) }
        // The shared files were recompressed (gzip -9 -n), so their .gz sums differ from the
        // mirrors'; the dataset lists both sums.
        let locations = try await DownloadableDataset.mnist.fetch(into: destination, mirrors: [SharedData.mnist!])
        #expect(locations.map(\.lastPathComponent) == DownloadableDataset.mnist.files.map(\.name))
        #expect(MNISTLocator.containsMNIST(destination))
        #expect(try names(in: destination).count == 4)
    }

    @Test func mnistIsDescribed() {
        let mnist = DownloadableDataset.mnist
        #expect(DownloadableDataset.all.map(\.name) == ["mnist", "cifar10"])
        #expect(mnist.files.map(\.name) == ["train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
                                            "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"])
        #expect(mnist.mirrors.first?.absoluteString == "https://ossci-datasets.s3.amazonaws.com/mnist/")
        #expect(mnist.mirrors.count == 3)
        // The loader's file names are the downloads' names without .gz.
        let loaderNames = MNISTPart.allCases.flatMap { [$0.fileNames.images, $0.fileNames.labels] }
        #expect(Set(mnist.files.map { String($0.name.dropLast(3)) }) == Set(loaderNames))
    }
}
