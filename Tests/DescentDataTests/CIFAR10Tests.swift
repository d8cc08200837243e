import Descent
import Foundation
import Testing
import _DescentTestSupport

/// A tiny CIFAR-10 made up here: two records in each training file, three in the test file.
enum TinyCIFAR10 {
    static let trainRecordsPerFile = 2, testRecords = 3

    /// Record `index` (counted across a part's files): its label, and pixels that tell records,
    /// channels and positions apart.
    static func record(_ index: Int) -> [UInt8] {
        [UInt8(index % 10)] + (0..<3072).map { UInt8(truncatingIfNeeded: index * 31 + $0 * 7 + $0 / 1024) }
    }

    /// The contents of each of the six files, by name.
    static func files() -> [(name: String, bytes: [UInt8])] {
        var result: [(String, [UInt8])] = []
        for (file, name) in CIFAR10Part.train.fileNames.enumerated() {
            result.append((name, (0..<trainRecordsPerFile).flatMap { record(file * trainRecordsPerFile + $0) }))
        }
        result.append(("test_batch.bin", (0..<testRecords).flatMap { record(100 + $0) }))
        return result
    }

    /// Writes the six files into `folder`.
    static func write(into folder: URL) throws {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        for (name, bytes) in files() { try Data(bytes).write(to: folder.appendingPathComponent(name)) }
    }
}

/// A ustar header and contents for `path`, padded to whole blocks. `size` overrides the size the
/// header records.
func tarEntry(_ path: String, _ contents: [UInt8], type: UInt8 = UInt8(ascii: "0"), size: Int? = nil) -> [UInt8] {
    var header = [UInt8](repeating: 0, count: 512)
    func put(_ text: String, at offset: Int) {
        for (index, byte) in text.utf8.enumerated() { header[offset + index] = byte }
    }
    put(path, at: 0)
    put("0000644", at: 100)
    put("0000000", at: 108)
    put("0000000", at: 116)
    put(octal(size ?? contents.count, digits: 11), at: 124)
    put("00000000000", at: 136)
    header[156] = type
    put("ustar", at: 257)
    put("00", at: 263)
    for index in 148..<156 { header[index] = 0x20 }
    let sum = header.reduce(0) { $0 + Int($1) }
    put(octal(sum, digits: 6), at: 148)
    header[154] = 0
    header[155] = 0x20
    let padding = (512 - contents.count % 512) % 512
    return header + contents + [UInt8](repeating: 0, count: padding)
}

/// `value` in octal, led by zeros to `digits` digits.
func octal(_ value: Int, digits: Int) -> String {
    let text = String(value, radix: 8)
    return String(repeating: "0", count: max(0, digits - text.count)) + text
}

/// `entries` followed by the two zero blocks that end an archive.
func tarArchive(_ entries: [[UInt8]]) -> [UInt8] {
    entries.flatMap { $0 } + [UInt8](repeating: 0, count: 1024)
}

/// `raw` as a gzip file made of stored (uncompressed) DEFLATE blocks.
func storedGzipped(_ raw: [UInt8]) -> [UInt8] {
    var bytes: [UInt8] = [0x1F, 0x8B, 8, 0, 0, 0, 0, 0, 0, 0xFF]
    var start = 0
    repeat {
        let end = min(start + 65_535, raw.count)
        let length = UInt16(end - start)
        bytes.append(end == raw.count ? 1 : 0)
        bytes += [UInt8(length & 0xFF), UInt8(length >> 8), UInt8(~length & 0xFF), UInt8(~length >> 8)]
        bytes += raw[start..<end]
        start = end
    } while start < raw.count
    for value in [CRC32.checksum(raw), UInt32(raw.count)] {
        bytes += (0..<4).map { UInt8(truncatingIfNeeded: value >> (8 * UInt32($0))) }
    }
    return bytes
}

