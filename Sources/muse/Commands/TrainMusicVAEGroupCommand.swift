import ArgumentParser

/// `muse train`: model training. The `melody` branch owns the real group (`TrainCommand.swift`);
/// when both land, delete this file and add `TrainMusicVAECommand.self` to that group.
struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train", abstract: "Train a model on a corpus.", subcommands: [TrainMusicVAECommand.self, TrainSpecVAECommand.self])
}
