/// Everything that can go wrong in MuseDSP: bad parameters, bad arrays, failed picture output.
///
/// `description` is one line, as the CLI prints it.
public enum DSPError: Error, Equatable, CustomStringConvertible {
    /// A parameter outside its domain; `name` is the librosa spelling (`n_fft`, `hop_length`).
    case invalidParameter(name: String, value: String, reason: String)
    /// The signal is too short (or empty) for the requested analysis.
    case signalTooShort(length: Int, needed: Int, reason: String)
    /// Array dimensions that do not fit together.
    case shapeMismatch(what: String, expected: String, got: String)
    /// A value that must be finite is NaN or infinite.
    case nonFinite(what: String)
    /// A file could not be written.
    case writeFailed(path: String, reason: String)

    public var description: String {
        switch self {
        case .invalidParameter(let name, let value, let reason):
            return "\(name)=\(value): \(reason)"
        case .signalTooShort(let length, let needed, let reason):
            return "signal of \(length) samples is too short (needs \(needed)): \(reason)"
        case .shapeMismatch(let what, let expected, let got):
            return "\(what): expected shape \(expected), got \(got)"
        case .nonFinite(let what):
            return "\(what) contains NaN or infinity"
        case .writeFailed(let path, let reason):
            return "\(path): cannot write: \(reason)"
        }
    }
}
