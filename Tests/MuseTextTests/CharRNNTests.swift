import Foundation
import MuseCore
@testable import MuseText
import MuseTraining
import XCTest
import _MuseTestSupport

/// char-rnn against the same architecture in PyTorch (`scripts/make_text_model_fixtures.py`):
/// two consecutive batches with the first batch's state carried, detached, into the second give
/// the same logits, losses and gradients (1e-5 relative + 1e-6 absolute).
final class CharRNNTests: XCTestCase {
    static let fixtures = Bundle.module.url(forResource: "Fixtures", withExtension: nil)!

    func testCarriedStateLogitsLossesAndGradientsMatchPyTorch() throws {
        let f = try loadFixture("text_models", in: Self.fixtures)
        let model = try CharRNN(config: CharRNNConfig(vocabSize: 11, hiddenSize: 16, numLayers: 2), seed: 5)
        var initial: [String: Tensor] = [:]
        for (k, v) in f where k.hasPrefix("rnn.init.") { initial[String(k.dropFirst("rnn.init.".count))] = v.clone() }
        try model.loadStateDict(initial)
        var state: LSTMState?
        for k in 0..<2 {
            model.zeroGrad()
            let x = try f.tensor("rnn.x\(k)").scalars.map { Int($0) }, y = try f.tensor("rnn.y\(k)").scalars.map { Int($0) }
            let (logits, next) = try model(x, batch: 3, length: 5, state: state)
            assertClose(logits, try f.tensor("rnn.logits\(k)"), "logits of batch \(k)")
            let loss = try crossEntropy(logits: logits.reshape([15, 11]), targets: y)
            XCTAssertEqual(loss.item(), try f.tensor("rnn.loss\(k)").scalars[0], accuracy: 1e-5)
            loss.backward()
            state = CharRNN.detach(next)
        }
        for (name, p) in model.namedParameters() {
            guard let g = p.grad else { XCTFail("\(name) got no gradient"); continue }
            assertClose(g, try f.tensor("rnn.grad." + name), relativeTolerance: 1e-5, absoluteTolerance: 1e-6, "grad \(name)")
        }
    }

    func testEachBatchRowContinuesTheSameRowOfThePreviousBatch() throws {
        let tokenizer = try CharacterTokenizer(training: "abcdefghij")
        let ids = (0..<200).map { Int32($0 % 10) }
        let corpus = TokenizedCorpus(train: ids, validation: Array(ids.prefix(20)), vocabularySize: 10)
        let task = try CharRNNTrainingTask(model: CharRNN(config: CharRNNConfig(vocabSize: 10, hiddenSize: 8, numLayers: 1)),
                                           tokenizer: tokenizer, corpus: corpus, batchSize: 4, seqLength: 7)
        XCTAssertEqual(task.batchesPerEpoch, (50 - 1) / 7)
        for k in 0..<(task.batchesPerEpoch - 1) {
            let a = task.batch(k), b = task.batch(k + 1)
            for row in 0..<4 {
                XCTAssertEqual(b.inputs[row * 7], a.targets[row * 7 + 6], "batch \(k + 1) row \(row)")
                XCTAssertEqual(Array(a.inputs[(row * 7 + 1)..<(row * 7 + 7)]), Array(a.targets[(row * 7)..<(row * 7 + 6)]))
            }
        }
    }

    func testStateIsCarriedBetweenTrainingBatchesAndResetAtTheWrap() throws {
        let tokenizer = try CharacterTokenizer(training: "abcdefghij")
        let ids = (0..<120).map { Int32(($0 * 7) % 10) }
        let corpus = TokenizedCorpus(train: ids, validation: Array(ids.prefix(20)), vocabularySize: 10)
        let task = try CharRNNTrainingTask(model: CharRNN(config: CharRNNConfig(vocabSize: 10, hiddenSize: 8, numLayers: 2)),
                                           tokenizer: tokenizer, corpus: corpus, batchSize: 2, seqLength: 10)
        var rng = SplitMix64(seed: 0)
        task.willTrain(step: 0)
        XCTAssertNil(task.carried)
        let first = try task.trainingLoss(using: &rng).item()
        let carried = try XCTUnwrap(task.carried)
        XCTAssertEqual(carried.hidden.shape, [2, 2, 8])
        XCTAssertFalse(carried.hidden.requiresGrad)
        // Batch 1 starts from batch 0's state, not from zeros.
        let x1 = task.batch(1)
        let fromZeros = try crossEntropy(logits: task.model(x1.inputs, batch: 2, length: 10, state: nil).logits.reshape([20, 10]), targets: x1.targets).item()
        let second = try task.trainingLoss(using: &rng).item()
        XCTAssertNotEqual(second, fromZeros)
        for _ in 2..<task.batchesPerEpoch { _ = try task.trainingLoss(using: &rng) }
        XCTAssertEqual(task.cursor, 0)
        // After the wrap batch 0 starts from zeros again (no optimizer step ran: same weights, same loss).
        XCTAssertEqual(try task.trainingLoss(using: &rng).item(), first)
    }
}
