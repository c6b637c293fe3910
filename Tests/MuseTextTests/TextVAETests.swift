import Foundation
import MuseCore
@testable import MuseText
import MuseTraining
import XCTest
import _MuseTestSupport

/// The sentence VAE against the same architecture in PyTorch (`scripts/make_text_vae_fixtures.py`):
/// same weights, batch and ε give the same μ, log σ², logits, loss terms and gradients (1e-5
/// relative + 1e-6 absolute, float32 through two LSTMs), and the same greedy decoding; and its
/// schedule, word dropout, bundle and interpolation.
final class TextVAETests: XCTestCase {
    static let fixtures = Bundle.module.url(forResource: "Fixtures", withExtension: nil)!
    static let fixtureConfig = TextVAEConfig(tokenizerVocabSize: 8, embeddingSize: 6, hiddenSize: 7, numLayers: 2, latentSize: 3, maxLength: 6)

    func load(_ f: [String: Tensor], prefix: String) throws -> TextVAE {
        let model = try TextVAE(config: Self.fixtureConfig, seed: 9)
        var state: [String: Tensor] = [:]
        for (k, v) in f where k.hasPrefix(prefix) { state[String(k.dropFirst(prefix.count))] = v.clone() }
        try model.loadStateDict(state)
        return model
    }

    func testBatchLayoutMatchesThePeers() throws {
        let f = try loadFixture("text_vae", in: Self.fixtures)
        let batch = try TextVAEBatch(lines: [[1, 2, 3, 4], [5, 6], [7, 0, 1, 2, 3]], config: Self.fixtureConfig)
        XCTAssertEqual(batch.encoderInputs, try f.tensor("encoder_inputs").scalars.map { Int($0) })
        XCTAssertEqual(batch.targets, try f.tensor("targets").scalars.map { Int($0) })
        XCTAssertEqual(batch.lengths, try f.tensor("lengths").scalars.map { Int($0) })
        var dropped = try f.tensor("decoder_inputs").scalars.map { Int($0) }
        dropped[2] = 2  // the peer's word dropout undone: line 0's second input, line 2's fourth
        dropped[2 * 6 + 4] = 2
        XCTAssertEqual(batch.decoderInputs, dropped)
        XCTAssertEqual(batch.targetCount, 4 + 2 + 5 + 3)
    }

    func testMeansLogitsLossAndGradientsMatchPyTorch() throws {
        let f = try loadFixture("text_vae", in: Self.fixtures)
        let model = try load(f, prefix: "init.")
        var batch = try TextVAEBatch(lines: [[1, 2, 3, 4], [5, 6], [7, 0, 1, 2, 3]], config: Self.fixtureConfig)
        batch.decoderInputs = try f.tensor("decoder_inputs").scalars.map { Int($0) }
        let (mean, logVariance) = try model.encode(batch)
        assertClose(mean, try f.tensor("mean"), "μ")
        assertClose(logVariance, try f.tensor("log_variance"), "log σ²")
        let (terms, logits) = try model.loss(batch, epsilon: f.tensor("epsilon"), klWeight: try f.tensor("kl_weight").scalars[0])
        assertClose(logits, try f.tensor("logits"), "logits")
        XCTAssertEqual(terms.reconstruction.item(), try f.tensor("reconstruction").scalars[0], accuracy: 1e-5 * 12)
        XCTAssertEqual(terms.kl.item(), try f.tensor("kl").scalars[0], accuracy: 1e-6)
        XCTAssertEqual(terms.total.item(), try f.tensor("loss").scalars[0], accuracy: 1e-5 * 12)
        terms.total.backward()
        XCTAssertEqual(model.namedParameters().count, 25)
        for (name, p) in model.namedParameters() {
            guard let g = p.grad else { XCTFail("\(name) got no gradient"); continue }
            assertClose(g, try f.tensor("grad." + name), relativeTolerance: 1e-5, absoluteTolerance: 1e-6, "grad \(name)")
        }
    }

