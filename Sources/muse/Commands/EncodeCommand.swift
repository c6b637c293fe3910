import ArgumentParser

/// `muse encode`: show how a model's encoding sees a file, and turn class indices back into music.
struct EncodeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "encode",
        abstract: "Encode music as a model sees it (events and class indices), and decode indices back.",
        subcommands: [EncodePerformanceCommand.self])
}
