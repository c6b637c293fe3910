/// Everything that can go wrong in MuseStyle: arguments that do not fit together and optimisation
/// that cannot proceed. `description` is one line, as the CLI prints it.
public enum StyleError: Error, Equatable, CustomStringConvertible {
    /// An argument outside its domain (sizes, counts, weights).
    case invalidArgument(name: String, value: String, reason: String)
    /// The loss or its gradient became NaN or infinite at `iteration`.
    case nonFinite(what: String, iteration: Int)

    public var description: String {
        switch self {
        case .invalidArgument(let name, let value, let reason):
            return "invalid \(name) \(value): \(reason)"
        case .nonFinite(let what, let iteration):
            return "the \(what) is not finite at iteration \(iteration); lower the weights or the step size"
        }
    }
}
