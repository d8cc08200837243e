import Descent
import Foundation
import Testing

/// `--json`'s line: valid JSON whatever the numbers, since JSON has no NaN.
@Suite struct MetricsJSONTests {
    @Test func aNaNMetricIsNullAndTheLineStaysValidJSON() throws {
        let line = JSONValue(metrics: ["loss": .nan, "accuracy": 0.5, "count": 3, "mae": .infinity]).text
        #expect(line == #"{"accuracy": 0.5, "count": 3.0, "loss": null, "mae": null}"#)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        #expect(object["loss"] is NSNull && object["accuracy"] as? Double == 0.5)
    }
}
