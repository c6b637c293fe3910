import Foundation
import MuseCore

/// What a bundle of some kind can be used for; commands that take `--bundle` ask for one.
public enum BundleCapability: String, CaseIterable, Sendable {
    /// Continue or generate sequences (`muse generate`).
    case generate
    /// Draw samples from a prior (`muse sample`).
    case sample
    /// Walk a latent line between two inputs (`muse interpolate`).
    case interpolate
    /// Encode and decode an input (`muse reconstruct`).
    case reconstruct
    /// Score held-out data (`muse evaluate`).
    case evaluate

    /// The command a user types for it.
    public var command: String { "muse " + rawValue }
}

/// One kind of model bundle: its name in `config.json`, what it can do, and how to load it.
public struct BundleKind {
    /// `kind` in `config.json` (`"melody-rnn"`).
    public let name: String
    /// One line for `muse bundle info` and errors.
    public let summary: String
    /// The commands it works with.
    public let capabilities: Set<BundleCapability>
    /// Loads the model of an opened bundle (in evaluation mode).
    public let load: (ModelBundle) throws -> AnyObject

    /// A kind; `load` receives a bundle whose `kind` is `name`.
    public init(name: String, summary: String, capabilities: Set<BundleCapability>, load: @escaping (ModelBundle) throws -> AnyObject) {
        self.name = name
        self.summary = summary
        self.capabilities = capabilities
        self.load = load
    }
}

/// Maps a bundle's `kind` to its loader: every command that takes `--bundle` asks it, so a bundle
/// of any kind that can do what the command does just works, and one that cannot is refused in
/// one line naming the kinds that can. Model families register one `BundleKind` each.
public struct BundleRegistry {
    /// The registered kinds, in registration order.
    public let kinds: [BundleKind]

    /// A registry of `kinds` (names must be distinct).
    public init(_ kinds: [BundleKind]) {
        precondition(Set(kinds.map(\.name)).count == kinds.count, "BundleRegistry: duplicate kind names")
        self.kinds = kinds
    }

    /// The kind called `name`.
    public func kind(named name: String) -> BundleKind? { kinds.first { $0.name == name } }

    /// Names of the kinds that can do `capability`.
    public func kinds(for capability: BundleCapability) -> [String] {
        kinds.filter { $0.capabilities.contains(capability) }.map(\.name)
    }

    /// Opens the bundle at `directory` (or a run folder's newest checkpoint) and loads its model,
    /// after checking its kind can do `capability` (if given).
    /// - Returns: the bundle and its model (cast it to the model types the command handles).
    /// - Throws: `TrainingError.wrongKind` naming the kinds that can, `.badField` for an unknown
    ///   kind, and the loader's errors.
    public func load(_ directory: URL, for capability: BundleCapability? = nil) throws -> (bundle: ModelBundle, model: AnyObject) {
        let bundle = try ModelBundle.open(directory)
        guard let kind = kind(named: bundle.kind) else {
            throw TrainingError.badField(file: bundle.configURL.path, field: "kind",
                                         reason: "'\(bundle.kind)' is not a kind this Muse knows (\(kinds.map(\.name).joined(separator: ", ")))")
        }
        if let capability, !kind.capabilities.contains(capability) {
            throw TrainingError.wrongKind(folder: directory.relativePath, found: kind.name, usable: kinds(for: capability), purpose: capability.command)
        }
        return (bundle, try kind.load(bundle))
    }

    /// `load` for a command that handles one model type.
    /// - Throws: `TrainingError.wrongKind` when the bundle holds another type of model.
    public func load<M: AnyObject>(_ type: M.Type, from directory: URL, for capability: BundleCapability) throws -> M {
        let (bundle, model) = try load(directory, for: capability)
        guard let typed = model as? M else {
            throw TrainingError.wrongKind(folder: directory.relativePath, found: bundle.kind, usable: kinds(for: capability), purpose: capability.command)
        }
        return typed
    }
}
