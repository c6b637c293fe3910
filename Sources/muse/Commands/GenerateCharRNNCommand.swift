import ArgumentParser
import MuseText

/// `muse generate char-rnn --bundle RUN --start "ROMEO:" …` (nanoGPT's sample.py flags).
struct GenerateCharRNNCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "char-rnn", abstract: "Continue a start text with a trained char-rnn; print each sample after a separator line.")

    @OptionGroup var flags: TextGenerationFlags

    func run() throws { try flags.run(CharRNNLanguageModel.self) }
}
