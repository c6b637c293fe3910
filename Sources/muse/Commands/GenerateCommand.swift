import ArgumentParser

/// `muse generate`: generate music with a trained model.
struct GenerateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate", abstract: "Generate music with a trained model bundle.",
        subcommands: [GenerateMelodyRNNCommand.self, GenerateMusicTransformerCommand.self, GenerateGPTCommand.self, GenerateCharRNNCommand.self])
}
