import ArgumentParser
import Foundation
import MuseAudioModels

/// `muse evaluate spec-vae --bundle B FILE|DIR [--json]`.
struct EvaluateSpecVAECommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "spec-vae",
        abstract: "Reconstruction error of a spectrogram VAE in dB, its KL, and the error of the Griffin-Lim inversion alone.",
        discussion: """
            The error is the mean absolute difference of log-mel spectrograms (n_fft 2048, hop 512, 128 mels), each \
            referred to its own peak and floored 60 dB below it: of the model alone (mel in, mel out), of \
            `muse reconstruct` (audio in, audio out) and of the inversion alone (the clip's own mel → inverse mel → \
            Griffin-Lim → mel), which is the floor any model's audio starts from.
            """)

    @Option(help: "Model bundle folder (or a `muse train spec-vae` output folder: its newest checkpoint is used).")
    var bundle: String = "runs/specvae"

    @Argument(help: "An audio file or a folder of them (searched recursively).")
    var path: String

    @Option(name: .customLong("n-iter"), help: "Griffin-Lim iterations.")
    var nIter = SpectrogramSequenceVAE.defaultIterations

    @Flag(help: "Print JSON with every clip's figures.")
    var json = false

    func validate() throws { guard nIter > 0 else { throw ValidationError("--n-iter must be positive") } }

    func run() throws {
        let model = try naming(bundle) { try bundleRegistry.load(SpectrogramSequenceVAE.self, from: URL(fileURLWithPath: bundle), for: .evaluate) }
        let report = try naming(path) { try SpectrogramVAEEvaluation.evaluate(model: model, path: path, iterations: nIter) }
        try printReport(report, json: json)
    }
}
