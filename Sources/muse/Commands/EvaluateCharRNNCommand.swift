import ArgumentParser
import MuseText

/// `muse evaluate char-rnn --bundle RUN FILE [--json]`.
struct EvaluateCharRNNCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "char-rnn",
        abstract: "Score text under a trained char-rnn: nats and bits per token and per character, next to the text's unigram entropy.")

    @OptionGroup var flags: TextEvaluationFlags

    func run() throws { try flags.run(CharRNNLanguageModel.self) }
}
