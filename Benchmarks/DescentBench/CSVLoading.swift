import Descent
import Foundation

/// `--workloads csv --csv FILE`: loads a CSV file as `descent train FILE` does (every column but
/// the last a feature, the last the target) and reports the time, the speed in MB/s of file
/// bytes, and the rows and features read. Peak memory is the run's `peak_rss_mb`, so run this
/// workload alone to measure loading's own peak.
@MainActor func csvLoading(path: String, json: Bool) throws {
    let bytes = Double((try FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.intValue ?? 0)
    var data: Dataset?
    let elapsed = try seconds { data = try Dataset.csv(contentsOf: URL(fileURLWithPath: path)) }
    record("csv_seconds", elapsed, json: json)
    record("csv_mb_per_s", bytes / 1e6 / elapsed, json: json)
    record("csv_rows", Double(data?.count ?? 0), json: json)
    record("csv_features", Double(data?.featureCount ?? 0), json: json)
    record("csv_float32_mb", Double((data?.count ?? 0) * ((data?.featureCount ?? 0) + 1) * 4) / 1e6, json: json)
}
