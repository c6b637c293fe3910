import Foundation
import MuseTraining

/// One model bundle `muse studio` offers: a folder right under the runs folder that holds a bundle
/// (`config.json`) or a training run (`checkpoint-*/`, whose newest checkpoint is used).
public struct BundleEntry: Codable, Equatable, Sendable {
    /// The folder's name under the runs folder; requests name bundles by it.
    public var id: String
    /// `kind` from `config.json` (`"melody-rnn"`).
    public var kind: String
    /// The registry's one-line summary of the kind.
    public var summary: String
    /// What the kind can do (`generate`, `sample`, `interpolate`, …), from the registry.
    public var capabilities: [String]
    /// Optimizer steps the weights were trained for, when recorded.
    public var step: Int?
    /// The bundle's metrics (the last evaluation of a run), finite values only.
    public var metrics: [String: Double]
    /// Checkpoints in the folder (0 for a plain bundle): a run has a training curve.
    public var checkpoints: Int
}

/// The bundles under a runs folder, read through the bundle registry (kinds it does not know are
/// left out). Requests may only name folders this catalog lists, so no path leaves the runs folder.
public struct BundleCatalog {
    /// The folder searched (one level deep).
    public let runsDirectory: URL
    /// The kinds `muse studio` can load.
    public let registry: BundleRegistry

    /// A catalog of `runsDirectory` for the kinds of `registry`.
    public init(runsDirectory: URL, registry: BundleRegistry) {
        self.runsDirectory = runsDirectory
        self.registry = registry
    }

    /// Every bundle or run folder right under the runs folder whose kind is registered, by name.
    /// Folders that do not open as bundles (data caches, broken configs) are skipped.
    public func entries() -> [BundleEntry] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: runsDirectory.path)) ?? []
        return names.sorted().compactMap { name in
            guard !name.hasPrefix(".") else { return nil }
            let folder = runsDirectory.appendingPathComponent(name)
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: folder.path, isDirectory: &isDirectory), isDirectory.boolValue,
                  let bundle = try? ModelBundle.open(folder), let kind = registry.kind(named: bundle.kind) else { return nil }
            var metrics: [String: Double] = [:]
            for (key, value) in bundle.metrics?.entries ?? [] where value.isFinite { metrics[key] = value }
            return BundleEntry(id: name, kind: kind.name, summary: kind.summary,
                               capabilities: kind.capabilities.map(\.rawValue).sorted(), step: bundle.step, metrics: metrics,
                               checkpoints: Checkpoint.list(in: folder).count)
        }
    }

    /// The entry called `id`.
    /// - Throws: `StudioError.notFound` when the catalog has no such bundle.
    public func entry(_ id: String) throws -> BundleEntry {
        guard let entry = entries().first(where: { $0.id == id }) else {
            throw StudioError.notFound("no bundle '\(id)' under \(runsDirectory.lastPathComponent)/")
        }
        return entry
    }

    /// Loads the model of bundle `id` after checking its kind can do `capability`.
    /// - Throws: `StudioError.notFound` for an unknown id, `.unsupported` naming the kinds that can,
    ///   and the loader's errors.
    public func load(_ id: String, for capability: BundleCapability) throws -> AnyObject {
        let entry = try entry(id)
        guard entry.capabilities.contains(capability.rawValue) else {
            throw StudioError.unsupported("\(id) is a \(entry.kind) bundle; this works with: \(registry.kinds(for: capability).joined(separator: ", "))")
        }
        return try registry.load(runsDirectory.appendingPathComponent(id), for: capability).model
    }
}
