import CDescentCUDA

/// The cuBLAS functions Descent calls, looked up once in `libcublas.so.13` (or `.12`).
struct CUBLAS: @unchecked Sendable {
    let library: CUDADynamicLibrary
    let create: DPFN_cublasCreate
    let setStream: DPFN_cublasSetStream
    let setMathMode: DPFN_cublasSetMathMode
    let setWorkspace: DPFN_cublasSetWorkspace
    let getStatusName: DPFN_cublasGetStatusName
    let sgemmStridedBatched: DPFN_cublasSgemmStridedBatched
    let dgemmStridedBatched: DPFN_cublasDgemmStridedBatched

    init(_ library: CUDADynamicLibrary) throws(CUDAError) {
        self.library = library
        create = try library.function("cublasCreate_v2", as: DPFN_cublasCreate.self)
        setStream = try library.function("cublasSetStream_v2", as: DPFN_cublasSetStream.self)
        setMathMode = try library.function("cublasSetMathMode", as: DPFN_cublasSetMathMode.self)
        setWorkspace = try library.function("cublasSetWorkspace_v2", as: DPFN_cublasSetWorkspace.self)
        getStatusName = try library.function("cublasGetStatusName", as: DPFN_cublasGetStatusName.self)
        sgemmStridedBatched = try library.function("cublasSgemmStridedBatched", as: DPFN_cublasSgemmStridedBatched.self)
        dgemmStridedBatched = try library.function("cublasDgemmStridedBatched", as: DPFN_cublasDgemmStridedBatched.self)
    }

    /// Throws cuBLAS's name for `status` unless it is `CUBLAS_STATUS_SUCCESS`.
    func check(_ status: DcublasStatus, _ call: @autoclosure () -> String) throws(CUDAError) {
        guard status != 0 else { return }
        let name = getStatusName(status).map { String(cString: $0) } ?? "CUBLAS_STATUS_\(status)"
        throw CUDAError(.blas(call: call(), code: status, name: name))
    }
}
