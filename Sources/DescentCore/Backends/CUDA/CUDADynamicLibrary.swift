import CDescentCUDA

/// A CUDA library opened with `dlopen`, and its functions looked up by name.
struct CUDADynamicLibrary: @unchecked Sendable {
    let library: CUDALibrary
    /// The path (or bare name) that opened.
    let path: String
    let handle: UnsafeMutableRawPointer

    /// The first of `search`'s candidates that opens; the error lists every one tried.
    static func open(_ library: CUDALibrary, search: CUDALibrarySearch = CUDALibrarySearch(),
                     driverMajor: Int? = nil) throws(CUDAError) -> Self {
        var tried: [CUDAError.LoadAttempt] = []
        for path in search.candidates(for: library, driverMajor: driverMajor) {
            var message = [CChar](repeating: 0, count: 512)
            if let handle = descent_cuda_open(path, &message, message.count) {
                return Self(library: library, path: path, handle: handle)
            }
            let text = String(decoding: message.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            // A path that is not there says only that; keep the list short to read.
            let place = path.contains("/") ? path : "\(path) (by name: LD_LIBRARY_PATH and the system's library cache)"
            tried.append(.init(path: place, message: text.contains("No such file") ? "not found" : text))
        }
        throw CUDAError(.libraryNotFound(library, tried: tried))
    }

    /// The function `name`, as the C pointer type `T`.
    func function<T>(_ name: String, as _: T.Type) throws(CUDAError) -> T {
        guard let symbol = descent_cuda_symbol(handle, name) else {
            throw CUDAError(.missingSymbol(library, path: path, symbol: name))
        }
        return unsafeBitCast(symbol, to: T.self)
    }
}