    /// Free bits: each line's KL less the free nats, floored at 0 (one of the three lines is under
    /// the threshold, so its KL gets no gradient); the reported KL stays the whole KL.
    func testFreeBitsLossAndGradientsMatchPyTorch() throws {
        let f = try loadFixture("text_vae", in: Self.fixtures)
        var config = Self.fixtureConfig
        config.freeBits = try f.tensor("free_bits").scalars[0]
        let model = try TextVAE(config: config, seed: 9)
        try model.loadStateDict(try load(f, prefix: "init.").stateDict())
        var batch = try TextVAEBatch(lines: [[1, 2, 3, 4], [5, 6], [7, 0, 1, 2, 3]], config: config)
        batch.decoderInputs = try f.tensor("decoder_inputs").scalars.map { Int($0) }
        let (mean, logVariance) = try model.encode(batch)
        assertClose(try gaussianKLDivergencePerRow(mean: mean, logVariance: logVariance), try f.tensor("free_bits.kl_per_line"), "KL per line")
        let (terms, _) = try model.loss(batch, epsilon: f.tensor("epsilon"), klWeight: try f.tensor("kl_weight").scalars[0])
        XCTAssertEqual(terms.kl.item(), try f.tensor("kl").scalars[0], accuracy: 1e-6)
        XCTAssertEqual(terms.total.item(), try f.tensor("free_bits.loss").scalars[0], accuracy: 1e-5 * 12)
        XCTAssertLessThan(terms.total.item(), try f.tensor("loss").scalars[0] - 1e-3, "free bits lower the loss")
        terms.total.backward()
        for (name, p) in model.namedParameters() {
            guard let g = p.grad else { XCTFail("\(name) got no gradient"); continue }
            assertClose(g, try f.tensor("free_bits.grad." + name), relativeTolerance: 1e-5, absoluteTolerance: 1e-6, "grad \(name)")
        }
    }

    func testConfigWithoutFreeBitsDecodesAsZeroAndNegativeFreeBitsAreRejected() throws {
        var config = Self.fixtureConfig
        config.freeBits = 12
        var json = try JSONSerialization.jsonObject(with: try JSONEncoder().encode(config)) as! [String: Any]
        XCTAssertEqual(json["free_bits"] as? Double, 12)
        json.removeValue(forKey: "free_bits")
        let old = try JSONDecoder().decode(TextVAEConfig.self, from: try JSONSerialization.data(withJSONObject: json))
        XCTAssertEqual(old.freeBits, 0)
        XCTAssertEqual(old.latentSize, config.latentSize)
        config.freeBits = -1
        XCTAssertThrowsError(try config.validate(file: "c.json")) { XCTAssertTrue("\($0)".contains("free_bits"), "\($0)") }
    }

    func testGreedyDecodingMatchesPyTorchAndStopsAtTheEndOrTheMaximumLength() throws {
        let f = try loadFixture("text_vae", in: Self.fixtures)
        let model = try load(f, prefix: "generate.weights.")
        var rng = SplitMix64(seed: 0)
        let lines = try model.generate(z: f.tensor("generate.z"), temperature: 0, using: &rng)
        let expected = try f.tensor("generate.tokens").scalars.map { Int($0) }
        XCTAssertEqual(lines.count, 2)
        for (r, line) in lines.enumerated() {
            XCTAssertEqual(line, Array(expected[(r * 6)..<((r + 1) * 6)]).filter { $0 >= 0 }, "line \(r)")
        }
        XCTAssertEqual(lines[0].count, 6, "the first line runs to max_length")
        XCTAssertLessThan(lines[1].count, 6, "the second line ends early")
    }

    func testSampledTokensAreNeverTheBeginOrMaskIDs() throws {
        let model = try TextVAE(config: Self.fixtureConfig, seed: 3)
        var rng = SplitMix64(seed: 4)
        let lines = try model.generate(z: Tensor.randn([64, 3], using: &rng), temperature: 2, using: &rng)
        XCTAssertTrue(lines.allSatisfy { $0.count <= 6 && $0.allSatisfy { $0 < 8 } })
    }

    func testSampledLinesNeverHoldALineBreak() throws {
        let tokenizer = try CharacterTokenizer(training: "ab\ncd\r\n")
        let model = TextVAEModel(model: try TextVAE(config: TextVAEConfig(tokenizerVocabSize: tokenizer.vocabularySize, hiddenSize: 8, latentSize: 2), seed: 1),
                                 tokenizer: tokenizer)
        XCTAssertEqual(model.lineBreakIDs.count, 2)
        var rng = SplitMix64(seed: 2)
        let lines = try model.sample(count: 50, temperature: 3, using: &rng)
        XCTAssertTrue(lines.contains { !$0.isEmpty })
        XCTAssertFalse(lines.contains { $0.contains("\n") || $0.contains("\r") })
    }

