import Foundation
import MuseCore
import MuseEncoding
import MuseTraining
import XCTest
import _MuseTestSupport
@testable import MuseModels

/// A tiny performance encoding (pitches 60...67, shifts up to 10 steps, 4 velocity bins: 30
/// classes, 32 tokens) and a tiny model over it.
func tinyTransformerConfig(positions: MusicTransformerConfig.Positions = .relative, tied: Bool = true) -> MusicTransformerConfig {
    var c = MusicTransformerConfig()
    c.pipeline.minPitch = 60
    c.pipeline.maxPitch = 67
    c.pipeline.maxShiftSteps = 10
    c.pipeline.numVelocityBins = 4
    c.positions = positions
    c.tiedEmbeddings = tied
    c.numLayers = 2
    c.numHeads = 2
    c.dModel = 16
    c.dFF = 24
    c.dropout = 0
    c.maxSeqLen = 12
    c.batchSize = 3
    return c
}

/// The model against the same model in PyTorch (scripts/make_music_transformer_fixtures.py):
/// same weights → same logits, loss and gradients.
final class MusicTransformerTorchParityTests: XCTestCase {
    let fixtures = Bundle.module.url(forResource: "Fixtures", withExtension: nil)!

    func check(_ name: String) throws {
        let all = try loadFixture("music_transformer", in: fixtures)
        var fixture: [String: Tensor] = [:]
        for (k, v) in all where k.hasPrefix(name + ".") { fixture[String(k.dropFirst(name.count + 1))] = v }
        let cfg = try fixture.tensor("config").scalars.map { Int($0) }
        var config = tinyTransformerConfig(positions: cfg[5] == 1 ? .relative : .absolute, tied: cfg[6] == 1)
        XCTAssertEqual(try config.vocabularySize, cfg[0])
        (config.dModel, config.numHeads, config.dFF, config.numLayers, config.maxRelativePosition) = (cfg[1], cfg[2], cfg[3], cfg[4], cfg[7])
        let model = try MusicTransformer(config: config, seed: 5)
        var params: [String: Tensor] = [:]
        for (k, v) in fixture where k.hasPrefix("param.") { params[String(k.dropFirst(6))] = v }
        try model.loadStateDict(params)
        let inputs = try fixture.tensor("inputs"), targets = try fixture.tensor("targets").scalars.map { Int($0) }
        let batch = inputs.shape[0]
        let logits = try model(inputs.scalars.map { Int($0) }, batch: batch)
        assertClose(logits, try fixture.tensor("logits"), relativeTolerance: 1e-5, absoluteTolerance: 1e-5, "\(name) logits")
        let loss = try crossEntropy(logits: logits.reshape([-1, model.vocabularySize]), targets: targets, ignoreIndex: -100)
        XCTAssertEqual(loss.item(), try fixture.tensor("loss").item(), accuracy: 1e-5, "\(name) loss")
        loss.backward()
        for (pname, p) in model.namedParameters() {
            guard let g = p.grad else { XCTFail("\(name): \(pname) got no gradient"); continue }
            assertClose(g, try fixture.tensor("grad." + pname), relativeTolerance: 1e-5, absoluteTolerance: 1e-5, "\(name) grad \(pname)")
        }
    }

    func testRelativeTiedModelMatchesTorch() throws { try check("relative_tied") }
    func testRelativeModelWithTableShorterThanSequenceMatchesTorch() throws { try check("relative_short_table_untied") }
    func testAbsoluteModelMatchesTorch() throws { try check("absolute_tied") }
}

final class MusicTransformerTests: XCTestCase {
    /// A model with random (non-default) norms and biases, in evaluation mode.
    func randomModel(_ config: MusicTransformerConfig, seed: UInt64 = 3) throws -> MusicTransformer {
        let model = try MusicTransformer(config: config, seed: seed)
        var rng = SplitMix64(seed: seed &+ 100)
        for (_, p) in model.namedParameters() {
            p.withUnsafeMutableBufferPointer { b in for i in b.indices { b[i] += Float.random(in: -0.2...0.2, using: &rng) } }
        }
        model.setTraining(false)
        return model
    }

