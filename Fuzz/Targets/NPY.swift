// libFuzzer target: NumPy .npy files, decoded into a tensor as `descent predict` does.
import DescentData

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    _ = try? NPY.decode(Array(UnsafeBufferPointer(start: data, count: size)))
    return 0
}
