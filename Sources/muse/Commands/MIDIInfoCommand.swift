import ArgumentParser
import Foundation
import MuseMIDI

/// `muse midi info FILE…`: one block per file (format, tracks, resolution, duration, notes,
/// instruments, tempos).
struct MIDIInfoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "info", abstract: "Print format, tracks, resolution, duration, notes, instruments and tempos of MIDI files.")

    @Argument(help: "MIDI files to describe.")
    var files: [String]

    func validate() throws {
        guard !files.isEmpty else { throw ValidationError("give at least one MIDI file") }
    }

    func run() throws {
        var failed = false
        for (index, file) in files.enumerated() {
            do {
                let summary = try MIDIFileSummary(contentsOf: file)
                print((index > 0 ? "\n" : "") + summary.description)
            } catch let error as MIDIError {
                FileHandle.standardError.write(Data("muse: error: \(error)\n".utf8))
                failed = true
            }
        }
        if failed { throw ExitCode(1) }
    }
}
