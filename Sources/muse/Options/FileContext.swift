import Foundation

/// An error whose one-line message starts with the file it concerns.
struct FileContextError: Error, CustomStringConvertible {
    /// The file the command was reading or writing.
    let file: String
    /// What went wrong.
    let underlying: Error
    var description: String { "\(file): \(underlying)" }
}

/// Runs `body`; an error whose message does not name `file` is rethrown with it in front, so
/// `Muse.main` prints `muse: error: FILE: …` (exit code 1).
func naming<T>(_ file: String?, _ body: () throws -> T) throws -> T {
    do { return try body() } catch {
        guard let file, !"\(error)".contains(file) else { throw error }
        throw FileContextError(file: file, underlying: error)
    }
}
