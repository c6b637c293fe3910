import Foundation
import MuseCore
import MuseEncoding
import MuseTraining

/// The Music Transformer as a `TrainingTask`: each batch is `batchSize` random crops of
/// `maxSeqLen` tokens from training pieces (a piece drawn in proportion to its length, a start
/// uniformly, then a random transposition and time stretch from the config's lists); the
/// piece's end-of-sequence token is part of a crop that reaches it. Inputs are the crop shifted
/// right behind the start token 0 (tensor2tensor's `shift_right`); padding is not scored.
public final class MusicTransformerTrainingTask: LossTrainingTask {
    /// The model.
    public let model: MusicTransformer
    /// Training pieces (performance class indices).
    public let train: [[Int]]
    /// Held-out pieces.
    public let eval: [[Int]]
    /// Cumulative event counts of `train`, for length-weighted draws.
    let cumulativeLengths: [Int]
    let augmentation: PerformanceAugmentation
    public var module: any Module { model }
    public var bundleKind: String { MusicTransformer.bundleKind.name }

    /// - Throws: `ModelError.emptyData` if there is nothing to train on.
    public init(model: MusicTransformer, train: [[Int]], eval: [[Int]]) throws {
        self.train = train.filter { !$0.isEmpty }
        guard !self.train.isEmpty else { throw ModelError.emptyData("no training piece with events") }
        self.model = model
        self.eval = eval.filter { !$0.isEmpty }
        var sum = 0
        cumulativeLengths = self.train.map { sum += $0.count + 1; return sum }
        augmentation = PerformanceAugmentation(encoding: try model.config.pipeline.encoding())
    }

    public func configJSON() throws -> Data { try ModelBundle.encode(model.config) }

    public func setTraining(_ on: Bool) { model.setTraining(on) }

    public var randomStates: [String: UInt64] {
        get { model.randomStates }
        set { model.randomStates = newValue }
    }

    /// One crop of at most `length` target tokens, augmented (see the type's description).
    func crop(length: Int, using generator: inout SplitMix64) throws -> [Int] {
        let c = model.config
        let draw = Int(generator.next() % UInt64(cumulativeLengths.last!))
        let piece = train[cumulativeLengths.firstIndex { $0 > draw }!]
        let tokens = piece.count + 1                                    // the end token too
        let start = tokens > length ? Int(generator.next() % UInt64(tokens - length + 1)) : 0
        let semitones = c.transpositions[Int(generator.next() % UInt64(c.transpositions.count))]
        let factor = c.stretchFactors[Int(generator.next() % UInt64(c.stretchFactors.count))]
        // Enough raw events that a stretch or dropped notes still fill the window.
        let rawEnd = min(piece.count, start + length + length / 4 + 8)
        let events = try augmentation.apply(Array(piece[min(start, piece.count)..<rawEnd]), semitones: semitones, factor: factor)
        var out = MusicTransformer.tokens(classIndices: events)
        if rawEnd == piece.count { out.append(MusicTransformerConfig.endToken) }
        return Array(out.prefix(length))
    }

    /// A batch: inputs and targets, B·L row-major (targets −100 past a crop's end).
    public func nextBatch(using generator: inout SplitMix64) throws -> (inputs: [Int], targets: [Int]) {
        let batch = try nextBatch(using: &generator, shard: .whole)
        return (batch.inputs, batch.targets)
    }

    /// Draws the whole global batch's crops from `generator` (so every rank's generator advances
    /// alike) and keeps `shard`'s rows: their inputs and targets (rows·L row-major), the rows, and
    /// the scored target tokens of these rows and of the whole batch (for the loss weight).
    public func nextBatch(using generator: inout SplitMix64, shard: TrainingShard) throws
        -> (inputs: [Int], targets: [Int], rows: Int, scored: Int, globalScored: Int) {
        let l = model.config.maxSeqLen, b = model.config.batchSize
        var crops: [[Int]] = []
        for _ in 0..<b { crops.append(try crop(length: l, using: &generator)) }
        let mine = Array(crops[try shard.rows(ofBatch: b)])
        var inputs = [Int](repeating: MusicTransformerConfig.padToken, count: mine.count * l)
        var targets = [Int](repeating: -100, count: mine.count * l)
        for (row, crop) in mine.enumerated() {
            for (t, token) in crop.enumerated() {
                targets[row * l + t] = token
                if t + 1 < l { inputs[row * l + t + 1] = token }
            }
        }
        return (inputs, targets, mine.count, mine.reduce(0) { $0 + $1.count }, crops.reduce(0) { $0 + $1.count })
    }

    public func trainingLoss(using generator: inout SplitMix64) throws -> Tensor {
        try trainingLoss(using: &generator, shard: .whole)
    }

    /// Mean cross-entropy over `shard`'s scored tokens, weighted by their share of the global
    /// batch's scored tokens (so the ranks' mean is the whole batch's mean).
    public func trainingLoss(using generator: inout SplitMix64, shard: TrainingShard) throws -> Tensor {
        let batch = try nextBatch(using: &generator, shard: shard)
        let loss = try model.loss(inputs: batch.inputs, targets: batch.targets, batch: batch.rows)
        return shard.weighted(loss, local: batch.scored, global: batch.globalScored)
    }

    public func evaluate() throws -> Metrics {
        let scores = try model.score(eval)
        let nll = scores.reduce(0) { $0 + $1.negativeLogLikelihood }, n = scores.reduce(0) { $0 + $1.tokens }
        return Metrics(["loss": n > 0 ? nll / Double(n) : .nan, "tokens": Double(n)])
    }

    public func evaluationSummary(_ metrics: Metrics) -> String {
        String(format: "held-out NLL %.4f nats/event over %d events", metrics["loss"] ?? .nan, Int(metrics["tokens"] ?? 0))
    }
}
