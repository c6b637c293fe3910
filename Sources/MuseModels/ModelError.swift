import Foundation

/// Why a model, bundle, training run or generation request could not be used.
public enum ModelError: Error, Equatable, CustomStringConvertible {
    /// A bundle file is absent.
    case missingFile(file: String)
    /// A bundle file exists but a field is missing, has the wrong type or an unusable value.
    case badField(file: String, field: String, reason: String)
    /// A primer melody event the model cannot represent.
    case primerOutOfRange(event: Int, position: Int, minNote: Int, maxNote: Int)
    /// A generation or training setting that makes no sense.
    case invalidArgument(String)
    /// A corpus that yields no training (or no evaluation) melodies.
    case emptyData(String)
    /// Reading or writing a file failed.
    case io(file: String, reason: String)

    public var description: String {
        switch self {
        case let .missingFile(file): return "\(file): file is missing"
        case let .badField(file, field, reason): return "\(file): field '\(field)': \(reason)"
        case let .primerOutOfRange(event, position, lo, hi):
            return "primer event \(event) at position \(position) is outside the model's pitch range \(lo)..<\(hi) (or -1 note-off, -2 no event)"
        case let .invalidArgument(what): return what
        case let .emptyData(what): return what
        case let .io(file, reason): return "\(file): \(reason)"
        }
    }
}
