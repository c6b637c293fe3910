import ArgumentParser

/// `muse evaluate`: score music under a trained model.
struct EvaluateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "evaluate", abstract: "Score music under a trained model bundle.",
        subcommands: [EvaluateMelodyRNNCommand.self, EvaluateMusicTransformerCommand.self])
}
