import Foundation
import MuseCore
import MuseTraining

/// MusicVAE as a `TrainingTask` for the shared `Trainer`, with Magenta's recipe: each step draws
/// `batchSize` distinct training windows, ε and the scheduled-sampling coin flips from
/// the trainer's data generator; β = (1 − rate^s)·maxBeta, the sampling probability and the
/// learning rate (lr − min)·decay^s + min all follow the trainer's step s (so a resumed run
/// continues the same schedule). Evaluation scores held-out windows teacher-forced with z = μ.
public final class MusicVAETrainingTask: LossTrainingTask {
    /// The model.
    public let model: MusicVAE
    /// Training windows (class indices, `sequenceLength` each).
    public let train: [[Int]]
    /// Held-out windows (the training windows are evaluated when there are none).
    public let eval: [[Int]]
    /// Steps completed before the current one (set by the trainer).
    public private(set) var step = 0
    /// Loss terms of the last training batch.
    public private(set) var lastLoss: MusicVAE.Loss?
    public var module: any Module { model }
    public var bundleKind: String { MusicVAEConfig.bundleKind }

    /// - Parameter evalLimit: at most this many held-out windows are scored per evaluation.
    /// - Throws: `MusicVAEError.emptyCorpus` without training windows, `.badWindow` for a bad one.
    public init(model: MusicVAE, train: [[Int]], eval: [[Int]], evalLimit: Int = 2000) throws {
        guard !train.isEmpty else { throw MusicVAEError.emptyCorpus(directory: "corpus", reason: "no training windows") }
        _ = try model.oneHot(train)
        let held = Array(eval.prefix(max(0, evalLimit)))
        if !held.isEmpty { _ = try model.oneHot(held) }
        self.model = model
        self.train = train
        self.eval = held
    }

    /// Builds the task from a dataset's training and held-out windows.
    public convenience init(model: MusicVAE, dataset: MusicVAEDataset, evalLimit: Int = 2000) throws {
        try self.init(model: model, train: dataset.train, eval: dataset.eval, evalLimit: evalLimit)
    }

    public func configJSON() throws -> Data { try ModelBundle.encode(model.config) }

    public func willTrain(step: Int) { self.step = step }

    /// Magenta's exponential decay with a floor.
    public func learningRate(atStep step: Int) -> Float? {
        let c = model.config
        return ExponentialLR(base: c.learningRate, rate: Double(c.decayRate), minimum: c.minLearningRate).learningRate(atStep: step)
    }

    /// Window indices, then ε [batch, zSize], then the scheduled-sampling draws, all from `generator`.
    public func trainingLoss(using generator: inout SplitMix64) throws -> Tensor {
        try trainingLoss(using: &generator, shard: .whole)
    }

    /// The global batch's window indices and ε from `generator`, of which `shard`'s rows are
    /// scored. With several processes the scheduled-sampling draws come from a generator seeded
    /// by one shared draw and the rank, so every rank's `generator` advances alike.
    public func trainingLoss(using generator: inout SplitMix64, shard: TrainingShard) throws -> Tensor {
        let config = model.config
        let all = BatchSampling.distinctIndices(config.batchSize, from: train.count, using: &generator).map { train[$0] }
        let allEpsilon = Tensor.randn([all.count, config.zSize], using: &generator)
        let rows = try shard.rows(ofBatch: all.count)
        let batch = Array(all[rows])
        let epsilon = try shard.slice(allEpsilon, rows: rows)
        let probability = config.samplingProbability(atStep: step)
        var sampling = shard.isWhole || probability <= 0 ? generator : SplitMix64(seed: generator.next() &+ UInt64(shard.rank))
        let loss = try model.loss(events: model.oneHot(batch), targets: batch.flatMap { $0 }, epsilon: epsilon,
                                  beta: config.beta(atStep: step), samplingProbability: probability,
                                  using: &sampling)
        if shard.isWhole || probability <= 0 { generator = sampling }
        lastLoss = loss
        return shard.weighted(loss.total, local: batch.count, global: all.count)
    }

    /// loss: Σ_t cross-entropy + maxβ·KL cost per window (nats); accuracy: teacher-forced step
    /// accuracy; kl: KL per window (nats); windows: windows scored.
    public func evaluate() throws -> Metrics {
        let windows = eval.isEmpty ? train : eval
        let config = model.config
        var total = 0.0, accuracy = 0.0, kl = 0.0
        var unused = SplitMix64(seed: 0)  // no scheduled sampling in evaluation
        try noGrad {
            for start in stride(from: 0, to: windows.count, by: max(1, config.batchSize)) {
                let batch = Array(windows[start..<min(windows.count, start + max(1, config.batchSize))])
                let zeros = try Tensor([Float](repeating: 0, count: batch.count * config.zSize), shape: [batch.count, config.zSize])
                let loss = try model.loss(events: model.oneHot(batch), targets: batch.flatMap { $0 }, epsilon: zeros,
                                          beta: config.maxBeta, using: &unused)
                let n = Double(batch.count)
                total += Double(loss.total.item()) * n
                accuracy += Double(loss.accuracy) * n
                kl += Double(loss.kl) * n
            }
        }
        let n = Double(windows.count)
        return Metrics(["loss": total / n, "accuracy": accuracy / n, "kl": kl / n, "windows": n])
    }

    public func evaluationSummary(_ metrics: Metrics) -> String {
        String(format: "eval loss %.3f nats per window, teacher-forced accuracy %.3f, KL %.2f nats over %d %@windows",
               metrics["loss"] ?? .nan, metrics["accuracy"] ?? .nan, metrics["kl"] ?? .nan, Int(metrics["windows"] ?? 0), eval.isEmpty ? "training " : "held-out ")
    }
}
