/// The version of Descent, written in this one place: `descent --version` prints it.
///
/// Semantic versioning, below 1.0 while the API and the model format still change; the minor
/// number follows the milestones (0.10 is the tenth).
public enum DescentVersion {
    /// The version as text, e.g. "0.10.0".
    public static let string = "0.10.0"
}
