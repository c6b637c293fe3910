/// Why a file could not be read or written by MuseSupport's readers and writers (`.npy`, atomic
/// writes, folder listings). `description` is one line naming the file, for the CLI.
public enum SupportError: Error, Equatable, CustomStringConvertible {
    /// The file's content is wrong at `field` (magic, header, descr, shape, data…).
    case badFile(file: String, field: String, reason: String)
    /// The operating system refused to read, write, list or rename.
    case io(file: String, reason: String)

    public var description: String {
        switch self {
        case let .badFile(file, field, reason): return "\(file): \(field): \(reason)"
        case let .io(file, reason): return "\(file): \(reason)"
        }
    }
}
