import ArgumentParser
import Foundation
import MuseTraining

/// `muse bundle info runs/melody [--json]`: kind, format version, size, step, metrics, config.
struct BundleInfoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "info",
        abstract: "Print a bundle's kind, format version, parameter count, training step, last evaluation and config.",
        discussion: "DIR is a bundle folder (config.json + model.safetensors) or a training run folder (its newest checkpoint is read).")

    @Argument(help: "Bundle or run folder.")
    var directory: String

    @Flag(help: "Print one JSON object instead of text.")
    var json = false

    func run() throws {
        let bundle = try ModelBundle.open(URL(fileURLWithPath: directory))
        let kind = bundleRegistry.kind(named: bundle.kind)
        let parameters = try bundle.parameterCount()
        let config = try JSONSerialization.jsonObject(with: bundle.configJSON)
        if json {
            var object: [String: Any] = ["folder": bundle.folder.path, "kind": bundle.kind, "formatVersion": bundle.formatVersion,
                                         "parameters": parameters, "config": config,
                                         "capabilities": kind.map { $0.capabilities.map(\.rawValue).sorted() } ?? []]
            if let step = bundle.step { object["step"] = step }
            if let metrics = bundle.metrics { object["metrics"] = try JSONSerialization.jsonObject(with: JSONEncoder().encode(metrics)) }
            let data = try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys])
            print(String(decoding: data, as: UTF8.self))
            return
        }
        print("bundle:         \(bundle.folder.path)")
        print("kind:           \(bundle.kind)" + (kind.map { " — \($0.summary)" } ?? " (unknown to this muse)"))
        print("format version: \(bundle.formatVersion)" + (bundle.formatVersion == 0 ? " (written before bundles were versioned)" : ""))
        print("parameters:     \(parameters)")
        print("step:           \(bundle.step.map(String.init) ?? "unknown")")
        print("last metrics:   \(bundle.metrics.map(\.description) ?? "none recorded")")
        if let kind { print("used by:        " + kind.capabilities.map(\.command).sorted().joined(separator: ", ")) }
        let pretty = try JSONSerialization.data(withJSONObject: config, options: [.prettyPrinted, .sortedKeys])
        print("config:\n" + String(decoding: pretty, as: UTF8.self))
    }
}
