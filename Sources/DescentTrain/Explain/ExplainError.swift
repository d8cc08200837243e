/// Why `descent explain` cannot show a step: what it expected, what it found, and where.
public struct ExplainError: Error, Equatable, CustomStringConvertible {
    /// Where the problem is: an option (`--input`), a layer (`layer 3`), a file.
    public var location: String
    /// What the explainer takes there.
    public var expected: String
    /// What it was given.
    public var found: String

    /// An error at `location`: what the explainer `expected` there and what it `found`.
    public init(location: String, expected: String, found: String) {
        self.location = location
        self.expected = expected
        self.found = found
    }

    /// "location: expected …, found …".
    public var description: String { "\(location): expected \(expected), found \(found)" }
}
