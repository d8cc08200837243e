// libFuzzer target: safetensors files, every tensor decoded, and the summary that
// `descent inspect` prints.
import DescentCore
import Foundation

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Data(bytes: data, count: size)
    _ = try? SafeTensorsFile.read(from: bytes)
    return 0
}
