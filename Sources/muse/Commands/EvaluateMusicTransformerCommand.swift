import ArgumentParser
import Foundation
import MuseModels

/// `muse evaluate music-transformer --bundle B FILE.mid|DIR [--json]`.
struct EvaluateMusicTransformerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "music-transformer",
        abstract: "Score MIDI files under a Music Transformer: negative log-likelihood per event (nats), per file and overall.")

    @Option(help: "Model bundle folder (or a training output folder: its newest checkpoint is used).")
    var bundle: String = "runs/transformer"

    @Argument(help: "A MIDI file or a folder of them.")
    var path: String

    @Flag(help: "Print JSON (files with their events and NLL per event, the overall NLL per event).")
    var json = false

    func run() throws {
        let model = try naming(bundle) { try bundleRegistry.load(MusicTransformer.self, from: URL(fileURLWithPath: bundle), for: .evaluate) }
        let report = try MusicTransformerEvaluation.evaluate(model: model, path: path)
        try printReport(report, json: json)
    }
}
