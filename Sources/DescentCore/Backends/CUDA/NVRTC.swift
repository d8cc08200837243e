import CDescentCUDA
import Foundation

/// NVRTC, the run-time CUDA C compiler, looked up once in `libnvrtc.so.13` (or `.12`). It needs
/// no GPU, which is how the kernels are compile-checked on machines without one.
struct NVRTC: @unchecked Sendable {
    let library: CUDADynamicLibrary
    let version: (major: Int, minor: Int)
    let getErrorString: DPFN_nvrtcGetErrorString
    let createProgram: DPFN_nvrtcCreateProgram
    let compileProgram: DPFN_nvrtcCompileProgram
    let getProgramLogSize: DPFN_nvrtcGetProgramLogSize
    let getProgramLog: DPFN_nvrtcGetProgramLog
    let getCUBINSize: DPFN_nvrtcGetCUBINSize
    let getCUBIN: DPFN_nvrtcGetCUBIN
    let destroyProgram: DPFN_nvrtcDestroyProgram

    init(_ library: CUDADynamicLibrary) throws(CUDAError) {
        self.library = library
        let nvrtcVersion = try library.function("nvrtcVersion", as: DPFN_nvrtcVersion.self)
        getErrorString = try library.function("nvrtcGetErrorString", as: DPFN_nvrtcGetErrorString.self)
        createProgram = try library.function("nvrtcCreateProgram", as: DPFN_nvrtcCreateProgram.self)
        compileProgram = try library.function("nvrtcCompileProgram", as: DPFN_nvrtcCompileProgram.self)
        getProgramLogSize = try library.function("nvrtcGetProgramLogSize", as: DPFN_nvrtcGetProgramLogSize.self)
        getProgramLog = try library.function("nvrtcGetProgramLog", as: DPFN_nvrtcGetProgramLog.self)
        getCUBINSize = try library.function("nvrtcGetCUBINSize", as: DPFN_nvrtcGetCUBINSize.self)
        getCUBIN = try library.function("nvrtcGetCUBIN", as: DPFN_nvrtcGetCUBIN.self)
        destroyProgram = try library.function("nvrtcDestroyProgram", as: DPFN_nvrtcDestroyProgram.self)
        var major: Int32 = 0, minor: Int32 = 0
        _ = nvrtcVersion(&major, &minor)
        version = (Int(major), Int(minor))
    }

    /// NVRTC from the first library that opens, or the error that lists where it looked.
    static func load(search: CUDALibrarySearch = CUDALibrarySearch(), driverMajor: Int? = nil) throws(CUDAError) -> NVRTC {
        try NVRTC(CUDADynamicLibrary.open(.nvrtc, search: search, driverMajor: driverMajor))
    }

    /// The CUBIN that `source` compiles to with `options`, or the error with the compiler's log.
    func compile(_ source: String, name: String, options: [String]) throws(CUDAError) -> [UInt8] {
        try compileWithLog(source, name: name, options: options).cubin
    }

    /// The CUBIN and the compiler's messages (warnings), or the error with the compiler's log.
    func compileWithLog(_ source: String, name: String, options: [String]) throws(CUDAError) -> (cubin: [UInt8], log: String) {
        var program: DnvrtcProgram?
        try check(createProgram(&program, source, name, 0, nil, nil), "nvrtcCreateProgram", program: nil)
        defer { _ = destroyProgram(&program) }
        let result = withCStrings(options) { compileProgram(program, Int32(options.count), $0) }
        try check(result, "nvrtcCompileProgram(\(name), \(options.joined(separator: " ")))", program: program)
        var size = 0
        try check(getCUBINSize(program, &size), "nvrtcGetCUBINSize", program: program)
        var cubin = [UInt8](repeating: 0, count: size)
        let copied = cubin.withUnsafeMutableBytes { getCUBIN(program, $0.baseAddress!.assumingMemoryBound(to: CChar.self)) }
        try check(copied, "nvrtcGetCUBIN", program: program)
        return (cubin, program.map(log) ?? "")
    }

    private func check(_ result: DnvrtcResult, _ call: String, program: DnvrtcProgram?) throws(CUDAError) {
        guard result != 0 else { return }
        let message = getErrorString(result).map { String(cString: $0) } ?? "NVRTC error \(result)"
        throw CUDAError(.nvrtc(call: call, message: message, log: program.map(log) ?? ""))
    }

    /// The compiler's messages for `program`.
    private func log(_ program: DnvrtcProgram) -> String {
        var size = 0
        guard getProgramLogSize(program, &size) == 0, size > 1 else { return "" }
        var text = [CChar](repeating: 0, count: size)
        guard getProgramLog(program, &text) == 0 else { return "" }
        return String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

/// Calls `body` with a C array of C strings for `strings`, valid only inside `body`.
func withCStrings<R>(_ strings: [String], _ body: (UnsafePointer<UnsafePointer<CChar>?>) -> R) -> R {
    let copies = strings.map { strdup($0) }
    defer { copies.forEach { free($0) } }
    let pointers = copies.map { UnsafePointer($0) }
    return pointers.withUnsafeBufferPointer { body($0.baseAddress!) }
}