    func testKLAnnealingScheduleValues() {
        let linear = KLAnnealing(kind: .linear, warmupSteps: 1000)
        XCTAssertEqual(linear.weight(atStep: 0), 0)
        XCTAssertEqual(linear.weight(atStep: 250), 0.25)
        XCTAssertEqual(linear.weight(atStep: 999), 0.999, accuracy: 1e-12)
        XCTAssertEqual(linear.weight(atStep: 1000), 1)
        XCTAssertEqual(linear.weight(atStep: 5000), 1)
        let logistic = KLAnnealing(kind: .logistic, warmupSteps: 1000)
        XCTAssertEqual(logistic.weight(atStep: 0), 1 / (1 + exp(5.0)), accuracy: 1e-12)  // 0.0066929
        XCTAssertEqual(logistic.weight(atStep: 250), 0.0758582, accuracy: 1e-7)
        XCTAssertEqual(logistic.weight(atStep: 500), 0.5, accuracy: 1e-12)
        XCTAssertEqual(logistic.weight(atStep: 750), 0.9241418, accuracy: 1e-7)
        XCTAssertEqual(logistic.weight(atStep: 1000), 1)
        XCTAssertEqual(KLAnnealing(kind: .none, warmupSteps: 1000).weight(atStep: 0), 1)
        XCTAssertEqual(KLAnnealing(kind: .linear, warmupSteps: 0).weight(atStep: 0), 1)
    }

    func testWordDropoutMasksTheRequestedShareOfTokensButNeverTheBeginOrPadding() throws {
        let config = TextVAEConfig(tokenizerVocabSize: 5)
        var rng = SplitMix64(seed: 11)
        let lines: [[Int32]] = (0..<400).map { i in (0..<(1 + i % 30)).map { Int32($0 % 5) } }
        let clean = try TextVAEBatch(lines: lines, config: config)
        for rate: Float in [0, 0.25, 1] {
            var batch = clean
            let dropped = batch.dropWords(rate: rate, maskID: config.unkID, using: &rng)
            let tokens = lines.reduce(0) { $0 + $1.count }
            XCTAssertEqual(batch.decoderInputs.filter { $0 == config.unkID }.count, dropped)
            let p = Double(rate), sigma = (p * (1 - p) / Double(tokens)).squareRoot()
            XCTAssertEqual(Double(dropped) / Double(tokens), p, accuracy: 4 * sigma + 1e-12, "rate \(rate)")
            for (row, line) in lines.enumerated() {
                let base = row * (batch.length + 1)
                XCTAssertEqual(batch.decoderInputs[base], config.bosID)
                for t in (line.count + 1)..<(batch.length + 1) { XCTAssertEqual(batch.decoderInputs[base + t], config.eosID, "padding") }
            }
            XCTAssertEqual(batch.targets, clean.targets)
        }
    }

    func testLinesSkipBlankOnesAndCarriageReturns() throws {
        let lines = TextLines.lines(of: Array("first\r\n\n  \t\nsecond line\n\nthird".utf8))
        XCTAssertEqual(lines.map { String(decoding: $0, as: UTF8.self) }, ["first", "second line", "third"])
        XCTAssertEqual(TextLines.lines(of: Array("\n\n".utf8)).count, 0)
    }

    func testUnknownCharacterIsReportedAtItsOffsetInTheText() throws {
        let tokenizer = try CharacterTokenizer(training: "abc \n")
        XCTAssertThrowsError(try TextLines.encode(Array("abc\nab z".utf8), with: tokenizer, file: "t.txt")) { error in
            XCTAssertEqual(error as? TextError, .unknownCharacter(file: "t.txt", offset: 7, scalar: 0x7A))
        }
    }

    /// Trains a small VAE on four lines until it reproduces them; returns the run folder.
    func overfit(steps: Int) throws -> (URL, TextVAE, CharacterTokenizer, [String]) {
        let root = try scratchDirectory(self)
        let text = ["the cat sat", "a dog ran far", "birds sing", "rain falls down"]
        let tokenizer = try CharacterTokenizer(training: text.joined(separator: "\n"))
        let lines = try TextLines.encode(Array(text.joined(separator: "\n").utf8), with: tokenizer, file: nil)
        let config = TextVAEConfig(tokenizerVocabSize: tokenizer.vocabularySize, embeddingSize: 16, hiddenSize: 48, latentSize: 4,
                                   wordDropout: 0, klAnnealing: KLAnnealing(kind: .linear, warmupSteps: 100_000), maxLength: 20)
        let model = try TextVAE(config: config, seed: 2)
        let task = try TextVAETrainingTask(model: model, tokenizer: tokenizer, lines: lines + lines, batchSize: 4, validationFraction: 0.2)
        var options = TrainerOptions(numSteps: steps, outputDirectory: root, learningRate: 1e-2, clipNorm: 5)
        options.evalEvery = 0
        try Trainer(task: task, options: options, progress: ProgressReporter(silent: true)).run()
        return (root, model, tokenizer, text)
    }

