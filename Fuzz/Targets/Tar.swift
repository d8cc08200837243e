// libFuzzer target: tar archives (ustar, GNU long names, pax headers), as the CIFAR-10
// download takes its archive apart.
import DescentData

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    _ = try? Tar.entries(Array(UnsafeBufferPointer(start: data, count: size)))
    return 0
}
