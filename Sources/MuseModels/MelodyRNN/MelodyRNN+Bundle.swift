import Foundation
import MuseTraining

extension MelodyRNN: BundledModel {
    public static var kindName: String { "melody-rnn" }

    /// A model for a validated config (weights seeded with 0; loading replaces them).
    public static func make(config: MelodyRNNConfig) throws -> MelodyRNN {
        try config.validate()
        let model = try MelodyRNN(config: config, seed: 0)
        model.setTraining(false)
        return model
    }

    /// The bundle kind: melody RNNs continue primers and score melodies.
    public static let bundleKind = registryEntry(summary: "melody RNN (Magenta's basic, lookback or attention RNN)", capabilities: [.generate, .evaluate])

    /// Loads a melody RNN bundle (or the newest checkpoint of a training folder) in evaluation mode.
    public static func load(bundle directory: URL) throws -> MelodyRNN { try load(from: directory) }
}