    /// Cached decoding gives, at every step, the logits of a full forward pass over the whole
    /// prefix — for relative positions (including distances beyond the table) and absolute ones.
    func testCachedStepsEqualFullRecomputation() throws {
        for (positions, rows) in [(MusicTransformerConfig.Positions.relative, 0), (.relative, 5), (.absolute, 0)] {
            var config = tinyTransformerConfig(positions: positions)
            config.maxRelativePosition = rows
            let model = try randomModel(config)
            var rng = SplitMix64(seed: 9)
            let tokens = [0] + (0..<15).map { _ in 2 + Int(rng.next() % 30) }
            let other = [0] + (0..<15).map { _ in 2 + Int(rng.next() % 30) }
            var cache = MusicTransformerCache(model: model, batch: 2, expectedLength: 3)  // grows twice mid-sequence
            for t in 0..<tokens.count {
                let cached = try cache.step(model, tokens: [tokens[t], other[t]])
                for (row, seq) in [tokens, other].enumerated() {
                    let full = try noGrad { try model(Array(seq[0...t]), batch: 1) }.scalars
                    let v = model.vocabularySize
                    let last = Array(full[(t * v)..<((t + 1) * v)])
                    for c in 0..<v {
                        XCTAssertEqual(cached[row * v + c], last[c], accuracy: 2e-5, "\(positions) M\(rows) step \(t) row \(row) class \(c)")
                    }
                }
            }
        }
    }

    func testSamplingIsDeterministicUnderSeedAndHonoursTopK() throws {
        let model = try randomModel(tinyTransformerConfig())
        var options = MusicTransformerSamplingOptions()
        options.maxEvents = 20
        options.seed = 42
        let sampler = MusicTransformerSampler(model: model)
        let a = try sampler.generate(count: 2, primer: [3, 20], options: options)
        let b = try sampler.generate(count: 2, primer: [3, 20], options: options)
        XCTAssertEqual(a, b)
        XCTAssertTrue(a.allSatisfy { Array($0.prefix(2)) == [3, 20] && $0.count <= 22 })
        options.seed = 43
        XCTAssertNotEqual(try sampler.generate(count: 2, primer: [3, 20], options: options), a)
        // top-k 1 is greedy: every draw is the argmax, whatever the seed.
        options.topK = 1
        let greedy = try sampler.generate(count: 1, primer: [], options: options)
        options.seed = 7
        XCTAssertEqual(try sampler.generate(count: 1, primer: [], options: options), greedy)
    }

    func testTopPKeepsOnlyTheNucleus() {
        var options = MusicTransformerSamplingOptions()
        options.topP = 0.5
        // Probabilities ∝ e^3, e^2, e^0, e^0: the first alone holds 0.68 of the mass.
        var rng = SplitMix64(seed: 1)
        for _ in 0..<50 { XCTAssertEqual(MusicTransformerSampler.sample([0, 3, 2, 0], options: options, using: &rng), 1) }
        options.topP = 1
        var seen = Set<Int>()
        for _ in 0..<400 { seen.insert(MusicTransformerSampler.sample([0, 3, 2, 0], options: options, using: &rng)) }
        XCTAssertEqual(seen, [0, 1, 2, 3])
    }

    func testAugmentationTransposesAndRespellsStretchedTimeShifts() throws {
        let enc = try tinyTransformerConfig().pipeline.encoding()
        func e(_ k: PerformanceEvent.Kind, _ v: Int) throws -> Int { try enc.encode(PerformanceEvent(k, v)) }
        let events = [try e(.velocity, 2), try e(.noteOn, 60), try e(.timeShift, 10), try e(.timeShift, 10),
                      try e(.noteOff, 60), try e(.noteOn, 67), try e(.timeShift, 4), try e(.noteOff, 67)]
        let aug = PerformanceAugmentation(encoding: enc)
        XCTAssertEqual(try aug.apply(events, semitones: 0, factor: 1), events)
        // +2: 67 leaves the range and its on/off are dropped; ×1.05: 20 steps → 21, 24 → 25.2 → 25.
        let out = try enc.decode(aug.apply(events, semitones: 2, factor: 1.05))
        XCTAssertEqual(out.map(\.description), ["VELOCITY 2", "NOTE_ON 62", "TIME_SHIFT 10", "TIME_SHIFT 10", "TIME_SHIFT 1",
                                                "NOTE_OFF 62", "TIME_SHIFT 4"])
        let shrunk = try enc.decode(aug.apply(events, semitones: -1, factor: 0.95))
        // −1: 60 leaves the range; ×0.95: the note-on at step 20 lands on 19, the note-off at 24 on 23.
        XCTAssertEqual(shrunk.map(\.description), ["VELOCITY 2", "TIME_SHIFT 10", "TIME_SHIFT 9", "NOTE_ON 66", "TIME_SHIFT 4", "NOTE_OFF 66"])
    }

    /// Trains the tiny model on a repeating scale for `steps` in `folder` (resuming if it holds a checkpoint).
    func train(config: MusicTransformerConfig, steps: Int, folder: URL, evalEvery: Int) throws -> MusicTransformer {
        let model = try MusicTransformer(config: config, seed: 1)
        let task = try MusicTransformerTrainingTask(model: model, train: [scale(config), scale(config).reversed()], eval: [scale(config)])
        var options = TrainerOptions(numSteps: steps, outputDirectory: folder, learningRate: config.learningRate, seed: 4)
        options.checkpointEvery = 10
        options.evalEvery = evalEvery
        _ = try Trainer(task: task, options: options, progress: ProgressReporter(silent: true)).run()
        return model
    }

