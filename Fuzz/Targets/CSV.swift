// libFuzzer target: CSV text through its public entry points, the table and then the dataset
// built from it, as `descent train data.csv` does. Any input must give a table, a dataset or a
// thrown error; a trap, a hang or an allocation past -malloc_limit_mb is a finding.
import DescentData

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    if let table = try? CSVTable(bytes: bytes, file: "fuzz.csv") {
        _ = try? Dataset(table: table)
    }
    return 0
}
