// libFuzzer target: PNG and JPEG decoding (libpng and libjpeg through the C shim), then the
// conversions an image folder applies.
import DescentData
import Foundation

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    if let image = try? Image.decode(Data(bytes: data, count: size), file: "fuzz") {
        _ = image.converted(toChannels: image.channels == 1 ? 3 : 1).resized(height: 7, width: 5).planarPixels
    }
    return 0
}
