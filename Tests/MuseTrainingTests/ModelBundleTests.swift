import Foundation
import MuseCore
import MuseTraining
import XCTest

/// The one bundle format: what is written, what old bundles look like, what is refused.
final class ModelBundleTests: XCTestCase {
    var folder: URL!
    override func setUpWithError() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("muse-bundle-\(UUID())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }
    override func tearDown() { try? FileManager.default.removeItem(at: folder) }

    struct ToyConfig: Codable, Equatable { var width = 3; var names = ["a", "b"] }

    func toy() -> Linear { var g = SplitMix64(seed: 1); return Linear(inFeatures: 3, outFeatures: 2, using: &g) }

    func writeJSON(_ text: String, to name: String = "config.json") throws {
        try Data(text.utf8).write(to: folder.appendingPathComponent(name))
    }

    func testWrittenBundleHasKindVersionStepMetricsConfigAndExtraFiles() throws {
        let model = toy()
        try ModelBundle.write(to: folder, kind: "toy", configJSON: ModelBundle.encode(ToyConfig()), step: 42,
                              metrics: Metrics(["loss": 1.5, "bits_per_character": 2.25]), module: model,
                              extraFiles: ["vocab.json": Data("[\"a\"]".utf8)])
        let raw = try JSONSerialization.jsonObject(with: Data(contentsOf: folder.appendingPathComponent("config.json"))) as! [String: Any]
        XCTAssertEqual(raw["kind"] as? String, "toy")
        XCTAssertEqual(raw["formatVersion"] as? Int, 1)
        XCTAssertEqual(raw["step"] as? Int, 42)
        XCTAssertEqual((raw["config"] as? [String: Any])?["width"] as? Int, 3)
        let bundle = try ModelBundle.open(folder)
        XCTAssertEqual(bundle.kind, "toy")
        XCTAssertEqual(bundle.formatVersion, 1)
        XCTAssertEqual(bundle.step, 42)
        XCTAssertEqual(bundle.metrics?["bits_per_character"], 2.25)
        XCTAssertEqual(try bundle.config(ToyConfig.self), ToyConfig())
        XCTAssertEqual(try bundle.parameterCount(), 8)
        XCTAssertEqual(try Data(contentsOf: bundle.file("vocab.json")), Data("[\"a\"]".utf8))
        let (_, metadata) = try SafeTensors.readWithMetadata(contentsOf: bundle.weightsURL)
        XCTAssertEqual(metadata["kind"], "toy")
        XCTAssertEqual(metadata["step"], "42")
        let loaded = toy()
        for p in loaded.parameters() { p.copy(fromScalars: [Float](repeating: 0, count: p.count)) }
        try bundle.loadWeights(into: loaded)
        XCTAssertEqual(loaded.weight.scalars, model.weight.scalars)
        XCTAssertFalse(loaded.isTraining, "a loaded model is in evaluation mode")
    }

    /// Bundles of earlier versions: a flat config with `"model": "melody_rnn"` or `"kind"`.
    func testUnversionedBundlesOpenAsVersionZero() throws {
        try writeJSON(#"{"model": "melody_rnn", "width": 3, "names": ["a", "b"]}"#)
        var bundle = try ModelBundle.open(folder)
        XCTAssertEqual(bundle.kind, "melody-rnn")
        XCTAssertEqual(bundle.formatVersion, 0)
        XCTAssertEqual(try bundle.config(ToyConfig.self), ToyConfig())
        try writeJSON(#"{"kind": "music-vae", "width": 5, "names": []}"#)
        bundle = try ModelBundle.open(folder)
        XCTAssertEqual(bundle.kind, "music-vae")
        XCTAssertEqual(try bundle.config(ToyConfig.self), ToyConfig(width: 5, names: []))
    }

    func testConfigsThatAreNotBundlesNameTheField() throws {
        XCTAssertThrowsError(try ModelBundle.open(folder)) {
            XCTAssertEqual($0 as? TrainingError, .missingFile(file: folder.appendingPathComponent("config.json").path))
        }
        for (text, field) in [("[1, 2]", "(root)"), ("not json", "(root)"), (#"{"width": 3}"#, "kind"),
                              (#"{"kind": "toy", "formatVersion": 99, "config": {}}"#, "formatVersion"),
                              (#"{"kind": "toy", "formatVersion": "1", "config": {}}"#, "formatVersion"),
                              (#"{"kind": "toy", "formatVersion": 1}"#, "config"),
                              // Found by fuzz-bundle: a number or a string as metrics trapped in Foundation.
                              (#"{"kind": "toy", "formatVersion": 1, "config": {}, "metrics": 5}"#, "metrics"),
                              (#"{"kind": "toy", "formatVersion": 1, "config": {}, "metrics": "good"}"#, "metrics")] {
            try writeJSON(text)
            XCTAssertThrowsError(try ModelBundle.open(folder), text) { error in
                guard case let .badField(_, f, _)? = error as? TrainingError else { return XCTFail("\(error)") }
                XCTAssertEqual(f, field, text)
                XCTAssertFalse("\(error)".contains("\n"))
            }
        }
        try writeJSON(#"{"kind": "toy", "formatVersion": 1, "config": {"width": "three"}}"#)
        XCTAssertThrowsError(try ModelBundle.open(folder).config(ToyConfig.self)) { error in
            guard case let .badField(_, f, _)? = error as? TrainingError else { return XCTFail("\(error)") }
            XCTAssertEqual(f, "config.width")
        }
    }

    /// Found by fuzz-bundle: an empty config.json (FileManager.contents leaked on it) is refused
    /// from its size alone, as is one over 4 MiB, before anything is read.
    func testEmptyAndOversizedConfigsAreRefusedBySize() throws {
        try writeJSON("")
        XCTAssertThrowsError(try ModelBundle.open(folder)) {
            XCTAssertEqual($0 as? TrainingError, .badField(file: folder.appendingPathComponent("config.json").path, field: "(root)", reason: "not a JSON object"))
        }
        try Data(count: 1 << 22).write(to: folder.appendingPathComponent("config.json"))
        XCTAssertThrowsError(try ModelBundle.open(folder)) {
            guard case let .badField(_, field, reason)? = $0 as? TrainingError else { return XCTFail("\($0)") }
            XCTAssertEqual(field, "(file)")
            XCTAssertTrue(reason.hasPrefix("4194304 bytes"), reason)
        }
    }

    func testRegistryLoadsByKindAndNamesTheKindsThatCan() throws {
        final class Toy {}
        let registry = BundleRegistry([
            BundleKind(name: "toy", summary: "a toy", capabilities: [.sample]) { _ in Toy() },
            BundleKind(name: "other", summary: "another", capabilities: [.interpolate, .sample]) { _ in Toy() },
        ])
        try ModelBundle.write(to: folder, kind: "toy", configJSON: Data("{}".utf8), step: nil, metrics: nil, module: toy())
        XCTAssertTrue(try registry.load(folder, for: .sample).model is Toy)
        XCTAssertThrowsError(try registry.load(folder, for: .interpolate)) { error in
            XCTAssertEqual(error as? TrainingError, .wrongKind(folder: folder.relativePath, found: "toy", usable: ["other"], purpose: "muse interpolate"))
            XCTAssertEqual("\(error)", "\(folder.relativePath) is a toy bundle; muse interpolate works with: other")
        }
        try ModelBundle.write(to: folder, kind: "stranger", configJSON: Data("{}".utf8), step: nil, metrics: nil, module: toy())
        XCTAssertThrowsError(try registry.load(folder)) { error in
            guard case .badField(_, "kind", _)? = error as? TrainingError else { return XCTFail("\(error)") }
        }
    }

    /// Checkpoints of earlier versions recorded `{loss, accuracy, steps, extra: {…}}`.
    func testMetricsReadTheOlderCheckpointLayout() throws {
        let old = #"{"loss": 1.25, "accuracy": 0.5, "steps": 10, "extra": {"kl": 3.5}}"#
        let metrics = try JSONDecoder().decode(Metrics.self, from: Data(old.utf8))
        XCTAssertEqual(metrics["loss"], 1.25)
        XCTAssertEqual(metrics["kl"], 3.5)
        XCTAssertEqual(metrics["steps"], 10)
        XCTAssertThrowsError(try JSONDecoder().decode(Metrics.self, from: Data(#"{"loss": "high"}"#.utf8)))
        let roundTrip = try JSONDecoder().decode(Metrics.self, from: JSONEncoder().encode(metrics))
        XCTAssertEqual(roundTrip["kl"], 3.5)
    }
}
