import Foundation
import MuseCore
import MuseTraining

extension MusicVAE {
    /// The bundle kind: MusicVAEs sample and interpolate 2-bar melodies.
    public static let bundleKind = BundleKind(
        name: MusicVAEConfig.bundleKind, summary: "MusicVAE (2-bar melodies)",
        capabilities: [.sample, .interpolate]) { try MusicVAE.load(bundle: $0) }

    /// Loads an opened bundle (evaluation mode).
    /// - Throws: `TrainingError` naming the field or tensor that does not fit, `MusicVAEError` for
    ///   a config the model cannot take.
    public static func load(bundle: ModelBundle) throws -> MusicVAE {
        let model = try MusicVAE(config: bundle.config(MusicVAEConfig.self))
        try bundle.loadWeights(into: model)
        return model
    }

    /// Loads a bundle folder, or the newest checkpoint of a `muse train music-vae` output folder.
    /// - Throws: `TrainingError.wrongKind` for another kind of bundle, and what `load(bundle:)` throws.
    public static func load(from directory: URL) throws -> MusicVAE {
        let bundle = try ModelBundle.open(directory)
        guard bundle.kind == MusicVAEConfig.bundleKind else {
            throw TrainingError.wrongKind(folder: directory.path, found: bundle.kind, usable: [MusicVAEConfig.bundleKind], purpose: "a MusicVAE")
        }
        return try load(bundle: bundle)
    }

    /// Writes a bundle folder (`config.json`, `model.safetensors`).
    public func save(bundle directory: URL, step: Int? = nil) throws {
        try ModelBundle.write(to: directory, kind: MusicVAEConfig.bundleKind, configJSON: ModelBundle.encode(config), step: step,
                              metrics: nil, module: self)
    }
}
