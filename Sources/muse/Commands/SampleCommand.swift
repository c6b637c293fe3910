import ArgumentParser

/// `muse sample`: draw new pieces from a trained generative model.
struct SampleCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sample", abstract: "Sample new music from a trained model.", subcommands: [SampleMusicVAECommand.self, SampleImagesCommand.self, SampleImageVAECommand.self, SampleTextVAECommand.self])
}
