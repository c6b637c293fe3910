/// Why a MusicVAE could not be built, loaded, trained or used; each case prints as one line.
public enum MusicVAEError: Error, Equatable, CustomStringConvertible {
    /// A configuration that makes no sense.
    case invalidConfiguration(String)
    /// A bundle folder that is missing a file or cannot be read.
    case unreadableBundle(path: String, reason: String)
    /// A bundle of another model kind (e.g. a melody RNN given to `interpolate`).
    case wrongModelKind(path: String, found: String, expected: String)
    /// A MIDI file with no 2-bar melody window to encode.
    case noMelodyWindow(file: String)
    /// A corpus that gave too few windows to train on.
    case emptyCorpus(directory: String, reason: String)
    /// Interpolation needs at least the two endpoints.
    case tooFewSteps(Int)
    /// A window with the wrong length or a class outside the encoding.
    case badWindow(reason: String)

    public var description: String {
        switch self {
        case let .invalidConfiguration(what): return "invalid MusicVAE configuration: \(what)"
        case let .unreadableBundle(path, reason): return "\(path): cannot read model bundle: \(reason)"
        case let .wrongModelKind(path, found, expected):
            return "\(path): bundle holds a model of kind \"\(found)\", not \"\(expected)\""
        case let .noMelodyWindow(file): return "\(file): no 2-bar melody in 4/4 to encode"
        case let .emptyCorpus(directory, reason): return "\(directory): \(reason)"
        case let .tooFewSteps(steps): return "interpolation needs at least 2 steps (the two endpoints), got \(steps)"
        case let .badWindow(reason): return "bad melody window: \(reason)"
        }
    }
}
