import Foundation

/// The three CUDA libraries Descent opens at run time, and the file names they go by.
public enum CUDALibrary: String, Sendable, CaseIterable {
    /// The driver (`libcuda.so.1`), installed with the GPU's kernel module, never by a toolkit.
    case driver
    /// cuBLAS, for matrix products.
    case cublas
    /// NVRTC, which compiles the kernels' CUDA C at first use.
    case nvrtc

    /// The file names to try, newest CUDA first.
    public var fileNames: [String] {
        switch self {
        case .driver: ["libcuda.so.1"]
        case .cublas: ["libcublas.so.13", "libcublas.so.12"]
        case .nvrtc: ["libnvrtc.so.13", "libnvrtc.so.12"]
        }
    }

    /// How a message names the library.
    public var title: String {
        switch self {
        case .driver: "the CUDA driver"
        case .cublas: "cuBLAS"
        case .nvrtc: "NVRTC"
        }
    }
}

/// Where Descent looks for a CUDA library, in order — worked out from the environment and the
/// file system alone, so that tests can check the order without CUDA.
///
/// 1. Each folder of `DESCENT_CUDA_PATH` (colon-separated): the folder itself, its `nvidia/*/lib`
///    folders (a Python `site-packages`), and those of the `lib/python3*/site-packages` below it
///    (a virtual environment or prefix).
/// 2. The active Python environment (`VIRTUAL_ENV`, `CONDA_PREFIX`) and the usual user and system
///    `site-packages`: where `pip install nvidia-cublas-cu12 nvidia-cuda-nvrtc` puts its libraries.
/// 3. The bare file name, which `dlopen` looks up in `LD_LIBRARY_PATH` and the linker's cache —
///    first of all for the driver, which must match the kernel module and never comes from a wheel.
/// 4. The toolkit's usual folders (`/usr/local/cuda/lib64` …).
public struct CUDALibrarySearch: Sendable {
    /// The environment variables the search reads.
    public var environment: [String: String]
    /// The user's home folder.
    public var home: String
    /// The entries of a folder (names only), or `[]` when it cannot be read.
    var listFolder: @Sendable (String) -> [String]

    /// A search of this process's environment and file system.
    public init() {
        self.init(environment: ProcessInfo.processInfo.environment,
                  home: FileManager.default.homeDirectoryForCurrentUser.path,
                  listFolder: { (try? FileManager.default.contentsOfDirectory(atPath: $0)) ?? [] })
    }

    /// A search of the given environment and folders (for tests).
    public init(environment: [String: String], home: String, listFolder: @escaping @Sendable (String) -> [String]) {
        (self.environment, self.home, self.listFolder) = (environment, home, listFolder)
    }

    /// Every path (or bare file name, for `dlopen`'s own search) to try for `library`, in order,
    /// without repeats; with `driverMajor` (13 for a driver of CUDA 13.x), only the versions that
    /// driver runs (cuBLAS 13 and NVRTC 13's CUBIN need a CUDA 13 driver).
    public func candidates(for library: CUDALibrary, driverMajor: Int? = nil) -> [String] {
        let all = allCandidates(for: library)
        guard let driverMajor else { return all }
        return all.filter { path in
            guard let major = path.split(separator: ".").last.flatMap({ Int($0) }) else { return true }
            return library == .driver || major <= driverMajor
        }
    }

    private func allCandidates(for library: CUDALibrary) -> [String] {
        var folders: [String] = []
        for folder in (environment["DESCENT_CUDA_PATH"] ?? "").split(separator: ":").map(String.init) where !folder.isEmpty {
            folders.append(folder)
            folders += wheelLibraryFolders(inSitePackages: folder)
            for sitePackages in sitePackagesFolders(underPrefix: folder) {
                folders += wheelLibraryFolders(inSitePackages: sitePackages)
            }
        }
        var pythonFolders: [String] = []
        for variable in ["VIRTUAL_ENV", "CONDA_PREFIX"] {
            if let prefix = environment[variable], !prefix.isEmpty {
                for sitePackages in sitePackagesFolders(underPrefix: prefix) {
                    pythonFolders += wheelLibraryFolders(inSitePackages: sitePackages)
                }
                pythonFolders.append(prefix + "/lib")
            }
        }
        for prefix in [home + "/.local", "/usr/local", "/usr"] {
            for sitePackages in sitePackagesFolders(underPrefix: prefix) {
                pythonFolders += wheelLibraryFolders(inSitePackages: sitePackages)
            }
        }
        pythonFolders += wheelLibraryFolders(inSitePackages: "/usr/lib/python3/dist-packages")
        let toolkitFolders = ["/usr/local/cuda/lib64", "/usr/local/cuda/targets/x86_64-linux/lib",
                              "/usr/local/cuda/targets/sbsa-linux/lib", "/usr/lib/x86_64-linux-gnu",
                              "/usr/lib/aarch64-linux-gnu", "/usr/lib64", "/usr/lib/wsl/lib"]

        var result: [String] = []
        func add(_ folders: [String]) {
            for folder in folders {
                for name in library.fileNames { result.append(folder + "/" + name) }
            }
        }
        add(folders)
        if library == .driver {
            result += library.fileNames
            add(toolkitFolders)
        } else {
            add(pythonFolders)
            result += library.fileNames
            add(toolkitFolders)
        }
        var seen = Set<String>()
        return result.filter { seen.insert($0).inserted }
    }

    /// `prefix/lib/python3*/site-packages` and `dist-packages`, sorted, that exist.
    func sitePackagesFolders(underPrefix prefix: String) -> [String] {
        let lib = prefix + "/lib"
        return listFolder(lib).filter { $0.hasPrefix("python3") }.sorted().flatMap { python in
            ["site-packages", "dist-packages"].map { "\(lib)/\(python)/\($0)" }
        }.filter { !listFolder($0).isEmpty }
    }

    /// The `nvidia/*/lib` folders of a `site-packages` folder, sorted: `cu13/lib` (CUDA 13's
    /// wheels share one folder), `cublas/lib`, `cuda_nvrtc/lib` (CUDA 12's have one each).
    func wheelLibraryFolders(inSitePackages sitePackages: String) -> [String] {
        let nvidia = sitePackages + "/nvidia"
        return listFolder(nvidia).sorted().map { "\(nvidia)/\($0)/lib" }.filter { !listFolder($0).isEmpty }
    }
}
