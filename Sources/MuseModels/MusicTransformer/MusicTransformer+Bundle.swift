import Foundation
import MuseCore
import MuseTraining

extension MusicTransformer {
    /// The bundle kind: Music Transformers generate performances and score MIDI files.
    public static let bundleKind = BundleKind(
        name: "music-transformer", summary: "Music Transformer (performance events, relative or absolute attention)",
        capabilities: [.generate, .evaluate]) { try MusicTransformer.load(bundle: $0) }

    /// Loads an opened bundle in evaluation mode.
    /// - Throws: `TrainingError`/`ModelError` naming the file and field that is missing or does not match.
    public static func load(bundle: ModelBundle) throws -> MusicTransformer {
        let config = try bundle.config(MusicTransformerConfig.self)
        try config.validate(file: bundle.configURL.path)
        let model = try MusicTransformer(config: config, seed: 0)
        try bundle.loadWeights(into: model)
        model.setTraining(false)
        return model
    }

    /// Loads a Music Transformer bundle (or the newest checkpoint of a training folder) in evaluation mode.
    /// - Throws: `TrainingError.wrongKind` for another kind, and what `load(bundle:)` throws.
    public static func load(bundle directory: URL) throws -> MusicTransformer {
        let bundle = try ModelBundle.open(directory)
        guard bundle.kind == bundleKind.name else {
            throw TrainingError.wrongKind(folder: directory.path, found: bundle.kind, usable: [bundleKind.name], purpose: "a Music Transformer")
        }
        return try load(bundle: bundle)
    }

    /// Writes `config.json` and `model.safetensors` into `directory` (created if needed).
    public func save(bundle directory: URL, step: Int? = nil) throws {
        try ModelBundle.write(to: directory, kind: Self.bundleKind.name, configJSON: ModelBundle.encode(config), step: step,
                              metrics: nil, module: self)
    }
}
