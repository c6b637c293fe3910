import Foundation
import MuseCore

/// A model bundle folder: `config.json` (the `MusicVAEConfig`, with `"kind": "music-vae"`) and
/// `model.safetensors` (PyTorch-named weights); a training checkpoint adds
/// `optimizer.safetensors` and `trainer_state.json`.
public enum MusicVAEBundle {
    /// The `kind` field of a bundle's `config.json`, or `nil` if absent.
    private struct KindOnly: Decodable { var kind: String? }

    /// Reads a bundle's declared model kind.
    /// - Throws: `MusicVAEError.unreadableBundle` when `config.json` is missing or not JSON.
    public static func kind(at directory: URL) throws -> String? {
        let url = directory.appendingPathComponent("config.json")
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw MusicVAEError.unreadableBundle(path: directory.relativePath, reason: "no config.json")
        }
        do { return try JSONDecoder().decode(KindOnly.self, from: data).kind } catch {
            throw MusicVAEError.unreadableBundle(path: url.relativePath, reason: "not a JSON object")
        }
    }

    /// Loads a MusicVAE from a bundle folder.
    /// - Throws: `MusicVAEError.wrongModelKind` for another model's bundle, `.unreadableBundle`
    ///   for a missing or damaged file, `TensorError` for weights that do not fit the config.
    public static func load(from directory: URL) throws -> MusicVAE {
        let found = try kind(at: directory)
        guard found == MusicVAEConfig.bundleKind else {
            throw MusicVAEError.wrongModelKind(path: directory.relativePath, found: found ?? "unknown", expected: MusicVAEConfig.bundleKind)
        }
        let configURL = directory.appendingPathComponent("config.json")
        let config: MusicVAEConfig
        do { config = try JSONDecoder().decode(MusicVAEConfig.self, from: Data(contentsOf: configURL)) } catch {
            throw MusicVAEError.unreadableBundle(path: configURL.relativePath, reason: "not a MusicVAE config (\(error))")
        }
        let model = try MusicVAE(config: config)
        let weights = directory.appendingPathComponent("model.safetensors")
        guard FileManager.default.fileExists(atPath: weights.path) else {
            throw MusicVAEError.unreadableBundle(path: directory.relativePath, reason: "no model.safetensors")
        }
        try model.load(from: weights)
        model.eval()
        return model
    }

    /// Writes `config.json` and `model.safetensors` (each to a temporary name, then renamed).
    public static func save(_ model: MusicVAE, to directory: URL) throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try AtomicFile.write(encoder.encode(model.config), to: directory.appendingPathComponent("config.json"))
        try model.save(to: directory.appendingPathComponent("model.safetensors"), metadata: ["kind": MusicVAEConfig.bundleKind])
    }
}
