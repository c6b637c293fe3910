import ArgumentParser
import MuseMIDI

/// `muse midi`: read, inspect and transform Standard MIDI Files.
struct MIDICommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "midi",
        abstract: "Read, inspect and transform Standard MIDI Files.",
        subcommands: [MIDIInfoCommand.self, MIDIDumpCommand.self, MIDITransposeCommand.self, MIDIQuantizeCommand.self, MIDIRollCommand.self])
}

