import ArgumentParser
import Foundation
import MuseMIDI

/// `muse corpus stats DIR`: reads every MIDI file under DIR on all cores and prints totals.
struct CorpusStatsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stats",
        abstract: "Read every MIDI file under a folder (recursively, in parallel) and print counts, notes, pitch range, duration.")

    @Argument(help: "Folder to search for .mid/.midi files.")
    var directory: String

    @Option(help: "Threads to read with (default: all cores).")
    var threads = ProcessInfo.processInfo.activeProcessorCount

    func validate() throws {
        guard threads > 0 else { throw ValidationError("--threads must be positive") }
    }

    func run() throws {
        let statistics = try MIDICorpusStatistics(directory: directory, threads: threads)
        for error in statistics.skipped {
            FileHandle.standardError.write(Data("muse: warning: skipped \(error)\n".utf8))
        }
        print(statistics.description)
    }
}
