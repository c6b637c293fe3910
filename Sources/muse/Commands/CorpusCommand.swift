import ArgumentParser

/// `muse corpus`: whole folders of MIDI files.
struct CorpusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "corpus", abstract: "Work with folders of MIDI files.", subcommands: [CorpusStatsCommand.self, CorpusImportMusicXMLCommand.self, CorpusRenderCommand.self])
}
