import Foundation
import MuseCore
import MuseEncoding
import MuseTraining
import XCTest
@testable import MuseModels

/// Proof that the melody RNN learns: after a few hundred steps on a slice of O'Neill's tunes its
/// held-out loss is below that of a bigram (first-order Markov, add-one smoothed) model fitted
/// on the same training melodies. A model that only learned "what follows what" would fail.
final class MelodyRNNLearningTests: XCTestCase {
    /// `corpora/oneills` of this package (built by `make test` / scripts/build_corpora.sh).
    static let corpus = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("corpora/oneills")

    func testHeldOutLossBeatsABigramModel() throws {
        let files = ((try? FileManager.default.contentsOfDirectory(atPath: Self.corpus.path)) ?? []).filter { $0.hasSuffix(".mid") }.sorted()
        guard files.count >= 300 else { throw XCTSkip("corpora/oneills is not built (run scripts/build_corpora.sh oneills)") }
        // A fixed slice: the first 300 files, copied so the dataset sees only them.
        let slice = FileManager.default.temporaryDirectory.appendingPathComponent("muse-oneills-slice-\(UUID())")
        defer { try? FileManager.default.removeItem(at: slice) }
        try FileManager.default.createDirectory(at: slice, withIntermediateDirectories: true)
        for f in files.prefix(300) {
            try FileManager.default.copyItem(at: Self.corpus.appendingPathComponent(f), to: slice.appendingPathComponent(f))
        }
        var config = MelodyRNNConfig()
        config.hiddenSize = 64
        config.numLayers = 1
        config.batchSize = 32
        config.sequenceLength = 64
        config.dropout = 0.1
        let dataset = try MelodyDataset.build(directory: slice.path, pipeline: config.pipeline, evalRatio: 0.2, seed: 5)
        XCTAssertGreaterThan(dataset.eval.count, 10)
        let model = try MelodyRNN(config: config, seed: 5)
        let task = try MelodyTrainingTask(model: model, dataset: dataset)
        var options = TrainerOptions(numSteps: 400, outputDirectory: slice.appendingPathComponent("run"), learningRate: 3e-3, seed: 5)
        options.evalEvery = 0
        options.checkpointEvery = 0
        let trainer = try Trainer(task: task, options: options, progress: ProgressReporter(silent: true))
        try trainer.run()
        let rnn = try XCTUnwrap(trainer.state.evaluations.last).metrics
        let bigram = EvaluationMetrics(scores: try BigramMelodyModel(encoder: model.encoder, melodies: task.train).score(task.eval))
        let (loss, accuracy, steps) = (try XCTUnwrap(rnn["loss"]), try XCTUnwrap(rnn["accuracy"]), try XCTUnwrap(rnn["steps"]))
        print("held-out loss: melody RNN \(loss) nats/step (accuracy \(accuracy)), bigram \(bigram.loss) (accuracy \(bigram.accuracy)), \(Int(steps)) steps")
        XCTAssertEqual(Int(steps), bigram.steps)
        XCTAssertLessThan(loss, bigram.loss)
    }

    /// The bigram baseline is a real model: on the same held-out data it beats the uniform guess by a wide margin.
    func testBigramBaselineBeatsUniform() throws {
        let encoder = try MelodyRNNConfig().makeEncoder()
        let melodies = TrainerTests.toyMelodies(count: 50, seed: 4)
        let bigram = EvaluationMetrics(scores: try BigramMelodyModel(encoder: encoder, melodies: melodies).score(TrainerTests.toyMelodies(count: 10, seed: 6)))
        XCTAssertLessThan(bigram.loss, Foundation.log(Double(encoder.classCount)) - 1)
    }
}