@Suite("CIFAR-10: MD5, tar, download and loader")
struct CIFAR10Tests {
    func temporaryFolder(_ purpose: String) throws -> URL {
        let url = scratchFolder.appendingPathComponent("descent-\(purpose)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    func names(in folder: URL) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted()
    }

    /// The tiny dataset as the publisher's archive lays it out, gzipped.
    func tinyArchive() -> [UInt8] {
        let directory = tarEntry("cifar-10-batches-bin/", [], type: UInt8(ascii: "5"))
        let meta = tarEntry("cifar-10-batches-bin/batches.meta.txt", Array(Dataset.cifar10ClassNames.joined(separator: "\n").utf8))
        let files = TinyCIFAR10.files().map { tarEntry("cifar-10-batches-bin/\($0.name)", $0.bytes) }
        return storedGzipped(tarArchive([directory, meta] + files))
    }

    /// A dataset like ``DownloadableDataset/cifar10`` whose archive is `archive`.
    func tinyDataset(md5: String, byteCounts: Bool = true) -> DownloadableDataset {
        let sizes = Dictionary(uniqueKeysWithValues: TinyCIFAR10.files().map { ($0.name, $0.bytes.count) })
        let members = DownloadableDataset.cifar10.files[0].members.map {
            DownloadableDataset.File.Member(path: $0.path, name: $0.name, byteCount: byteCounts ? sizes[$0.name] : $0.byteCount)
        }
        return DownloadableDataset(name: "cifar10", files: [.init(archive: "cifar-10-binary.tar.gz", md5: md5, members: members)],
                                   mirrors: [])
    }

    @Test func md5MatchesReferenceValues() {
        // RFC 1321's test suite.
        #expect(MD5.hexDigest(of: []) == "d41d8cd98f00b204e9800998ecf8427e")
        #expect(MD5.hexDigest(of: Array("a".utf8)) == "0cc175b9c0f1b6a831c399e269772661")
        #expect(MD5.hexDigest(of: Array("abc".utf8)) == "900150983cd24fb0d6963f7d28e17f72")
        #expect(MD5.hexDigest(of: Array("message digest".utf8)) == "f96b697d7cb7938d525a2f31aaf161d0")
        #expect(MD5.hexDigest(of: Array("abcdefghijklmnopqrstuvwxyz".utf8)) == "c3fcd3d76192e4007dfb496cca67e13b")
        #expect(MD5.hexDigest(of: Array(String(repeating: "1234567890", count: 8).utf8)) == "57edf4a22be3c955ac49da2e2107b67a")
        // Lengths around the padding's block boundaries (Python's hashlib.md5 gave the sums).
        let expected = [55: "52c0e574e1198de5fe3f8f11440dcb1b", 56: "46c9907fc908ee68b1e7b8e71286a518",
                        63: "a62f6d59e837867693f042f5b8f5a236", 64: "7160b8fb5e9e4023d549c3971fbaeead",
                        65: "70bd662e7aefbda85a0f7244167b7897", 1000: "10046f077f2082ac19676b8079f1cb1a"]
        for (count, sum) in expected {
            #expect(MD5.hexDigest(of: (0..<count).map { UInt8(($0 * 7 + 3) % 256) }) == sum, "\(count) bytes")
        }
    }

    @Test func tarListsEntries() throws {
        let archive = tarArchive([tarEntry("folder/", [], type: UInt8(ascii: "5")), tarEntry("folder/a.bin", [1, 2, 3]),
                                  tarEntry("link", [], type: UInt8(ascii: "2")), tarEntry("b", Array(repeating: 9, count: 600))])
        let entries = try Tar.entries(archive)
        #expect(entries.map(\.path) == ["folder/", "folder/a.bin", "link", "b"])
        #expect(entries.map(\.kind) == [.directory, .file, .other(UInt8(ascii: "2")), .file])
        #expect(Array(archive[entries[1].contents]) == [1, 2, 3])
        #expect(Array(archive[entries[3].contents]) == Array(repeating: 9, count: 600))
        #expect(try Tar.entries([]) == [])
    }

    @Test func tarRefusesPathsThatLeaveTheFolder() {
        for path in ["../x", "a/../../x", "/etc/x"] {
            let error = #expect(throws: DataError.self) { try Tar.entries(tarArchive([tarEntry("ok", [1]), tarEntry(path, [1])])) }
            #expect(error?.kind == .corrupt)
            #expect(error?.offset == 1024)
            #expect(error?.message.contains("outside the folder") == true, "\(path)")
        }
    }

    @Test func tarRefusesSizesBeyondTheArchiveAndBadHeaders() {
        let tooBig = #expect(throws: DataError.self) { try Tar.entries(tarEntry("a", [1, 2], size: 1 << 30)) }
        #expect(tooBig?.kind == .truncated)
        #expect(tooBig?.message.contains("gives 1073741824 bytes of contents, but only 512 bytes follow it") == true)
        // A size that the padding holds but the archive does not.
        let cut = #expect(throws: DataError.self) { try Tar.entries(Array(tarEntry("a", [UInt8](repeating: 1, count: 1000)).prefix(900))) }
        #expect(cut?.kind == .truncated)
        var badSum = tarEntry("a", [1])
        badSum[0] = UInt8(ascii: "b")
        #expect((#expect(throws: DataError.self) { try Tar.entries(badSum) })?.message.contains("checksum") == true)
        var notUstar = tarEntry("a", [1])
        notUstar[257] = UInt8(ascii: "x")
        #expect((#expect(throws: DataError.self) { try Tar.entries(notUstar) })?.message.contains("ustar") == true)
        #expect((#expect(throws: DataError.self) { try Tar.entries(Array(tarEntry("a", [1]).prefix(300))) })?.kind == .truncated)
    }

    @Test func fetchChecksExtractsAndLoads() async throws {
        let mirror = try temporaryFolder("cifar-mirror"), destination = try temporaryFolder("cifar").appendingPathComponent("cifar10")
        defer {
            try? FileManager.default.removeItem(at: mirror)
            try? FileManager.default.removeItem(at: destination.deletingLastPathComponent())
        }
        let archive = tinyArchive()
        try Data(archive).write(to: mirror.appendingPathComponent("cifar-10-binary.tar.gz"))
        let dataset = tinyDataset(md5: MD5.hexDigest(of: archive))
        var events: [DownloadableDataset.Event] = []
        let locations = try await dataset.fetch(into: destination, mirrors: [mirror]) { events.append($0) }
        let fileNames = CIFAR10Part.allCases.flatMap(\.fileNames)
        #expect(locations == fileNames.map { destination.appendingPathComponent($0) })
        #expect(try names(in: destination) == fileNames.sorted())  // no temporary file, no archive
        for (name, bytes) in TinyCIFAR10.files() {
            #expect(try Data(contentsOf: destination.appendingPathComponent(name)) == Data(bytes))
        }
        #expect(events.first == .downloading(mirror.appendingPathComponent("cifar-10-binary.tar.gz")))
        #expect(events.last == .extracted(destination: locations[5], source: mirror.appendingPathComponent("cifar-10-binary.tar.gz"),
                                          byteCount: 3 * 3073))
        #expect(CIFAR10Locator.containsCIFAR10(destination))

