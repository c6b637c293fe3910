import ArgumentParser
import Foundation
import MuseText

/// `muse evaluate text-vae --bundle RUN FILE [--json]`.
struct EvaluateTextVAECommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "text-vae",
        abstract: "Score the lines of a text under a sentence VAE: reconstruction NLL (nats and bits per token and character), KL and the ELBO, "
            + "next to the text's unigram entropy.")

    @Option(help: "Model bundle folder (or a training output folder: its newest checkpoint is used).")
    var bundle: String = "runs/text-vae"

    @Argument(help: "A UTF-8 text file, or a folder of .txt files, whose non-blank lines are scored (ideally text the model has not seen).")
    var path: String

    @Flag(help: "Print the scores as JSON.")
    var json = false

    func run() throws {
        let model = try naming(bundle) { try bundleRegistry.load(TextVAEModel.self, from: URL(fileURLWithPath: bundle), for: .evaluate) }
        let corpus = try TextCorpus(contentsOf: path)
        let report = try TextVAEEvaluation.evaluate(model, text: corpus.bytes, file: path)
        try printReport(report, json: json)
    }
}
