import Foundation
import MuseCore

/// A model bundle folder: `config.json` (the model's Codable config) and `model.safetensors`
/// (PyTorch parameter names and shapes). A training output folder counts as a bundle too: its
/// newest `checkpoint-*` folder is used.
public enum ModelBundle {
    /// The folder holding `config.json` and `model.safetensors`: `directory` itself, or its newest checkpoint.
    /// - Throws: `ModelError.missingFile` if neither is there.
    public static func resolve(_ directory: URL) throws -> URL {
        let fm = FileManager.default
        if fm.fileExists(atPath: directory.appendingPathComponent("config.json").path)
            || fm.fileExists(atPath: directory.appendingPathComponent("model.safetensors").path) {
            return directory
        }
        if let latest = Checkpoint.list(in: directory).last { return latest.url }
        throw ModelError.missingFile(file: directory.appendingPathComponent("config.json").path)
    }

    /// JSON of a config, keys sorted, pretty-printed.
    public static func encode<C: Encodable>(_ config: C) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return try encoder.encode(config)
    }

    /// Reads `config.json` of a bundle folder.
    /// - Throws: `ModelError.missingFile`, or `.badField` naming the field that is missing or wrong.
    public static func readConfig<C: Decodable>(_ type: C.Type, bundle: URL) throws -> C {
        let url = bundle.appendingPathComponent("config.json")
        guard let data = FileManager.default.contents(atPath: url.path) else { throw ModelError.missingFile(file: url.path) }
        guard data.count < 1 << 20 else { throw ModelError.badField(file: url.path, field: "(file)", reason: "\(data.count) bytes is too large for a config") }
        do { return try JSONDecoder().decode(C.self, from: data) } catch {
            throw ModelError.badField(file: url.path, field: fieldName(of: error), reason: reason(of: error))
        }
    }

    /// Loads weights into `module`, strictly (every parameter present, shapes equal, nothing extra).
    /// - Throws: `ModelError.missingFile` or `.badField` naming the file and tensor.
    public static func loadWeights(into module: any Module, bundle: URL) throws {
        let url = bundle.appendingPathComponent("model.safetensors")
        guard FileManager.default.fileExists(atPath: url.path) else { throw ModelError.missingFile(file: url.path) }
        do { try module.load(from: url) } catch let error as TensorError {
            switch error {
            case let .missingTensor(_, tensor): throw ModelError.badField(file: url.path, field: tensor, reason: "tensor is missing")
            case let .unexpectedTensor(_, tensor): throw ModelError.badField(file: url.path, field: tensor, reason: "tensor is not part of this model (does config.json match?)")
            case let .loadShapeMismatch(_, tensor, expected, found):
                throw ModelError.badField(file: url.path, field: tensor, reason: "shape \(found) but config.json implies \(expected)")
            default: throw ModelError.io(file: url.path, reason: error.description)
            }
        }
    }

    /// The coding path of a decoding error, dotted (`hiddenSize`, `lookbackDistances.1`).
    static func fieldName(of error: Error) -> String {
        guard let e = error as? DecodingError else { return "(file)" }
        func path(_ ctx: DecodingError.Context, _ extra: CodingKey? = nil) -> String {
            let keys = ctx.codingPath + (extra.map { [$0] } ?? [])
            let p = keys.map { $0.intValue.map(String.init) ?? $0.stringValue }.joined(separator: ".")
            return p.isEmpty ? "(root)" : p
        }
        switch e {
        case let .keyNotFound(key, ctx): return path(ctx, key)
        case let .typeMismatch(_, ctx), let .valueNotFound(_, ctx), let .dataCorrupted(ctx): return path(ctx)
        @unknown default: return "(file)"
        }
    }

    /// What was wrong, in words.
    static func reason(of error: Error) -> String {
        guard let e = error as? DecodingError else { return "\(error)" }
        switch e {
        case .keyNotFound: return "missing"
        case let .typeMismatch(t, _): return "expected \(t)"
        case .valueNotFound: return "is null"
        case let .dataCorrupted(ctx): return ctx.debugDescription
        @unknown default: return "\(error)"
        }
    }
}

extension MelodyRNN {
    /// Loads a melody RNN bundle (or the newest checkpoint of a training folder) in evaluation mode.
    /// - Throws: `ModelError` naming the file and field that is missing or does not match.
    public static func load(bundle directory: URL) throws -> MelodyRNN {
        let bundle = try ModelBundle.resolve(directory)
        let config = try ModelBundle.readConfig(MelodyRNNConfig.self, bundle: bundle)
        try config.validate(file: bundle.appendingPathComponent("config.json").path)
        let model = try MelodyRNN(config: config, seed: 0)
        try ModelBundle.loadWeights(into: model, bundle: bundle)
        model.setTraining(false)
        return model
    }

    /// Writes `config.json` and `model.safetensors` into `directory` (created if needed).
    public func save(bundle directory: URL) throws {
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            try AtomicFile.write(ModelBundle.encode(config), to: directory.appendingPathComponent("config.json"))
        } catch let e as TensorError { throw ModelError.io(file: directory.path, reason: e.description) }
        catch { throw ModelError.io(file: directory.path, reason: "\(error)") }
        try save(to: directory.appendingPathComponent("model.safetensors"))
    }
}
