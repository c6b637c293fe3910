import Foundation
import MuseCore

/// Why a training run, checkpoint or model bundle could not be used. `description` is one line
/// naming the file or field, as the CLI prints it.
public enum TrainingError: Error, Equatable, CustomStringConvertible {
    /// A bundle or checkpoint file is absent.
    case missingFile(file: String)
    /// A file exists but a field is missing, has the wrong type or an unusable value.
    case badField(file: String, field: String, reason: String)
    /// A bundle of another kind than the command (`purpose`, empty for a direct load) can use.
    case wrongKind(folder: String, found: String, usable: [String], purpose: String)
    /// A resumed run whose saved checkpoint was made with different settings.
    case runMismatch(folder: String, field: String, saved: String, current: String)
    /// A training setting that makes no sense.
    case invalidOption(String)
    /// Reading or writing a file failed.
    case io(file: String, reason: String)
    /// Data-parallel training failed: MPI reported an error, or another process stopped answering.
    case distributed(rank: Int, worldSize: Int, reason: String)
    /// A checkpoint file that is not what was written: truncated, bytes changed (its CRC-32
    /// differs from `checksums.json`), or unreadable.
    case damagedCheckpoint(file: String, reason: String)

    public var description: String {
        switch self {
        case let .missingFile(file): return "\(file): file is missing"
        case let .badField(file, field, reason): return "\(file): field '\(field)': \(reason)"
        case let .wrongKind(folder, found, usable, purpose) where purpose.isEmpty:
            return "\(folder) is a \(found) bundle, not a \(usable.joined(separator: " or ")) bundle"
        case let .wrongKind(folder, found, usable, purpose):
            let list = usable.isEmpty ? "none" : usable.joined(separator: ", ")
            return "\(folder) is a \(found) bundle; \(purpose) works with: \(list)"
        case let .runMismatch(folder, field, saved, current):
            return "\(folder) holds a run made with \(field) = \(saved), not \(current): use the same settings to resume, or --fresh to start over (its checkpoints are deleted)"
        case let .invalidOption(what): return what
        case let .io(file, reason): return "\(file): \(reason)"
        case let .distributed(rank, worldSize, reason): return "rank \(rank) of \(worldSize): \(reason)"
        case let .damagedCheckpoint(file, reason): return "\(file): damaged checkpoint: \(reason)"
        }
    }
}
