import ArgumentParser
import Foundation
import MuseMIDI

/// `-o/--output` for commands that write one MIDI file derived from an input file.
struct MIDIOutputOptions: ParsableArguments {
    @Option(name: [.short, .customLong("output")],
            help: "Where to write the MIDI file (default: output/<input name>-<what was done>.mid).")
    var output: String?

    /// The path to write: `--output` if given, else `output/<stem>-<suffix>.mid`.
    func path(forInput input: String, suffix: String) -> String {
        if let output { return output }
        let stem = URL(fileURLWithPath: input).deletingPathExtension().lastPathComponent
        return "output/\(stem)-\(suffix).mid"
    }
}

/// Runs `body`, turning a `MIDIError` into one `muse: error: <file>: …` line on stderr and exit
/// code 1 (`file` is prefixed when the error does not name it already).
func exitingOnMIDIError<T>(file: String? = nil, _ body: () throws -> T) throws -> T {
    do {
        return try body()
    } catch let error as MIDIError {
        var line = error.description
        if let file, !line.hasPrefix(file) { line = "\(file): " + line }
        FileHandle.standardError.write(Data("muse: error: \(line)\n".utf8))
        throw ExitCode(1)
    }
}
