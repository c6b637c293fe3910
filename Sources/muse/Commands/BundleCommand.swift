import ArgumentParser

/// `muse bundle …`: model bundle utilities.
struct BundleCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bundle",
        abstract: "Inspect model bundles and training runs.",
        subcommands: [BundleInfoCommand.self])
}
