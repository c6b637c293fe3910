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
