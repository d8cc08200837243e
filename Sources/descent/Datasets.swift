import ArgumentParser
import Descent
import Foundation

/// `descent datasets`: what the built-in datasets are, and downloading MNIST or CIFAR-10.
struct Datasets: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List the built-in datasets, or download MNIST or CIFAR-10.",
        subcommands: [List.self, Fetch.self])
}

extension Datasets {
    /// `descent datasets list`: each built-in name, what it is, and for MNIST where it is.
    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show the built-in datasets and whether MNIST and CIFAR-10 have been downloaded.")

        @Option(help: "Look for MNIST and CIFAR-10 in this folder (as `descent train --data-dir` would).")
        var dataDir: String?

        /// What each name in `DatasetSource.builtinNames` is, MNIST aside.
        static let descriptions = [
            "digits": "1,797 8×8 handwritten digits, 10 classes (inside the package)",
            "xor": "the 4 points of XOR, 2 classes (generated)",
            "moons": "200 points on two interleaving half circles, 2 classes (generated, seeded)",
            "circles": "200 points on two concentric circles, 2 classes (generated, seeded)",
            "spirals": "300 points on three spiral arms, 3 classes (generated, seeded)",
        ]

        func run() throws {
            let width = DatasetSource.builtinNames.map(\.count).max() ?? 0
            print("Built-in datasets (`descent train NAME`):")
            for name in DatasetSource.builtinNames {
                let padded = name.padding(toLength: width, withPad: " ", startingAt: 0)
                let description = switch name {
                case "mnist": mnistStatus(indent: width + 4)
                case "cifar10": cifar10Status(indent: width + 4)
                default: Self.descriptions[name] ?? ""
                }
                print("  \(padded)  \(description)")
            }
        }

        /// Where MNIST is, or where it was looked for and how to get it.
        func mnistStatus(indent: Int) -> String {
            let locator = MNISTLocator(dataDirectory: dataDir.map { URL(fileURLWithPath: $0) })
            let summary = "70,000 28×28 handwritten digits, 10 classes"
            let margin = String(repeating: " ", count: indent)
            if let found = locator.candidates.first(where: { MNISTLocator.containsMNIST($0.folder) }) {
                return "\(summary): in \(found.folder.path) (\(found.origin.commandLineName))"
            }
            let places = locator.candidates.map { "\(margin)  \($0.folder.path) (\($0.origin.commandLineName))" }
            return ([summary + ": not found; looked in"] + places
                    + ["\(margin)`descent datasets fetch mnist` downloads it to \(locator.cacheDirectory.path)"])
                .joined(separator: "\n")
        }

        /// Where CIFAR-10 is, or where it was looked for and how to get it.
        func cifar10Status(indent: Int) -> String {
            let locator = CIFAR10Locator(dataDirectory: dataDir.map { URL(fileURLWithPath: $0) })
            let summary = "60,000 32×32 colour images, 10 classes"
            let margin = String(repeating: " ", count: indent)
            if let found = locator.candidates.first(where: { CIFAR10Locator.containsCIFAR10($0.folder) }) {
                return "\(summary): in \(found.folder.path) (\(found.origin.commandLineName))"
            }
            let places = locator.candidates.map { "\(margin)  \($0.folder.path) (\($0.origin.commandLineName))" }
            return ([summary + ": not found; looked in"] + places
                    + ["\(margin)`descent datasets fetch cifar10` downloads it to \(locator.cacheDirectory.path)"])
                .joined(separator: "\n")
        }
    }

    /// `descent datasets fetch NAME`: downloads a dataset's files and checks their checksums.
    struct Fetch: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Download MNIST or CIFAR-10 into the per-user cache (or --directory), checking every file's checksum.",
            discussion: """
                Files already there with the right checksum are kept. Each file is tried from each \
                mirror in turn; a download whose checksum does not match is discarded, so the \
                folder only ever holds checked files. CIFAR-10 comes as one archive whose MD5 \
                is checked before its six batch files are taken out of it.
                """)

        @Argument(help: "The dataset to download: \(DownloadableDataset.all.map(\.name).joined(separator: ", ")).")
        var name: String

        @Option(help: "Put the files in this folder instead of the per-user cache.")
        var directory: String?

        @Option(help: ArgumentHelp(
            "Download from this base URL (https://, http://, file://, or a local folder) instead of the usual mirrors; repeat to try several in order.",
            valueName: "url"))
        var mirror: [String] = []

        func run() async throws {
            try await reported {
                guard let dataset = DownloadableDataset.all.first(where: { $0.name == name.lowercased() }) else {
                    throw ValidationErrorMessage(text: """
                        cannot fetch "\(name)": the datasets to download are \
                        \(DownloadableDataset.all.map(\.name).joined(separator: ", ")); \
                        \(DatasetSource.builtinNames.filter { name in !DownloadableDataset.all.contains { $0.name == name } }
                            .joined(separator: ", ")) are built in
                        """)
                }
                // Each dataset's cache folder is named after it, beside MNIST's.
                let folder = directory.map { URL(fileURLWithPath: $0) }
                    ?? MNISTLocator().cacheDirectory.deletingLastPathComponent().appendingPathComponent(dataset.name)
                print("Fetching \(dataset.name) into \(folder.path)")
                try await dataset.fetch(into: folder, mirrors: try mirrors()) { event in
                    print(Self.describe(event))
                }
                let using = directory == nil ? "`descent train \(dataset.name)`" : "`descent train \(dataset.name) --data-dir \(folder.path)`"
                print("Done: \(using) finds it there.")
            }
        }

        /// The `--mirror` values as base URLs, or nil for the dataset's own mirrors.
        func mirrors() throws -> [URL]? {
            guard !mirror.isEmpty else { return nil }
            return try mirror.map { text in
                guard text.contains("://") else { return URL(fileURLWithPath: text, isDirectory: true) }
                guard let url = URL(string: text), url.scheme != nil else {
                    throw ValidationErrorMessage(text: "--mirror \(text): not a valid URL")
                }
                return url
            }
        }

        /// One line about one step of the download.
        static func describe(_ event: DownloadableDataset.Event) -> String {
            switch event {
            case .alreadyThere(let file):
                return "  \(file.lastPathComponent): already there, SHA-256 checked"
            case .replacingBadCopy(let file):
                return "  \(file.lastPathComponent): the copy there has the wrong SHA-256; downloading a new one"
            case .downloading(let source):
                return "  \(source.lastPathComponent): downloading \(source.absoluteString)"
            case .mirrorFailed(_, let reason):
                return "      failed: \(reason)"
            case .saved(let destination, _, let byteCount):
                let size = byteCount >= 1_000_000 ? String(format: "%.1f MB", Double(byteCount) / 1e6)
                    : String(format: "%.1f kB", Double(byteCount) / 1e3)
                return "  \(destination.lastPathComponent): saved (\(size)), SHA-256 checked"
            case .alreadyExtracted(let files):
                return "  \(files.map(\.lastPathComponent).joined(separator: ", ")): already there"
            case .extracted(let destination, _, let byteCount):
                return "  \(destination.lastPathComponent): extracted (\(String(format: "%.1f MB", Double(byteCount) / 1e6))), archive's MD5 checked"
            }
        }
    }
}

extension MNISTLocator.Origin {
    /// Where a folder came from, naming the option that gives one.
    var commandLineName: String {
        self == .given ? "--data-dir" : description
    }
}
