import Foundation

/// Finds the folder that holds the MNIST files.
///
/// Where it looks, in order:
/// 1. the folder given explicitly (``dataDirectory``), or its `mnist` subfolder — and nowhere
///    else, since the user asked for that folder;
/// 2. otherwise `$DESCENT_DATA`, or its `mnist` subfolder;
/// 3. then the per-user cache that `descent datasets fetch mnist` fills (``cacheDirectory``):
///    `~/Library/Caches/descent/mnist` on macOS, `$XDG_CACHE_HOME/descent/mnist` or
///    `~/.cache/descent/mnist` elsewhere.
///
/// A folder qualifies when it holds the images and labels of both parts (see ``MNISTPart``).
public struct MNISTLocator: Sendable {
    /// The folder the user named, if any.
    public var dataDirectory: URL?
    /// The environment to read `DESCENT_DATA` and `XDG_CACHE_HOME` from.
    public var environment: [String: String]
    /// The user's home folder.
    public var homeDirectory: URL

    /// A locator for the current process.
    public init(dataDirectory: URL? = nil,
                environment: [String: String] = ProcessInfo.processInfo.environment,
                homeDirectory: URL = FileManager.default.homeDirectoryForCurrentUser) {
        self.dataDirectory = dataDirectory
        self.environment = environment
        self.homeDirectory = homeDirectory
    }

    /// The per-user cache folder for MNIST, where a download should put the files.
    public var cacheDirectory: URL {
        #if os(macOS)
        return homeDirectory.appendingPathComponent("Library/Caches/descent/mnist")
        #else
        if let xdg = environment["XDG_CACHE_HOME"], xdg.hasPrefix("/") {
            return URL(fileURLWithPath: xdg).appendingPathComponent("descent/mnist")
        }
        return homeDirectory.appendingPathComponent(".cache/descent/mnist")
        #endif
    }

    /// Where a folder that the locator looks at came from.
    public enum Origin: Sendable, Equatable, CustomStringConvertible {
        /// ``MNISTLocator/dataDirectory``, the folder the user named.
        case given
        /// The `DESCENT_DATA` environment variable.
        case environment
        /// The per-user cache (``MNISTLocator/cacheDirectory``).
        case cache

        public var description: String {
            switch self {
            case .given: "the folder given"
            case .environment: "$DESCENT_DATA"
            case .cache: "the per-user cache"
            }
        }
    }

    /// The folders looked at, in order, each with where it came from.
    public var candidates: [(folder: URL, origin: Origin)] {
        func withSubfolder(_ folder: URL, _ origin: Origin) -> [(URL, Origin)] {
            [(folder, origin), (folder.appendingPathComponent("mnist"), origin)]
        }
        if let dataDirectory { return withSubfolder(dataDirectory, .given) }
        var result: [(URL, Origin)] = []
        if let root = environment["DESCENT_DATA"], !root.isEmpty {
            result += withSubfolder(URL(fileURLWithPath: root), .environment)
        }
        result.append((cacheDirectory, .cache))
        return result
    }

    /// Whether `folder` holds all four MNIST files.
    public static func containsMNIST(_ folder: URL) -> Bool {
        MNISTPart.allCases.allSatisfy { $0.url(images: true, in: folder) != nil && $0.url(images: false, in: folder) != nil }
    }

    /// The first candidate folder that holds MNIST.
    ///
    /// - Throws: ``DataError`` (`.fileNotFound`) listing every folder looked at and how to get
    ///   the files.
    public func locate() throws -> URL {
        let candidates = candidates
        if let found = candidates.first(where: { Self.containsMNIST($0.folder) }) { return found.folder }
        let places = candidates.map { "  \($0.folder.path) (\($0.origin))" }.joined(separator: "\n")
        let names = MNISTPart.allCases.flatMap { [$0.fileNames.images, $0.fileNames.labels] }.joined(separator: ", ")
        throw DataError(.fileNotFound, """
            MNIST was not found. Looked for \(names) (each optionally .gz) in:
            \(places)
            Download it with `descent datasets fetch mnist` (or `DownloadableDataset.mnist`), or name the folder that holds it.
            """)
    }
}
