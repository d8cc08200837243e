/// Why CUDA could not be used, or what it refused: thrown when a ``Device/cuda(_:)`` device is
/// checked (``Device/checkAvailable()``), and written into the message of a trap when a CUDA
/// tensor is used without that check.
public struct CUDAError: Error, Sendable, Equatable, CustomStringConvertible {
    /// One `dlopen` that failed: the path (or bare name) and the loader's message.
    public struct LoadAttempt: Sendable, Equatable {
        /// The path tried, or the bare file name with where `dlopen` looked for it.
        public var path: String
        /// `dlopen`'s message, or "not found".
        public var message: String
    }

    /// What went wrong.
    public enum Kind: Sendable, Equatable {
        /// None of the paths held a library that opens.
        case libraryNotFound(CUDALibrary, tried: [LoadAttempt])
        /// A library opened but lacks a function Descent calls (too old a version).
        case missingSymbol(CUDALibrary, path: String, symbol: String)
        /// A driver call returned an error: its name and text from `cuGetErrorName` and
        /// `cuGetErrorString`.
        case driver(call: String, code: Int32, name: String, message: String)
        /// No GPU with this ordinal (`count` GPUs were found).
        case noDevice(ordinal: Int, count: Int)
        /// The GPU lacks something Descent needs (stream-ordered memory pools, …).
        case unsupported(String)
        /// A cuBLAS call returned an error.
        case blas(call: String, code: Int32, name: String)
        /// An NVRTC call failed, or a kernel did not compile (`log` is the compiler's).
        case nvrtc(call: String, message: String, log: String)
    }

    /// What went wrong, with its details.
    public var kind: Kind

    /// An error of `kind`.
    public init(_ kind: Kind) { self.kind = kind }

    /// What went wrong in words, with where CUDA was looked for or the driver's error by name.
    public var description: String {
        switch kind {
        case .libraryNotFound(let library, let tried):
            let lines = tried.map { "  \($0.path): \($0.message)" }.joined(separator: "\n")
            let hint = library == .driver
                ? "Is there an NVIDIA GPU with its driver installed (nvidia-smi)?"
                : "Install the CUDA toolkit or `pip install nvidia-cublas-cu12 nvidia-cuda-nvrtc-cu12`, "
                    + "or name the folder that holds it in DESCENT_CUDA_PATH."
            return "CUDA is not available: \(library.title) (\(library.fileNames.joined(separator: " or "))) "
                + "was not found. \(hint) Looked in:\n\(lines)"
        case .missingSymbol(let library, let path, let symbol):
            return "CUDA is not available: \(library.title) at \(path) has no function \(symbol) (too old a version?)"
        case .driver(let call, let code, let name, let message):
            return "CUDA error in \(call): \(name) (\(code)): \(message)"
        case .noDevice(let ordinal, let count):
            return count == 0 ? "CUDA is not available: the CUDA driver found no GPU"
                : "CUDA is not available: there is no GPU cuda:\(ordinal) (the driver found \(count): cuda:0…cuda:\(count - 1))"
        case .unsupported(let what):
            return "CUDA is not available: \(what)"
        case .blas(let call, let code, let name):
            return "cuBLAS error in \(call): \(name) (\(code))"
        case .nvrtc(let call, let message, let log):
            return "NVRTC error in \(call): \(message)" + (log.isEmpty ? "" : "\n\(log)")
        }
    }
}
