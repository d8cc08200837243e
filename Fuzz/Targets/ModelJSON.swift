// libFuzzer target: a model folder's model.json, read as `descent predict MODEL` reads it: the
// input is written to model.json in a folder of its own beside a weights file holding no
// tensors, then the folder is loaded (architecture, shapes, metadata, then the weights).
import DescentTrain
import Foundation

private let folder: URL = {
    // In memory where there is such a folder: on disk each input costs milliseconds.
    let memory = "/dev/shm"
    let url = URL(fileURLWithPath: FileManager.default.fileExists(atPath: memory) ? memory : NSTemporaryDirectory())
        .appendingPathComponent("descent-fuzz-model-\(getpid())", isDirectory: true)
    try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    // A safetensors file with an empty header: 8-byte length, then "{}" padded to 8 bytes.
    var weights = Data([8, 0, 0, 0, 0, 0, 0, 0])
    weights.append(contentsOf: Array("{}      ".utf8))
    try? weights.write(to: url.appendingPathComponent("model.safetensors"))
    return url
}()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    do {
        try Data(bytes: data, count: size).write(to: folder.appendingPathComponent("model.json"))
    } catch {
        return 0
    }
    _ = try? SavedModel(folder: folder.path)
    return 0
}
