import ArgumentParser

/// `muse soundfont`: inspect SoundFont 2 files.
struct SoundFontCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "soundfont",
        abstract: "Inspect SoundFont 2 (.sf2) files.",
        subcommands: [SoundFontInfoCommand.self])
}
