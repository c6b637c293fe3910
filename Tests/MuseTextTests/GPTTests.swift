import Foundation
import MuseCore
@testable import MuseText
import MuseTraining
import XCTest
import _MuseTestSupport

/// GPT against nanoGPT's model.py in PyTorch (`scripts/make_text_model_fixtures.py`): same weights
/// give the same logits, loss and gradients (1e-5 relative + 1e-6 absolute), nanoGPT's optimizer
/// groups, schedule and clipping land on the same weights (1e-5), and greedy decoding with the key/value
/// cache picks the same tokens across the block boundary.
final class GPTTests: XCTestCase {
    static let fixtures = Bundle.module.url(forResource: "Fixtures", withExtension: nil)!
    static let config = GPTConfig(vocabSize: 11, blockSize: 8, nLayer: 2, nHead: 2, nEmbd: 16, dropout: 0, bias: true)

    func fixture() throws -> [String: Tensor] { try loadFixture("text_models", in: Self.fixtures) }

    /// The entries under `prefix.` with the prefix removed (cloned, so they can be trained).
    func entries(_ f: [String: Tensor], _ prefix: String) -> [String: Tensor] {
        var out: [String: Tensor] = [:]
        for (k, v) in f where k.hasPrefix(prefix + ".") { out[String(k.dropFirst(prefix.count + 1))] = v.clone() }
        return out
    }

    func ids(_ t: Tensor) -> [Int] { t.scalars.map { Int($0) } }

    func model(_ f: [String: Tensor], _ prefix: String) throws -> GPT {
        let gpt = try GPT(config: Self.config, seed: 3)
        try gpt.loadStateDict(entries(f, prefix))
        return gpt
    }

    func testLogitsLossAndGradientsMatchNanoGPT() throws {
        let f = try fixture()
        let gpt = try model(f, "gpt.init")
        let (loss, logits) = try gpt.loss(ids(f.tensor("gpt.idx")), targets: ids(f.tensor("gpt.targets")), batch: 3, length: 8)
        assertClose(logits, try f.tensor("gpt.logits"), "logits")
        XCTAssertEqual(loss.item(), try f.tensor("gpt.loss").scalars[0], accuracy: 1e-5)
        loss.backward()
        for (name, p) in gpt.namedParameters() {
            guard let g = p.grad else { XCTFail("\(name) got no gradient"); continue }
            assertClose(g, try f.tensor("gpt.grad." + name), relativeTolerance: 1e-5, absoluteTolerance: 1e-6, "grad \(name)")
        }
    }

    func testTiedEmbeddingIsOneParameterUnderTwoNames() throws {
        let gpt = try GPT(config: Self.config)
        let names = gpt.namedParameters().map(\.name)
        XCTAssertTrue(names.contains("transformer.wte.weight"))
        XCTAssertFalse(names.contains("lm_head.weight"))
        let state = gpt.stateDict()
        XCTAssertTrue(state["lm_head.weight"] === state["transformer.wte.weight"])
        XCTAssertEqual(Set(state.keys), Set(try entries(fixture(), "gpt.init").keys))
    }

    func testInitialisationIsNanoGPTs() throws {
        let config = GPTConfig(vocabSize: 64, blockSize: 32, nLayer: 4, nHead: 4, nEmbd: 128, bias: true)
        let gpt = try GPT(config: config, seed: 1)
        func std(_ t: Tensor) -> Double {
            let v = t.scalars.map(Double.init), m = v.reduce(0, +) / Double(v.count)
            return (v.map { ($0 - m) * ($0 - m) }.reduce(0, +) / Double(v.count)).squareRoot()
        }
        for (name, p) in gpt.namedParameters() {
            if name.contains("ln_") {
                XCTAssertEqual(Set(p.scalars), name.hasSuffix("weight") ? [1] : [0], name)
            } else if name.hasSuffix(".bias") {
                XCTAssertEqual(Set(p.scalars), [0], name)
            } else {
                let expected = name.hasSuffix("c_proj.weight") ? 0.02 / (8.0).squareRoot() : 0.02
                XCTAssertEqual(std(p), expected, accuracy: expected * 0.1, name)
            }
        }
    }

