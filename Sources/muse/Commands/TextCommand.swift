import ArgumentParser

/// `muse text`: text corpora and tokenizers.
struct TextCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "text", abstract: "Work with text corpora and tokenizers.", subcommands: [TextTokenizeCommand.self, TextVersesCommand.self])
}
