import Foundation
import MuseCore

/// A model bundle folder: `config.json` (the `MusicVAEConfig`, with `"kind": "music-vae"`) and
/// `model.safetensors` (PyTorch-named weights). A training output folder of the shared `Trainer`
/// (`checkpoint-<step>/` folders, each a bundle plus optimizer and training state) loads through
/// its newest checkpoint.
public enum MusicVAEBundle {
    /// The `kind` field of a bundle's `config.json`, or the `model` field other bundles use
    /// (the melody RNN's `"melody_rnn"`), or `nil` if neither is there.
    private struct KindOnly: Decodable { var kind: String?; var model: String? }

    /// `directory` itself when it holds `config.json` (or nothing to choose), else the newest
    /// `checkpoint-*` folder of a training output folder written by the shared `Trainer`.
    public static func bundleFolder(_ directory: URL) -> URL {
        if FileManager.default.fileExists(atPath: directory.appendingPathComponent("config.json").path) { return directory }
        return Checkpoint.list(in: directory).last?.url ?? directory
    }

    /// Reads a bundle's (or a training folder's newest checkpoint's) declared model kind.
    /// - Throws: `MusicVAEError.unreadableBundle` when `config.json` is missing or not JSON.
    public static func kind(at directory: URL) throws -> String? {
        let url = bundleFolder(directory).appendingPathComponent("config.json")
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw MusicVAEError.unreadableBundle(path: directory.relativePath, reason: "no config.json")
        }
        do {
            let fields = try JSONDecoder().decode(KindOnly.self, from: data)
            return fields.kind ?? fields.model
        } catch {
            throw MusicVAEError.unreadableBundle(path: url.relativePath, reason: "not a JSON object")
        }
    }

    /// Decodes a bundle's `config.json` as `type` after checking its `kind`.
    /// - Throws: `MusicVAEError.wrongModelKind` for another model's bundle, `.unreadableBundle`.
    public static func config<C: Decodable>(_ type: C.Type, at directory: URL, kind expected: String) throws -> C {
        let directory = bundleFolder(directory)
        let found = try kind(at: directory)
        guard found == expected else {
            throw MusicVAEError.wrongModelKind(path: directory.relativePath, found: found ?? "unknown", expected: expected)
        }
        let url = directory.appendingPathComponent("config.json")
        do { return try JSONDecoder().decode(type, from: Data(contentsOf: url)) } catch {
            throw MusicVAEError.unreadableBundle(path: url.relativePath, reason: "not a \(expected) config (\(error))")
        }
    }

    /// Loads `model.safetensors` of a bundle into `model` and sets evaluation mode.
    /// - Throws: `MusicVAEError.unreadableBundle` when absent, `TensorError` for mismatched weights.
    public static func loadWeights(into model: some Module, from directory: URL) throws {
        let directory = bundleFolder(directory)
        let weights = directory.appendingPathComponent("model.safetensors")
        guard FileManager.default.fileExists(atPath: weights.path) else {
            throw MusicVAEError.unreadableBundle(path: directory.relativePath, reason: "no model.safetensors")
        }
        try model.load(from: weights)
        model.eval()
    }

    /// Loads a MusicVAE from a bundle folder.
    /// - Throws: `MusicVAEError.wrongModelKind` for another model's bundle, `.unreadableBundle`
    ///   for a missing or damaged file, `TensorError` for weights that do not fit the config.
    public static func load(from directory: URL) throws -> MusicVAE {
        let model = try MusicVAE(config: config(MusicVAEConfig.self, at: directory, kind: MusicVAEConfig.bundleKind))
        try loadWeights(into: model, from: directory)
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
