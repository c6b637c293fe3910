import Foundation
import MuseCore
import MuseEncoding
import MuseTraining

/// The melody RNN as a `TrainingTask`: batches are `batchSize` random windows of
/// `sequenceLength` predictions from random training melodies (shorter melodies padded, padding
/// ignored by the loss); evaluation scores every held-out melody whole.
public final class MelodyTrainingTask: LossTrainingTask {
    /// The model.
    public let model: MelodyRNN
    /// Training melodies (events).
    public let train: [[Int]]
    /// Held-out melodies.
    public let eval: [[Int]]
    public var module: any Module { model }
    public var bundleKind: String { MelodyRNN.bundleKind.name }

    /// - Throws: `ModelError.emptyData` if there is nothing to train on.
    public init(model: MelodyRNN, train: [[Int]], eval: [[Int]]) throws {
        let usable = train.filter { $0.count >= 2 }
        guard !usable.isEmpty else { throw ModelError.emptyData("no training melody of 2 or more steps") }
        self.model = model
        self.train = usable
        self.eval = eval.filter { $0.count >= 2 }
    }

    /// Builds the task from a dataset (squashed melodies of `MelodyDataset`).
    public convenience init(model: MelodyRNN, dataset: MelodyDataset) throws {
        try self.init(model: model, train: dataset.train.map { $0.map(Int.init) }, eval: dataset.eval.map { $0.map(Int.init) })
    }

    public func configJSON() throws -> Data { try ModelBundle.encode(model.config) }

    public func setTraining(_ on: Bool) { model.setTraining(on) }

    public var randomStates: [String: UInt64] {
        get { model.randomStates }
        set { model.randomStates = newValue }
    }

    /// Draws a batch: melody index, then window start, per row; keeps `shard`'s rows and returns
    /// their predicted steps and those of the whole batch (for the loss weight).
    public func nextBatch(using generator: inout SplitMix64, shard: TrainingShard) throws -> (inputs: Tensor, labels: [Int], steps: Int, globalSteps: Int) {
        let L = model.config.sequenceLength
        var windows: [(events: [Int], start: Int, length: Int)] = []
        for _ in 0..<model.config.batchSize {
            let m = train[Int(generator.next() % UInt64(train.count))]
            let predictions = m.count - 1
            if predictions > L {
                windows.append((m, Int(generator.next() % UInt64(predictions - L + 1)), L))
            } else {
                windows.append((m, 0, predictions))
            }
        }
        let mine = Array(windows[try shard.rows(ofBatch: windows.count)])
        let (inputs, labels) = try model.encodeWindows(mine, steps: L, ignoreIndex: -100)
        return (inputs, labels, mine.reduce(0) { $0 + $1.length }, windows.reduce(0) { $0 + $1.length })
    }

    /// Draws a batch: melody index, then window start, per row.
    public func nextBatch(using generator: inout SplitMix64) throws -> (inputs: Tensor, labels: [Int]) {
        let batch = try nextBatch(using: &generator, shard: .whole)
        return (batch.inputs, batch.labels)
    }

    public func trainingLoss(using generator: inout SplitMix64) throws -> Tensor {
        try trainingLoss(using: &generator, shard: .whole)
    }

    /// Mean cross-entropy over `shard`'s predicted steps, weighted by their share of the batch's.
    public func trainingLoss(using generator: inout SplitMix64, shard: TrainingShard) throws -> Tensor {
        let (inputs, labels, steps, globalSteps) = try nextBatch(using: &generator, shard: shard)
        let logits = try model(inputs).logits
        let loss = try crossEntropy(logits: logits.reshape([-1, model.encoder.classCount]), targets: labels, ignoreIndex: -100)
        return shard.weighted(loss, local: steps, global: globalSteps)
    }

    public func evaluate() throws -> Metrics {
        try EvaluationMetrics(scores: model.score(eval)).metrics
    }

    public func evaluationSummary(_ metrics: Metrics) -> String {
        String(format: "eval loss %.4f nats/step (perplexity %.2f), accuracy %.3f over %d steps",
               metrics["loss"] ?? .nan, metrics["perplexity"] ?? .nan, metrics["accuracy"] ?? .nan, Int(metrics["steps"] ?? 0))
    }
}
