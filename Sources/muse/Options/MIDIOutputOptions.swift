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
