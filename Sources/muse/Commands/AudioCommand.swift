import ArgumentParser
import Foundation
import MuseAudio
import MuseDSP

/// `muse audio …`: sound-file utilities.
struct AudioCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audio",
        abstract: "Inspect sound files.",
        subcommands: [AudioInfoCommand.self])
}

/// Runs `body`; an `AudioError` or `DSPError` becomes one line on stderr and exit code 1.
func runReportingAudioErrors(_ body: () throws -> Void) throws {
    do {
        try body()
    } catch let error as AudioError {
        FileHandle.standardError.write(Data("muse: error: \(error.description)\n".utf8))
        throw ExitCode(1)
    } catch let error as DSPError {
        FileHandle.standardError.write(Data("muse: error: \(error.description)\n".utf8))
        throw ExitCode(1)
    }
}
