import Foundation
import MuseCore

/// A model saved and loaded as a bundle: its `Codable` config is `config.json`'s `config`, its
/// parameters `model.safetensors`. Conformers say how to build themselves from a config; loading
/// (with the kind checked), saving and the registry entry come from here.
public protocol BundledModel: Module {
    /// The model's hyper-parameters.
    associatedtype Config: Codable
    /// `kind` in `config.json` (`"music-vae"`).
    static var kindName: String { get }
    /// The config the model was built from.
    var config: Config { get }
    /// A model with freshly initialised weights for `config`.
    /// - Throws: the model's error for a config it cannot take (naming the field).
    static func make(config: Config) throws -> Self
}

extension BundledModel {
    /// Loads an opened bundle (evaluation mode).
    /// - Throws: `TrainingError` naming the field or tensor that does not fit, or `make`'s error.
    public static func load(bundle: ModelBundle) throws -> Self {
        let model = try make(config: bundle.config(Config.self))
        try bundle.loadWeights(into: model)
        return model
    }

    /// Loads a bundle folder, or the newest checkpoint of a training run folder.
    /// - Throws: `TrainingError.wrongKind` for a bundle of another kind, and what `load(bundle:)` throws.
    public static func load(from directory: URL) throws -> Self {
        let bundle = try ModelBundle.open(directory)
        guard bundle.kind == kindName else {
            throw TrainingError.wrongKind(folder: directory.path, found: bundle.kind, usable: [kindName], purpose: "")
        }
        return try load(bundle: bundle)
    }

    /// Writes a bundle folder (`config.json`, `model.safetensors`, optional extra files).
    public func save(bundle directory: URL, step: Int? = nil, metrics: Metrics? = nil, extraFiles: [String: Data] = [:]) throws {
        try ModelBundle.write(to: directory, kind: Self.kindName, configJSON: ModelBundle.encode(config), step: step,
                              metrics: metrics, module: self, extraFiles: extraFiles)
    }

    /// The registry entry of this kind of model.
    public static func registryEntry(summary: String, capabilities: Set<BundleCapability>) -> BundleKind {
        BundleKind(name: kindName, summary: summary, capabilities: capabilities) { try load(bundle: $0) }
    }
}
