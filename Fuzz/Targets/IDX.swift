// libFuzzer target: IDX files, plain or gzip-compressed, decoded into a tensor as the MNIST
// loader does.
import DescentData

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    if let array = try? IDXArray(fileBytes: bytes) {
        _ = array.tensor(dtype: .float32)
    }
    return 0
}
