// libFuzzer target: NumPy .npz archives (zip, stored or deflated members), decoded into tensors
// as `descent predict` does.
import DescentData

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    _ = try? NPZ.decode(Array(UnsafeBufferPointer(start: data, count: size)))
    return 0
}
