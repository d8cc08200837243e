// libFuzzer target: CSV text through the table reader that `descent train data.csv` uses since
// issue 14 (categorical columns, missing values, chunked parsing), with missing values filled so
// that the encoding and the statistics run too, then once more with the default policy (missing
// values refused). Any input must give a dataset or a thrown error.
import DescentData

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    var filling = TableReading()
    filling.missing = .mean
    _ = try? Dataset.csv(parsing: text, file: "fuzz.csv", reading: filling)
    _ = try? Dataset.csv(parsing: text, file: "fuzz.csv")
    return 0
}
