import ArgumentParser
import MuseText

/// `muse evaluate gpt --bundle RUN FILE [--json]`.
struct EvaluateGPTCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gpt",
        abstract: "Score text under a trained gpt: nats and bits per token and per character, next to the text's unigram entropy.")

    @OptionGroup var flags: TextEvaluationFlags

    func run() throws { try flags.run(GPTLanguageModel.self) }
}