    /// A repeating scale with steady timing: learnable in a few dozen steps.
    func scale(_ config: MusicTransformerConfig) -> [Int] {
        guard let enc = try? config.pipeline.encoding() else { return [] }
        var piece: [Int] = []
        for k in 0..<40 {
            let p = 60 + k % 8
            piece += [(try? enc.encode(PerformanceEvent(.noteOn, p))) ?? 0, (try? enc.encode(PerformanceEvent(.timeShift, 5))) ?? 0,
                      (try? enc.encode(PerformanceEvent(.noteOff, p))) ?? 0]
        }
        return piece
    }

    func testTrainingLowersTheHeldOutLoss() throws {
        var config = tinyTransformerConfig()
        config.dropout = 0.1
        config.learningRate = 3e-3
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("muse-mt-\(UUID())")
        defer { try? FileManager.default.removeItem(at: dir) }
        let trained = try train(config: config, steps: 40, folder: dir, evalEvery: 0)
        let before = try MusicTransformer(config: config, seed: 1).score([scale(config)])[0].perEvent
        let after = try trained.score([scale(config)])[0].perEvent
        XCTAssertLessThan(after, before - 0.5, "held-out NLL \(before) → \(after)")
    }

    /// A run stopped at step 20 and resumed by a new model and trainer ends with the weights of an
    /// uninterrupted run (both evaluate at step 20).
    func resumeMatches(dropout: Float) throws {
        var config = tinyTransformerConfig()
        config.dropout = dropout
        config.learningRate = 3e-3
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("muse-mt-\(UUID())")
        defer { try? FileManager.default.removeItem(at: dir) }
        let straight = try train(config: config, steps: 40, folder: dir.appendingPathComponent("a"), evalEvery: 20)
        _ = try train(config: config, steps: 20, folder: dir.appendingPathComponent("b"), evalEvery: 20)
        let resumed = try train(config: config, steps: 40, folder: dir.appendingPathComponent("b"), evalEvery: 20)
        XCTAssertEqual(straight.randomStates, resumed.randomStates)
        for (name, t) in straight.stateDict() { XCTAssertEqual(resumed.stateDict()[name]?.scalars, t.scalars, "dropout \(dropout): " + name) }
    }

    /// Evaluating mid-run reads the model and nothing else: the weights after 40 steps are the same
    /// bits with and without an evaluation at step 20 (the embedding dropout once stayed in
    /// training mode during evaluation and drew from its generator).
    func testEvaluationDoesNotChangeTraining() throws {
        var config = tinyTransformerConfig()
        config.dropout = 0.1
        config.learningRate = 3e-3
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("muse-mt-\(UUID())")
        defer { try? FileManager.default.removeItem(at: dir) }
        let plain = try train(config: config, steps: 40, folder: dir.appendingPathComponent("a"), evalEvery: 0)
        let evaluated = try train(config: config, steps: 40, folder: dir.appendingPathComponent("b"), evalEvery: 20)
        for (name, t) in plain.stateDict() { XCTAssertEqual(evaluated.stateDict()[name]?.scalars, t.scalars, name) }
    }

    func testResumeIsExactWithoutDropout() throws { try resumeMatches(dropout: 0) }
    func testResumeIsExactWithDropout() throws { try resumeMatches(dropout: 0.1) }

    func testBundleRoundTripsAndRejectsABadConfig() throws {
        let model = try randomModel(tinyTransformerConfig(tied: false))
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("muse-mt-bundle-\(UUID())")
        defer { try? FileManager.default.removeItem(at: dir) }
        try model.save(bundle: dir)
        let loaded = try MusicTransformer.load(bundle: dir)
        XCTAssertEqual(loaded.config, model.config)
        for (name, t) in model.stateDict() { XCTAssertEqual(loaded.stateDict()[name]?.scalars, t.scalars, name) }
        var bad = tinyTransformerConfig()
        bad.numHeads = 3
        XCTAssertThrowsError(try bad.validate()) { error in
            XCTAssertEqual(error as? ModelError, .badField(file: "config.json", field: "numHeads", reason: "3 does not divide dModel 16"))
        }
    }

    func testScoringCountsEveryEventAndTheEndToken() throws {
        let model = try randomModel(tinyTransformerConfig())
        let pieces = [Array(0..<30), [5, 6]]     // 31 tokens (3 windows of 12), 3 tokens
        let scores = try model.score(pieces)
        XCTAssertEqual(scores.map(\.tokens), [31, 3])
        XCTAssertTrue(scores.allSatisfy { $0.perEvent > 0 && $0.perEvent.isFinite })
    }
}
