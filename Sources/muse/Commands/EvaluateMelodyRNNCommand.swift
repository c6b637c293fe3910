import ArgumentParser
import Foundation
import MuseEncoding
import MuseMIDI
import MuseModels

/// `muse evaluate melody-rnn --bundle B FILE.mid|DIR [--json]`.
struct EvaluateMelodyRNNCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "melody-rnn",
        abstract: "Score the melodies of MIDI files under a melody RNN: mean log-likelihood per step (nats) and accuracy.")

    @Option(help: "Model bundle folder (or a training output folder: its newest checkpoint is used).")
    var bundle: String = "runs/melody"

    @Argument(help: "A MIDI file or a folder of them.")
    var path: String

    @Flag(help: "Print JSON with every melody's per-step log-probabilities.")
    var json = false

    func run() throws {
        do {
            let model = try naming(bundle) { try bundleRegistry.load(MelodyRNN.self, from: URL(fileURLWithPath: bundle), for: .evaluate) }
            let report = try MelodyEvaluation.evaluate(model: model, path: path)
            try printReport(report, json: json)
        }
    }
}
