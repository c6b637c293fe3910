import ArgumentParser

/// `muse evaluate`: score music under a trained model.
struct EvaluateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "evaluate", abstract: "Score music, audio, text or pictures under a trained model bundle.",
        subcommands: [EvaluateMelodyRNNCommand.self, EvaluateMusicTransformerCommand.self, EvaluateSpecVAECommand.self, EvaluateGPTCommand.self, EvaluateCharRNNCommand.self, EvaluateTextVAECommand.self,
                      EvaluateDCGANCommand.self, EvaluateImageVAECommand.self])
}