    func testTrainingStepsWithNanoGPTsOptimizerGroupsScheduleAndClippingMatchPyTorch() throws {
        let f = try fixture()
        var config = Self.config
        config.bias = false
        let gpt = try GPT(config: config, seed: 3)
        try gpt.loadStateDict(entries(f, "gpt.train.init"))
        let tokenizer = try CharacterTokenizer(training: "abcdefghijk")
        let corpus = TokenizedCorpus(train: Array(repeating: 0, count: 20), validation: Array(repeating: 0, count: 20), vocabularySize: 11)
        let task = try GPTTrainingTask(model: gpt, tokenizer: tokenizer, corpus: corpus, batchSize: 2, evalIters: 1)
        var options = TrainerOptions(numSteps: 3, outputDirectory: FileManager.default.temporaryDirectory, learningRate: 1e-2, clipNorm: 1)
        options.betas = (0.9, 0.99)
        options.schedule = .warmupCosine(warmupSteps: 2, decaySteps: 5, minimum: 1e-3)
        let optimizer = try XCTUnwrap(task.makeOptimizers(options: options).first?.optimizer as? Adam)
        let expectedLosses = try f.tensor("gpt.train.losses").scalars
        for it in 0..<3 {
            optimizer.learningRate = options.learningRate(atStep: it)
            gpt.zeroGrad()
            let loss = try gpt.loss(ids(f.tensor("gpt.train.x\(it)")), targets: ids(f.tensor("gpt.train.y\(it)")), batch: 2, length: 8).loss
            XCTAssertEqual(loss.item(), expectedLosses[it], accuracy: 1e-5, "loss at step \(it)")
            loss.backward()
            _ = clipGradientNorm(gpt.parameters(), maxNorm: 1)
            optimizer.step()
        }
        let state = gpt.stateDict()
        for (name, t) in entries(f, "gpt.train.final") {
            // 1e-5 absolute: Adam divides each gradient by its own RMS, so an element whose gradient is
            // near float32 rounding (key-projection entries, nearly shift-invariant under softmax) moves
            // by lr × its relative rounding error (seen: 1.5e-6).
            assertClose(try XCTUnwrap(state[name], name), t, relativeTolerance: 1e-5, absoluteTolerance: 1e-5, "after 3 steps: \(name)")
        }
    }

    func testGreedyGenerationWithTheCacheMatchesNanoGPTAcrossTheBlockBoundary() throws {
        let f = try fixture()
        let gpt = try model(f, "gpt.generate.weights")
        var rng = SplitMix64(seed: 0)
        let tokens = try gpt.generate(prompt: ids(f.tensor("gpt.generate.prompt")), samples: 2, maxNewTokens: 12, temperature: 1, topK: 1, using: &rng)
        XCTAssertEqual(tokens, Array(repeating: ids(try f.tensor("gpt.generate.tokens")), count: 2))
    }

    func testCachedLogitsEqualTheFullForwardPass() throws {
        let gpt = try model(fixture(), "gpt.generate.weights")
        gpt.eval()
        let sequence = [1, 4, 2, 8, 5, 7, 3, 9]
        let full = try gpt(sequence, batch: 1, length: 8)
        var caches = [GPTLayerCache?](repeating: nil, count: 2)
        var steps = [try gpt.forwardCached(Array(sequence[0..<3]), batch: 1, length: 3, start: 0, caches: &caches)]
        for p in 3..<8 { steps.append(try gpt.forwardCached([sequence[p]], batch: 1, length: 1, start: p, caches: &caches)) }
        for (i, logits) in steps.enumerated() {
            let position = i + 2
            assertClose(logits, try full.narrow(axis: 1, start: position, length: 1).reshape([1, 11]), "position \(position)")
        }
    }

    func testTopKDrawsOnlyTheKMostLikelyTokens() {
        let logits: [Float] = [0.1, 2.0, -1.0, 1.9, 0.5]
        var rng = SplitMix64(seed: 9)
        var seen = Set<Int>()
        logits.withUnsafeBufferPointer { p in
            for _ in 0..<500 { seen.insert(TokenSampling.pick(p, temperature: 2, topK: 2, using: &rng)) }
        }
        XCTAssertEqual(seen, [1, 3])
        logits.withUnsafeBufferPointer { p in
            XCTAssertEqual(TokenSampling.pick(p, temperature: 0, topK: nil, using: &rng), 1)
        }
    }

    func testTrainedBundleHoldsTheVocabularyAndLoadsBack() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("muse-gpt-\(UUID())")
        defer { try? FileManager.default.removeItem(at: root) }
        let text = String(repeating: "to be or not to be, that is the question. ", count: 20)
        let tokenizer = try CharacterTokenizer(training: text)
        let corpus = try TextCorpus(text: text).encode(with: tokenizer)
        let config = GPTConfig(vocabSize: tokenizer.vocabularySize, blockSize: 16, nLayer: 1, nHead: 2, nEmbd: 16)
        let gpt = try GPT(config: config, seed: 1)
        let task = try GPTTrainingTask(model: gpt, tokenizer: tokenizer, corpus: corpus, batchSize: 4, evalIters: 2)
        var options = TrainerOptions(numSteps: 3, outputDirectory: root, learningRate: 1e-3, clipNorm: 1)
        options.evalEvery = 0
        try Trainer(task: task, options: options, progress: ProgressReporter(silent: true)).run()
        let loaded = try GPT.load(bundle: ModelBundle.open(root))
        XCTAssertEqual(loaded.tokenizer.vocabularySize, tokenizer.vocabularySize)
        XCTAssertEqual(try loaded.tokenizer.encode("to be"), try tokenizer.encode("to be"))
        gpt.eval()
        assertClose(try loaded.model([1, 2, 3], batch: 1, length: 3), try gpt([1, 2, 3], batch: 1, length: 3), "logits after loading")
    }
}
