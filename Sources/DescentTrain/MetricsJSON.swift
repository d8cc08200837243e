extension JSONValue {
    /// Metrics (or any named numbers) as one JSON object, keys sorted — what `--json` prints.
    ///
    /// JSON has no NaN or infinity, so a value that is not finite (the cost of a model whose
    /// outputs overflowed) is written as `null`: the line stays valid JSON that any reader
    /// parses, and the missing number is plain to see.
    public init(metrics: [String: Double]) {
        self = .object(metrics.sorted { $0.key < $1.key }.map { name, value in
            (key: name, value: value.isFinite ? .number(value) : .null)
        })
    }
}
