import ArgumentParser

/// `muse train`: train a model on a corpus.
struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train", abstract: "Train a model on a corpus (resumes from the output folder's newest checkpoint).",
        subcommands: [TrainMelodyRNNCommand.self, TrainMusicVAECommand.self, TrainSpecVAECommand.self, TrainMusicTransformerCommand.self, TrainGPTCommand.self,
                      TrainCharRNNCommand.self, TrainTextVAECommand.self, TrainDCGANCommand.self, TrainImageVAECommand.self, TrainImageClassifierCommand.self])
}
