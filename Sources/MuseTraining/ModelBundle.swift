import Foundation
import MuseCore

/// A model bundle folder, the one format every model is saved and loaded in:
/// - `config.json`: `{"kind": …, "formatVersion": 1, "step": N, "config": {the model's config},
///   "metrics": {last evaluation}}`;
/// - `model.safetensors`: the weights under PyTorch's parameter names, with `kind` and `step` in
///   its `__metadata__`;
/// - optional extra files a model needs (a vocabulary, a tokenizer).
///
/// A training output folder counts as a bundle too: its newest `checkpoint-*` folder is used.
/// Bundles written before the format had a version (a flat config with `"model": "melody_rnn"` or
/// `"kind"`) still open, as format version 0.
public struct ModelBundle {
    /// The current `formatVersion`.
    public static let formatVersion = 1

    /// The folder holding `config.json` (the given folder, or its newest checkpoint).
    public let folder: URL
    /// The model kind (`"melody-rnn"`, `"music-vae"`, `"spec-vae"`, …).
    public let kind: String
    /// 0 for bundles written before the format was versioned.
    public let formatVersion: Int
    /// Training steps behind the weights, when known.
    public let step: Int?
    /// The last evaluation's metrics, when known (`config.json`, or a checkpoint's training state).
    public let metrics: Metrics?
    /// The model's config alone, as JSON.
    public let configJSON: Data

    /// Kinds written by earlier versions under other names.
    static let legacyKinds = ["melody_rnn": "melody-rnn"]

