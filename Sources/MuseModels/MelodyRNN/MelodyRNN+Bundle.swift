import Foundation
import MuseCore
import MuseTraining

extension MelodyRNN {
    /// The bundle kind: melody RNNs continue primers and score melodies.
    public static let bundleKind = BundleKind(
        name: "melody-rnn", summary: "melody RNN (Magenta's basic, lookback or attention RNN)",
        capabilities: [.generate, .evaluate]) { try MelodyRNN.load(bundle: $0) }

    /// Loads an opened bundle in evaluation mode.
    /// - Throws: `TrainingError` naming the file and field that is missing or does not match.
    public static func load(bundle: ModelBundle) throws -> MelodyRNN {
        let config = try bundle.config(MelodyRNNConfig.self)
        try config.validate(file: bundle.configURL.path)
        let model = try MelodyRNN(config: config, seed: 0)
        try bundle.loadWeights(into: model)
        model.setTraining(false)
        return model
    }

    /// Loads a melody RNN bundle (or the newest checkpoint of a training folder) in evaluation mode.
    /// - Throws: `TrainingError.wrongKind` for another kind, and what `load(bundle:)` throws.
    public static func load(bundle directory: URL) throws -> MelodyRNN {
        let bundle = try ModelBundle.open(directory)
        guard bundle.kind == bundleKind.name else {
            throw TrainingError.wrongKind(folder: directory.path, found: bundle.kind, usable: [bundleKind.name], purpose: "a melody RNN")
        }
        return try load(bundle: bundle)
    }

    /// Writes `config.json` and `model.safetensors` into `directory` (created if needed).
    public func save(bundle directory: URL, step: Int? = nil) throws {
        try ModelBundle.write(to: directory, kind: Self.bundleKind.name, configJSON: ModelBundle.encode(config), step: step,
                              metrics: nil, module: self)
    }
}
