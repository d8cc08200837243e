import Foundation

/// Compiled kernels on disk, so that NVRTC runs once per kernel group, GPU architecture and
/// compiler — not once per program.
///
/// A file holds the full key (the source, the options, NVRTC's version and the architecture)
/// before the CUBIN, and a load compares it whole: two keys that share a file name can only cost
/// a recompilation, never run the wrong code. Files are written atomically (``AtomicFile``), so
/// two programs compiling at once leave one whole file. Anything unreadable is a miss; a cache
/// that cannot be written is skipped silently (the kernels still work, compiled again next time).
struct CUDAKernelCache: Sendable {
    /// The folder of the files; `nil` turns the cache off.
    let folder: URL?

    /// The first eight bytes of every file.
    static let magic = Array("DCUBIN1\n".utf8)

    /// `DESCENT_CUDA_CACHE` if set (empty: no cache), else `$XDG_CACHE_HOME/descent/cuda`, else
    /// `~/.cache/descent/cuda`.
    static func defaultFolder(environment: [String: String] = ProcessInfo.processInfo.environment,
                              home: String = FileManager.default.homeDirectoryForCurrentUser.path) -> URL? {
        if let explicit = environment["DESCENT_CUDA_CACHE"] {
            return explicit.isEmpty ? nil : URL(fileURLWithPath: explicit)
        }
        if let xdg = environment["XDG_CACHE_HOME"], !xdg.isEmpty {
            return URL(fileURLWithPath: xdg).appendingPathComponent("descent/cuda")
        }
        return URL(fileURLWithPath: home).appendingPathComponent(".cache/descent/cuda")
    }

    /// Everything the CUBIN depends on, as one text.
    static func key(source: String, options: [String], nvrtcVersion: (major: Int, minor: Int), architecture: String) -> String {
        "nvrtc \(nvrtcVersion.major).\(nvrtcVersion.minor)\narchitecture \(architecture)\noptions \(options.joined(separator: " "))\n\(source)"
    }

    /// The file name for `key`: its 64-bit FNV-1a hash in hex.
    static func fileName(forKey key: String) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in key.utf8 {
            hash ^= UInt64(byte)
            hash &*= 0x0000_0100_0000_01b3
        }
        let hex = String(hash, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex + ".cubin"
    }

    /// The CUBIN stored under `key`, if there is one whose full key matches.
    func load(key: String) -> [UInt8]? {
        guard let folder, let data = try? Data(contentsOf: folder.appendingPathComponent(Self.fileName(forKey: key))) else {
            return nil
        }
        let keyBytes = Array(key.utf8)
        let header = Self.magic + Self.lengthBytes(keyBytes.count) + keyBytes
        guard data.count > header.count, data.prefix(header.count).elementsEqual(header) else { return nil }
        return Array(data.dropFirst(header.count))
    }

    /// Stores `cubin` under `key`, atomically; failures are ignored (see the type's notes).
    func store(_ cubin: [UInt8], key: String) {
        guard let folder else { return }
        let keyBytes = Array(key.utf8)
        let contents = Data(Self.magic + Self.lengthBytes(keyBytes.count) + keyBytes + cubin)
        try? FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try? AtomicFile.write(contents, to: folder.appendingPathComponent(Self.fileName(forKey: key)))
    }

    private static func lengthBytes(_ count: Int) -> [UInt8] {
        (0..<8).map { UInt8(truncatingIfNeeded: UInt64(count) >> (8 * $0)) }
    }
}

/// Compiles the kernel groups with NVRTC, through the cache.
struct CUDAKernelCompiler: Sendable {
    let nvrtc: NVRTC
    let cache: CUDAKernelCache

    /// The NVRTC options for a GPU of compute capability `major.minor`: a CUBIN for exactly that
    /// architecture, and no fused multiply-add, so that each operation rounds as the reference
    /// backend's Swift does (the fused optimizer steps and elementwise formulas match it more
    /// closely; cuBLAS, which does the heavy arithmetic, is unaffected).
    static func options(architecture: String) -> [String] {
        ["--gpu-architecture=\(architecture)", "--fmad=false", "-std=c++17"]
    }

    /// `sm_90` for compute capability 9.0.
    static func architecture(major: Int, minor: Int) -> String { "sm_\(major)\(minor)" }

    /// The CUBIN of `module` for `architecture`, from the cache or compiled now (and stored).
    func cubin(_ module: CUDAKernelModule, architecture: String) throws(CUDAError) -> [UInt8] {
        let source = module.source
        let options = Self.options(architecture: architecture)
        let key = CUDAKernelCache.key(source: source, options: options, nvrtcVersion: nvrtc.version, architecture: architecture)
        if let cached = cache.load(key: key) { return cached }
        let cubin = try nvrtc.compile(source, name: "descent_\(module.rawValue).cu", options: options)
        cache.store(cubin, key: key)
        return cubin
    }
}
