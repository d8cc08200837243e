// libFuzzer target: gzip files (header, DEFLATE stream, trailer) and, for inputs that do not
// start with gzip's magic number, raw DEFLATE streams.
import DescentData

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    if Gzip.isCompressed(bytes) {
        _ = try? Gzip.decompress(bytes)
    } else {
        _ = try? Inflate.decompress(bytes)
    }
    return 0
}
