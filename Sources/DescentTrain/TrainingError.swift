/// Why training stopped early with an error.
public enum TrainingError: Error, CustomStringConvertible, Equatable {
    /// The cost became NaN or infinite: the weights are garbage from here on (learning rate too
    /// high, or bad data), so training stops instead of carrying on silently.
    case nonFiniteCost(epoch: Int, step: Int, value: Double)
    /// The data do not fit the model or the cost function.
    case incompatibleData(String)
    /// A setting has a value that cannot work.
    case invalidSetting(String)

    public var description: String {
        switch self {
        case let .nonFiniteCost(epoch, step, value):
            "the cost became \(value) at epoch \(epoch), step \(step): training stopped. "
                + "Try a smaller learning rate, gradient clipping, or check the data for NaN or huge values."
        case let .incompatibleData(message): message
        case let .invalidSetting(message): message
        }
    }
}
