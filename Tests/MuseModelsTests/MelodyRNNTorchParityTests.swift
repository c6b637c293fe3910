import Foundation
import MuseCore
import MuseTraining
import XCTest
@testable import MuseModels

/// A bundle written by PyTorch (scripts/make_melody_fixtures.py: torch.nn.LSTM(38, 16, 2,
/// batch_first=True) + nn.Linear(16, 38), state_dict saved with safetensors) loads into
/// `MelodyRNN` by name and gives torch's logits.
final class MelodyRNNTorchParityTests: XCTestCase {
    let fixtures = Bundle.module.url(forResource: "Fixtures", withExtension: nil)!

    func testTorchBundleLoadsAndGivesTorchLogits() throws {
        // float32 LSTM over 19 steps: torch and OpenBLAS sum in different orders; 1e-5 absolute
        // is ~100 ulps of these O(0.3) logits.
        try assertBundleGivesTorchLogits(fixtures.appendingPathComponent("torch_melody_rnn"), accuracy: 1e-5)
    }

    func testSavedBundleKeepsPyTorchNamesAndShapes() throws {
        var config = MelodyRNNConfig()
        config.hiddenSize = 16
        let model = try MelodyRNN(config: config, seed: 1)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("muse-bundle-\(UUID())")
        defer { try? FileManager.default.removeItem(at: dir) }
        try model.save(bundle: dir)
        let saved = try SafeTensors.read(contentsOf: dir.appendingPathComponent("model.safetensors"))
        let torch = try SafeTensors.read(contentsOf: fixtures.appendingPathComponent("torch_melody_rnn/model.safetensors"))
        XCTAssertEqual(saved.keys.sorted(), torch.keys.sorted())
        for (name, t) in torch { XCTAssertEqual(saved[name]?.shape, t.shape, name) }
        let reloaded = try MelodyRNN.load(bundle: dir)
        for (name, t) in model.stateDict() { XCTAssertEqual(reloaded.stateDict()[name]?.scalars, t.scalars, name) }
    }
}

/// attention_rnn against the same equations written step by step in torch
/// (scripts/make_melody_fixtures.py, attention over the last 5 outputs, 19 steps so the memory shifts).
final class MelodyAttentionTorchParityTests: XCTestCase {
    func testTorchAttentionBundleGivesTorchLogits() throws {
        let bundle = Bundle.module.url(forResource: "Fixtures", withExtension: nil)!.appendingPathComponent("torch_attention_rnn")
        XCTAssertEqual(try MelodyRNN.load(bundle: bundle).config.attentionLength, 5)
        // Same float32 summation-order argument as the plain LSTM; the recurrence through the
        // attention adds a few more roundings per step.
        try assertBundleGivesTorchLogits(bundle, accuracy: 1e-5)
    }
}

/// Loads the PyTorch-written `bundle`, runs it on the events in its `expected.safetensors` and
/// compares every logit with torch's within `accuracy`.
func assertBundleGivesTorchLogits(_ bundle: URL, accuracy: Float, file: StaticString = #filePath, line: UInt = #line) throws {
    let model = try MelodyRNN.load(bundle: bundle)
    let expected = try SafeTensors.read(contentsOf: bundle.appendingPathComponent("expected.safetensors"))
    let events = expected["events"]!.scalars.map { Int($0) }
    let (inputs, _) = try model.encodeBatch([events])
    let logits = try model(inputs).logits
    let want = expected["logits"]!
    XCTAssertEqual(logits.shape, want.shape, file: file, line: line)
    for (a, b) in zip(logits.scalars, want.scalars) { XCTAssertEqual(a, b, accuracy: accuracy, file: file, line: line) }
}