        events = []
        try await dataset.fetch(into: destination, mirrors: [mirror]) { events.append($0) }
        #expect(events == [.alreadyExtracted(locations)])

        let (train, test) = try Dataset.cifar10(directory: destination)
        #expect(train.features.shape == [10, 3072])
        #expect(train.features.dtype == .float32)
        #expect(train.labels.shape == [10])
        #expect(train.labels.scalars(as: Int32.self) == (0..<10).map { Int32($0 % 10) })
        #expect(test.labels.scalars(as: Int32.self) == [0, 1, 2])
        #expect(train.classNames == ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"])
        #expect(train.classCount == 10 && test.classCount == 10)
        let pixels = train.features.scalars(as: Float.self), testPixels = test.features.scalars(as: Float.self)
        // Record 3 is the second of data_batch_2.bin; pixel 1030 is in the green plane.
        #expect(pixels[3 * 3072 + 1030] == Float(TinyCIFAR10.record(3)[1 + 1030]) / 255)
        #expect(testPixels[2 * 3072 + 3071] == Float(TinyCIFAR10.record(102)[3072]) / 255)
        #expect(pixels.allSatisfy { (0...1).contains($0) })
    }

    @Test func aWrongChecksumLeavesNothingBehind() async throws {
        let mirror = try temporaryFolder("cifar-mirror"), destination = try temporaryFolder("cifar")
        defer {
            try? FileManager.default.removeItem(at: mirror)
            try? FileManager.default.removeItem(at: destination)
        }
        let archive = tinyArchive()
        try Data(archive).write(to: mirror.appendingPathComponent("cifar-10-binary.tar.gz"))
        let error = try await #require(throws: DataError.self) {
            try await DownloadableDataset.cifar10.fetch(into: destination, mirrors: [mirror])
        }
        #expect(error.kind == .downloadFailed)
        #expect(error.message.contains("expected MD5 c32a1d4ab5d03f1284b67883e8d87530 (of the file as served), found \(MD5.hexDigest(of: archive))"))
        #expect(try names(in: destination) == [])
    }

    /// An archive with the wrong MD5 is refused on it before the inflater sees it: corrupt gzip
    /// data is reported as a wrong MD5, never as "not valid gzip data".
    @Test func aWrongChecksumIsRefusedBeforeAnyDecompression() async throws {
        let mirror = try temporaryFolder("cifar-mirror"), destination = try temporaryFolder("cifar")
        defer {
            try? FileManager.default.removeItem(at: mirror)
            try? FileManager.default.removeItem(at: destination)
        }
        var archive = tinyArchive()
        archive[10] = 0xFF  // the first DEFLATE block's header: block type 3, which no inflater accepts
        try Data(archive).write(to: mirror.appendingPathComponent("cifar-10-binary.tar.gz"))
        let error = try await #require(throws: DataError.self) {
            try await DownloadableDataset.cifar10.fetch(into: destination, mirrors: [mirror])
        }
        #expect(error.message.contains("expected MD5 c32a1d4ab5d03f1284b67883e8d87530 (of the file as served), found \(MD5.hexDigest(of: archive))"))
        #expect(!error.message.contains("gzip") && !error.message.contains("DEFLATE"))
        #expect(try names(in: destination) == [])
    }

    @Test func membersOfTheWrongSizeOrMissingOrEscapingLeaveNothingBehind() async throws {
        let mirror = try temporaryFolder("cifar-mirror"), destination = try temporaryFolder("cifar")
        defer {
            try? FileManager.default.removeItem(at: mirror)
            try? FileManager.default.removeItem(at: destination)
        }
        let url = mirror.appendingPathComponent("cifar-10-binary.tar.gz")
        // The publisher's sizes (10,000 records a file) do not match the tiny files.
        var archive = tinyArchive()
        try Data(archive).write(to: url)
        var error = try await #require(throws: DataError.self) {
            try await tinyDataset(md5: MD5.hexDigest(of: archive), byteCounts: false).fetch(into: destination, mirrors: [mirror])
        }
        #expect(error.message.contains("cifar-10-batches-bin/data_batch_1.bin in the archive is 6146 bytes; expected 30730000"))
        #expect(try names(in: destination) == [])

        // A test file missing.
        let train = TinyCIFAR10.files().prefix(5).map { tarEntry("cifar-10-batches-bin/\($0.name)", $0.bytes) }
        archive = storedGzipped(tarArchive(train))
        try Data(archive).write(to: url)
        error = try await #require(throws: DataError.self) {
            try await tinyDataset(md5: MD5.hexDigest(of: archive)).fetch(into: destination, mirrors: [mirror])
        }
        #expect(error.message.contains("the archive holds no file cifar-10-batches-bin/test_batch.bin"))
        #expect(try names(in: destination) == [])

        // An entry that would land outside the folder.
        archive = storedGzipped(tarArchive(train + [tarEntry("../x", [1])]))
        try Data(archive).write(to: url)
        error = try await #require(throws: DataError.self) {
            try await tinyDataset(md5: MD5.hexDigest(of: archive)).fetch(into: destination, mirrors: [mirror])
        }
        #expect(error.message.contains("not a valid tar archive"))
        #expect(error.message.contains("\"../x\" would be extracted outside the folder"))
        #expect(try names(in: destination) == [])
        #expect(!FileManager.default.fileExists(atPath: destination.deletingLastPathComponent().appendingPathComponent("x").path))
    }

    @Test func theLoaderRefusesBadFiles() throws {
        let folder = try temporaryFolder("cifar")
        defer { try? FileManager.default.removeItem(at: folder) }
        try TinyCIFAR10.write(into: folder)
        let test = folder.appendingPathComponent("test_batch.bin")
        let good = TinyCIFAR10.files()[5].bytes

        // Cut short: the last record lacks its final byte.
        try Data(good.dropLast()).write(to: test)
        var error = #expect(throws: DataError.self) { try Dataset.cifar10(.test, directory: folder) }
        #expect(error?.kind == .truncated)
        #expect(error?.file == test.path)
        #expect(error?.offset == 2 * 3073)
        #expect(error?.message.contains("ends inside record 2 (3072 of its 3073 bytes)") == true)

        // A record count that does not match the file size: one byte too many.
        try Data(good + [0]).write(to: test)
        error = #expect(throws: DataError.self) { try Dataset.cifar10(.test, directory: folder) }
        #expect(error?.message.contains("9220 bytes is not a whole number of CIFAR-10 records") == true)

        try Data().write(to: test)
        error = #expect(throws: DataError.self) { try Dataset.cifar10(.test, directory: folder) }
        #expect(error?.kind == .truncated)

        var badLabel = good
        badLabel[3073] = 10
        try Data(badLabel).write(to: test)
        error = #expect(throws: DataError.self) { try Dataset.cifar10(.test, directory: folder) }
        #expect(error?.kind == .corrupt)
        #expect(error?.offset == 3073)

        try FileManager.default.removeItem(at: test)
        error = #expect(throws: DataError.self) { try Dataset.cifar10(.test, directory: folder) }
        #expect(error?.kind == .fileNotFound)
        #expect(try Dataset.cifar10(.train, directory: folder).count == 10)
    }

    @Test func theLocatorLooksLikeMNISTs() throws {
        let root = try temporaryFolder("cifar-root")
        defer { try? FileManager.default.removeItem(at: root) }
        let home = URL(fileURLWithPath: "/home/someone")
        // The folder tar makes, inside $DESCENT_DATA.
        try TinyCIFAR10.write(into: root.appendingPathComponent("cifar-10-batches-bin"))
        let fromEnvironment = CIFAR10Locator(environment: ["DESCENT_DATA": root.path], homeDirectory: home)
        #expect(try fromEnvironment.locate() == root.appendingPathComponent("cifar-10-batches-bin"))
        let cache = CIFAR10Locator(environment: ["XDG_CACHE_HOME": "/cache"], homeDirectory: home).cacheDirectory
        #if os(macOS)
        #expect(cache.path == "/home/someone/Library/Caches/descent/cifar10")
        #else
        #expect(cache.path == "/cache/descent/cifar10")
        #endif
        let nowhere = CIFAR10Locator(dataDirectory: root.appendingPathComponent("empty"), environment: [:], homeDirectory: home)
        #expect(nowhere.candidates.count == 3)
        let error = #expect(throws: DataError.self) { try nowhere.locate() }
        #expect(error?.kind == .fileNotFound)
        #expect(error?.message.contains("CIFAR-10 was not found") == true)
    }

    @Test func cifar10IsDescribed() {
        let cifar = DownloadableDataset.cifar10
        #expect(cifar.name == "cifar10")
        #expect(cifar.mirrors.map(\.absoluteString) == ["https://www.cs.toronto.edu/~kriz/"])
        #expect(cifar.files.map(\.name) == ["cifar-10-binary.tar.gz"])
        #expect(cifar.files[0].md5 == "c32a1d4ab5d03f1284b67883e8d87530")
        #expect(cifar.files[0].members.map(\.name) == CIFAR10Part.allCases.flatMap(\.fileNames))
        #expect(cifar.files[0].members.allSatisfy { $0.byteCount == 30_730_000 && $0.path == "cifar-10-batches-bin/" + $0.name })
    }
}
