import ArgumentParser
import MuseText

/// `muse generate gpt --bundle RUN --start "ROMEO:" …` (nanoGPT's sample.py flags).
struct GenerateGPTCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gpt", abstract: "Continue a start text with a trained gpt; print each sample after a separator line.")

    @OptionGroup var flags: TextGenerationFlags

    func run() throws { try flags.run(GPTLanguageModel.self) }
}