    /// Opens a bundle folder, or the newest checkpoint of a training output folder.
    /// - Throws: `TrainingError.missingFile` when there is no `config.json`, `.badField` when it is
    ///   not a bundle config (no kind, a newer format version, not JSON).
    public static func open(_ directory: URL) throws -> ModelBundle {
        let fm = FileManager.default
        var folder = directory
        if !fm.fileExists(atPath: directory.appendingPathComponent("config.json").path),
           let latest = Checkpoint.list(in: directory).last {
            folder = latest.url
        }
        let url = folder.appendingPathComponent("config.json")
        // The size is checked before reading; an empty file is never read (FileManager.contents
        // leaks its 4 KiB buffer on an empty file, found by fuzz-bundle).
        guard let size = ((try? fm.attributesOfItem(atPath: url.path))?[.size] as? NSNumber)?.intValue else {
            throw TrainingError.missingFile(file: url.path)
        }
        guard size < 1 << 22 else { throw TrainingError.badField(file: url.path, field: "(file)", reason: "\(size) bytes is too large for a config") }
        guard size > 0 else { throw TrainingError.badField(file: url.path, field: "(root)", reason: "not a JSON object") }
        guard let data = fm.contents(atPath: url.path) else { throw TrainingError.missingFile(file: url.path) }
        guard let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
            throw TrainingError.badField(file: url.path, field: "(root)", reason: "not a JSON object")
        }
        let version: Int
        if let v = object["formatVersion"] {
            guard let n = v as? Int else { throw TrainingError.badField(file: url.path, field: "formatVersion", reason: "not an integer") }
            guard (1...formatVersion).contains(n) else {
                throw TrainingError.badField(file: url.path, field: "formatVersion", reason: "\(n) is not a version this Muse reads (1...\(formatVersion))")
            }
            version = n
        } else {
            version = 0
        }
        let kindField = version == 0 ? (object["kind"] ?? object["model"]) : object["kind"]
        guard let rawKind = kindField as? String, !rawKind.isEmpty else {
            throw TrainingError.badField(file: url.path, field: "kind", reason: "missing: not a Muse model bundle")
        }
        let config: Any
        if version == 0 {
            config = object
        } else {
            guard let c = object["config"] as? [String: Any] else { throw TrainingError.badField(file: url.path, field: "config", reason: "missing or not an object") }
            config = c
        }
        var metrics: Metrics?
        if let m = object["metrics"] {
            // Foundation traps (it does not throw) when asked to serialise a number or a string.
            guard let fields = m as? [String: Any] else {
                throw TrainingError.badField(file: url.path, field: "metrics", reason: "not an object")
            }
            metrics = try? JSONDecoder().decode(Metrics.self, from: JSONSerialization.data(withJSONObject: fields))
        }
        var step = object["step"] as? Int
        if let state = try? Checkpoint.readState(folder) {
            step = step ?? state.step
            metrics = metrics ?? state.evaluations.last?.metrics
        }
        return ModelBundle(folder: folder, kind: legacyKinds[rawKind] ?? rawKind, formatVersion: version, step: step, metrics: metrics,
                           configJSON: try JSONSerialization.data(withJSONObject: config, options: [.sortedKeys]))
    }

    /// `config.json`'s path.
    public var configURL: URL { folder.appendingPathComponent("config.json") }
    /// `model.safetensors`' path.
    public var weightsURL: URL { folder.appendingPathComponent("model.safetensors") }
    /// An extra file of the bundle (`vocab.json`).
    public func file(_ name: String) -> URL { folder.appendingPathComponent(name) }

    /// Decodes the model's config.
    /// - Throws: `TrainingError.badField` naming the field that is missing or wrong.
    public func config<C: Decodable>(_ type: C.Type) throws -> C {
        do { return try JSONDecoder().decode(C.self, from: configJSON) } catch {
            throw TrainingError.badField(file: configURL.path, field: (formatVersion > 0 ? "config." : "") + Self.fieldName(of: error),
                                         reason: Self.reason(of: error))
        }
    }

    /// The model config's fields flattened to dotted names (`lookbackDistances.1`) with their JSON text.
    public func configFields() throws -> [String: String] { try Self.flatten(configJSON, file: configURL.path) }

    /// Loads the weights into `module` strictly (every parameter present, shapes equal, nothing
    /// extra) and sets evaluation mode.
    /// - Throws: `TrainingError.missingFile` or `.badField` naming the file and tensor.
    public func loadWeights(into module: any Module) throws {
        let url = weightsURL
        guard FileManager.default.fileExists(atPath: url.path) else { throw TrainingError.missingFile(file: url.path) }
        do { try module.load(from: url) } catch let error as TensorError {
            switch error {
            case let .missingTensor(_, tensor): throw TrainingError.badField(file: url.path, field: tensor, reason: "tensor is missing")
            case let .unexpectedTensor(_, tensor): throw TrainingError.badField(file: url.path, field: tensor, reason: "tensor is not part of this model (does config.json match?)")
            case let .loadShapeMismatch(_, tensor, expected, found):
                throw TrainingError.badField(file: url.path, field: tensor, reason: "shape \(found) but config.json implies \(expected)")
            default: throw TrainingError.io(file: url.path, reason: error.description)
            }
        }
        module.eval()
    }

    /// Number of scalar weights in `model.safetensors` (read from its header; tied tensors once per name).
    public func parameterCount() throws -> Int {
        try SafeTensors.read(contentsOf: weightsURL).values.reduce(0) { $0 + $1.count }
    }

    /// Writes a bundle folder (created if needed; each file written atomically).
    /// - Parameters:
    ///   - configJSON: the model's config as JSON (the `config` object).
    ///   - extraFiles: further files by name (`vocab.json`).
    /// - Throws: `TrainingError.io` naming the file.
    public static func write(to directory: URL, kind: String, configJSON: Data, step: Int?, metrics: Metrics?,
                             module: any Module, extraFiles: [String: Data] = [:]) throws {
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            throw TrainingError.io(file: directory.path, reason: "cannot create folder: \(error.localizedDescription)")
        }
        try writeContents(to: directory, kind: kind, configJSON: configJSON, step: step, metrics: metrics, module: module, extraFiles: extraFiles)
    }

    /// The files of a bundle, into an existing folder.
    static func writeContents(to directory: URL, kind: String, configJSON: Data, step: Int?, metrics: Metrics?,
                              module: any Module, extraFiles: [String: Data] = [:]) throws {
        do {
            guard let config = try JSONSerialization.jsonObject(with: configJSON) as? [String: Any] else {
                throw TrainingError.invalidOption("a model config must encode as a JSON object")
            }
            var object: [String: Any] = ["kind": kind, "formatVersion": formatVersion, "config": config]
            if let step { object["step"] = step }
            if let metrics, !metrics.isEmpty { object["metrics"] = try JSONSerialization.jsonObject(with: JSONEncoder().encode(metrics)) }
            let data = try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys])
            try BundleFileWriter.write(data, to: directory.appendingPathComponent("config.json"))
            var metadata = ["kind": kind, "format": "pt"]
            if let step { metadata["step"] = String(step) }
            try BundleFileWriter.write(SafeTensors.encode(module.stateDict(), metadata: metadata),
                                       to: directory.appendingPathComponent("model.safetensors"))
            for (name, data) in extraFiles { try BundleFileWriter.write(data, to: directory.appendingPathComponent(name)) }
        } catch let error as TrainingError {
            throw error
        } catch let SupportError.io(file, reason) {
            throw TrainingError.io(file: file, reason: reason)
        } catch {
            throw TrainingError.io(file: directory.path, reason: "\(error)")
        }
    }

    /// JSON of a config, keys sorted (for `configJSON()` of tasks).
    public static func encode<C: Encodable>(_ config: C) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return try encoder.encode(config)
    }

    /// A JSON object's leaves by dotted path, each as compact JSON text.
    static func flatten(_ json: Data, file: String) throws -> [String: String] {
        guard let root = try? JSONSerialization.jsonObject(with: json, options: [.fragmentsAllowed]) else {
            throw TrainingError.badField(file: file, field: "(root)", reason: "not JSON")
        }
        var out: [String: String] = [:]
        func walk(_ value: Any, _ path: String) {
            if let d = value as? [String: Any] {
                for (k, v) in d { walk(v, path.isEmpty ? k : path + "." + k) }
            } else if let a = value as? [Any] {
                for (i, v) in a.enumerated() { walk(v, path + "." + String(i)) }
            } else if let data = try? JSONSerialization.data(withJSONObject: value, options: [.fragmentsAllowed]) {
                out[path] = String(decoding: data, as: UTF8.self)
            }
        }
        walk(root, "")
        out.removeValue(forKey: "model")   // the kind marker of version-0 melody bundles, not a setting
        out.removeValue(forKey: "kind")
        return out
    }

    /// The coding path of a decoding error, dotted (`hiddenSize`, `lookbackDistances.1`).
    public static func fieldName(of error: Error) -> String {
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

    /// What was wrong with a decoding error, in words.
    public static func reason(of error: Error) -> String {
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