    func testAStoppedRunResumesExactlyWithWordDropoutAndTheAnnealedKLWeight() throws {
        let root = try scratchDirectory(self)
        let text = "the cat sat\na dog ran far\nbirds sing\nrain falls down\nto be or not\n"
        let tokenizer = try CharacterTokenizer(training: text)
        let lines = try TextLines.encode(Array(text.utf8), with: tokenizer, file: nil)
        let config = TextVAEConfig(tokenizerVocabSize: tokenizer.vocabularySize, embeddingSize: 8, hiddenSize: 12, latentSize: 3, wordDropout: 0.3,
                                   klAnnealing: KLAnnealing(kind: .linear, warmupSteps: 4), maxLength: 20)
        func run(_ name: String, steps: Int, stopAfter: Int? = nil) throws -> TextVAE {
            let model = try TextVAE(config: config, seed: 4)
            let task = try TextVAETrainingTask(model: model, tokenizer: tokenizer, lines: lines, batchSize: 3, validationFraction: 0.2)
            var options = TrainerOptions(numSteps: steps, outputDirectory: root.appendingPathComponent(name), learningRate: 1e-2)
            (options.evalEvery, options.checkpointEvery) = (0, 100)
            let trainer = try Trainer(task: task, options: options, progress: ProgressReporter(silent: true))
            if let stopAfter { trainer.afterStep = { if $0 == stopAfter { trainer.interrupt.requestStop() } } }
            _ = try trainer.run()
            return model
        }
        let whole = try run("whole", steps: 6)
        _ = try run("parts", steps: 6, stopAfter: 2)
        let resumed = try run("parts", steps: 6)
        let a = whole.stateDict(), b = resumed.stateDict()
        for (name, t) in a { XCTAssertEqual(t.scalars, b[name]?.scalars, name) }
    }

    func testInterpolationEndpointsDecodeToTheInputsAfterATinyOverfitRun() throws {
        let (root, _, _, text) = try overfit(steps: 300)
        let loaded = try TextVAE.load(bundle: ModelBundle.open(root))
        XCTAssertEqual(try loaded.reconstruct(text), text)
        var rng = SplitMix64(seed: 0)
        let path = try loaded.interpolate(from: text[0], to: text[3], steps: 5, using: &rng)
        XCTAssertEqual(path.count, 5)
        XCTAssertEqual(path.first, text[0])
        XCTAssertEqual(path.last, text[3])
    }

    func testBundleHoldsConfigVocabularyAndWeightsThatLoadBack() throws {
        let (root, model, tokenizer, text) = try overfit(steps: 2)
        let loaded = try TextVAE.load(bundle: ModelBundle.open(root))
        XCTAssertEqual(loaded.model.config, model.config)
        XCTAssertEqual(try loaded.tokenizer.encode(text[1]), try tokenizer.encode(text[1]))
        let ids = try text.map { try tokenizer.encode($0) }
        assertClose(try loaded.model.means(of: ids), try model.means(of: ids), relativeTolerance: 0, absoluteTolerance: 0, "μ after loading")
    }

    func testEvaluationCountsTokensCharactersAndTheELBO() throws {
        let tokenizer = try CharacterTokenizer(training: "abcdé \n")
        let model = TextVAEModel(model: try TextVAE(config: TextVAEConfig(tokenizerVocabSize: tokenizer.vocabularySize, hiddenSize: 16, latentSize: 4), seed: 1),
                                 tokenizer: tokenizer)
        let report = try TextVAEEvaluation.evaluate(model, text: Array("abcé\n\nab d\n".utf8), file: nil)
        XCTAssertEqual(report.lines, 2)
        XCTAssertEqual(report.tokens, 4 + 4 + 2)
        XCTAssertEqual(report.characters, 10)
        XCTAssertEqual(report.elboNatsPerLine, -(report.reconstructionNatsPerLine + report.klNatsPerLine), accuracy: 1e-9)
        XCTAssertEqual(report.reconstructionNatsPerToken * 10, report.reconstructionNatsPerLine * 2, accuracy: 1e-6)
        // Unigram: a ×2, b ×2, c, é, space, d, end ×2 over 10 targets.
        let p = [2.0, 2, 1, 1, 1, 1, 2].map { $0 / 10 }
        XCTAssertEqual(report.unigramNatsPerToken, -p.reduce(0) { $0 + $1 * log($1) }, accuracy: 1e-12)
        XCTAssertThrowsError(try TextVAEEvaluation.evaluate(model, text: Array("\n \n".utf8), file: "blank.txt"))
    }
}
