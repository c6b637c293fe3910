import Foundation
import MuseCore
import MuseTraining
import XCTest
@testable import MuseModels

/// Broken bundles give a typed error that names the file and the field.
final class ModelBundleTests: XCTestCase {
    var dir: URL!
    let source = Bundle.module.url(forResource: "Fixtures", withExtension: nil)!.appendingPathComponent("torch_melody_rnn")

    override func setUpWithError() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("muse-badbundle-\(UUID())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        for f in ["config.json", "model.safetensors"] {
            try FileManager.default.copyItem(at: source.appendingPathComponent(f), to: dir.appendingPathComponent(f))
        }
    }
    override func tearDown() { try? FileManager.default.removeItem(at: dir) }

    func editConfig(_ edit: (inout [String: Any]) -> Void) throws {
        let url = dir.appendingPathComponent("config.json")
        var json = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [String: Any]
        edit(&json)
        try JSONSerialization.data(withJSONObject: json).write(to: url)
    }

    func testMissingConfigNamesTheFile() throws {
        try FileManager.default.removeItem(at: dir.appendingPathComponent("config.json"))
        XCTAssertThrowsError(try MelodyRNN.load(bundle: dir)) { error in
            XCTAssertEqual(error as? TrainingError, .missingFile(file: dir.appendingPathComponent("config.json").path))
        }
    }

    func testMissingWeightsNamesTheFile() throws {
        try FileManager.default.removeItem(at: dir.appendingPathComponent("model.safetensors"))
        XCTAssertThrowsError(try MelodyRNN.load(bundle: dir)) { error in
            XCTAssertEqual(error as? TrainingError, .missingFile(file: dir.appendingPathComponent("model.safetensors").path))
        }
    }

    func testConfigWithoutAFieldNamesTheField() throws {
        try editConfig { $0.removeValue(forKey: "hiddenSize") }
        XCTAssertThrowsError(try MelodyRNN.load(bundle: dir)) { error in
            guard case let .badField(file, field, _)? = error as? TrainingError else { return XCTFail("\(error)") }
            XCTAssertTrue(file.hasSuffix("config.json"))
            XCTAssertEqual(field, "hiddenSize")
        }
    }

    func testConfigWithWrongTypeNamesTheField() throws {
        try editConfig { $0["numLayers"] = "two" }
        XCTAssertThrowsError(try MelodyRNN.load(bundle: dir)) { error in
            guard case let .badField(_, field, _)? = error as? TrainingError else { return XCTFail("\(error)") }
            XCTAssertEqual(field, "numLayers")
        }
    }

    func testConfigWithAbsurdValueNamesTheField() throws {
        try editConfig { $0["maxNote"] = 300 }
        XCTAssertThrowsError(try MelodyRNN.load(bundle: dir)) { error in
            guard case let .badField(_, field, _)? = error as? ModelError else { return XCTFail("\(error)") }
            XCTAssertEqual(field, "minNote")
        }
    }

    func testConfigThatDoesNotMatchTheWeightsNamesTheTensor() throws {
        try editConfig { $0["hiddenSize"] = 32 }
        XCTAssertThrowsError(try MelodyRNN.load(bundle: dir)) { error in
            guard case let .badField(file, field, reason)? = error as? TrainingError else { return XCTFail("\(error)") }
            XCTAssertTrue(file.hasSuffix("model.safetensors"))
            XCTAssertTrue(field.hasPrefix("lstm."), field)
            XCTAssertTrue(reason.contains("shape"), reason)
        }
    }

    func testConfigWithOneLayerTooFewReportsTheExtraTensor() throws {
        try editConfig { $0["numLayers"] = 1 }
        XCTAssertThrowsError(try MelodyRNN.load(bundle: dir)) { error in
            guard case let .badField(_, field, _)? = error as? TrainingError else { return XCTFail("\(error)") }
            XCTAssertTrue(field.hasSuffix("_l1"), field)
        }
    }

    func testTruncatedWeightsAreAnErrorNotACrash() throws {
        let url = dir.appendingPathComponent("model.safetensors")
        let data = try Data(contentsOf: url)
        try data.prefix(data.count / 2).write(to: url)
        XCTAssertThrowsError(try MelodyRNN.load(bundle: dir))
    }
}
