import Foundation
import MuseCore
import MuseTraining

/// A text VAE trained on the lines of a corpus: each step draws `batchSize` distinct training
/// lines, word dropout on the decoder inputs and ε ~ N(0, I), all from the trainer's generator
/// (so a resumed run continues exactly), and minimises reconstruction + β·KL with β from the
/// config's annealing at that step. Reported beside `loss`: `reconstruction`, `kl`, `kl_weight`.
/// The last `validationFraction` of the lines (by position) is held out; evaluation scores up
/// to `evaluationLines` of them (−ELBO per line as `val_loss`).
public final class TextVAETrainingTask: LossTrainingTask {
    /// The model.
    public let model: TextVAE
    /// The tokenizer, saved in every checkpoint as `vocab.json`.
    public let tokenizer: any TextTokenizer
    /// Training lines (tokenizer ids).
    public let train: [[Int32]]
    /// Held-out lines.
    public let validation: [[Int32]]
    /// Lines per batch.
    public let batchSize: Int
    /// Held-out lines scored per evaluation at most.
    public let evaluationLines: Int
    /// Lines left out for being longer than `config.maxLength` tokens.
    public let skippedLines: Int
    private var stepIndex = 0
    private var last: (reconstruction: Double, kl: Double) = (0, 0)
    public var module: any Module { model }
    public var bundleKind: String { TextVAE.bundleKind.name }

    /// - Parameter lines: every non-blank line of the corpus in order (`TextLines.encode`).
    /// - Throws: `TrainingError.invalidOption` when fewer than 2 lines fit or the batch size is not positive.
    public init(model: TextVAE, tokenizer: any TextTokenizer, lines: [[Int32]], batchSize: Int,
                validationFraction: Double = 0.1, evaluationLines: Int = 2000) throws {
        guard batchSize > 0, evaluationLines > 0 else { throw TrainingError.invalidOption("batch size and evaluation lines must be positive") }
        guard validationFraction >= 0, validationFraction < 1 else { throw TrainingError.invalidOption("validation fraction \(validationFraction) not in [0, 1)") }
        let kept = lines.filter { !$0.isEmpty && $0.count <= model.config.maxLength }
        guard kept.count >= 2 else {
            throw TrainingError.invalidOption("only \(kept.count) line(s) of 1 to \(model.config.maxLength) tokens: a text VAE trains on lines")
        }
        let held = min(kept.count - 1, max(1, Int(Double(kept.count) * validationFraction)))
        self.model = model
        self.tokenizer = tokenizer
        train = Array(kept[..<(kept.count - held)])
        validation = Array(kept[(kept.count - held)...])
        self.batchSize = batchSize
        self.evaluationLines = evaluationLines
        skippedLines = lines.count - kept.count
    }

    public func configJSON() throws -> Data { try ModelBundle.encode(model.config) }
    public var extraFiles: [String: Data] { (try? tokenizer.jsonData()).map { [TextModelBundle.vocabularyFile: $0] } ?? [:] }

    public func trainStep(_ step: TrainingStep) throws {
        stepIndex = step.index
        try step.optimize { try self.trainingLoss(using: &$0, shard: step.shard) }
        step.report("reconstruction", last.reconstruction)
        step.report("kl", last.kl)
        step.report("kl_weight", model.config.klAnnealing.weight(atStep: step.index))
    }

    /// Lines, word dropout, then ε, drawn from `generator` in that order.
    public func trainingLoss(using generator: inout SplitMix64) throws -> Tensor {
        try trainingLoss(using: &generator, shard: .whole)
    }

    /// The global batch's lines, word dropout and ε from `generator` (every process draws the
    /// same), of which `shard`'s lines are scored, weighted by their share of the batch (the loss
    /// is a mean per line, so the weighted sum over processes is the global batch's loss).
    public func trainingLoss(using generator: inout SplitMix64, shard: TrainingShard) throws -> Tensor {
        let chosen = BatchSampling.distinctIndices(batchSize, from: train.count, using: &generator).map { train[$0] }
        var global = try TextVAEBatch(lines: chosen, config: model.config)
        global.dropWords(rate: model.config.wordDropout, maskID: model.config.unkID, using: &generator)
        let allEpsilon = Tensor.randn([global.count, model.config.latentSize], using: &generator)
        let rows = try shard.rows(ofBatch: global.count)
        let batch = global.rows(rows)
        let epsilon = try shard.slice(allEpsilon, rows: rows)
        let beta = Float(model.config.klAnnealing.weight(atStep: stepIndex))
        let (terms, _) = try model.loss(batch, epsilon: epsilon, klWeight: beta)
        let share = Double(shard.weight(local: rows.count, global: global.count))
        last = (Double(terms.reconstruction.item()) * share, Double(terms.kl.item()) * share)
        return shard.weighted(terms.total, local: rows.count, global: global.count)
    }

    /// `val_loss` (−ELBO, nats per line), `val_reconstruction`, `val_kl` (nats per line) and
    /// `val_nats_per_token` (reconstruction) on the first `evaluationLines` held-out lines.
    public func evaluate() throws -> Metrics {
        let s = try model.score(Array(validation.prefix(evaluationLines)))
        let n = Double(max(s.lines, 1))
        return Metrics(["val_loss": (s.reconstructionNats + s.klNats) / n, "val_reconstruction": s.reconstructionNats / n,
                        "val_kl": s.klNats / n, "val_nats_per_token": s.reconstructionNats / Double(max(s.tokens, 1))])
    }

    public func evaluationSummary(_ metrics: Metrics) -> String {
        String(format: "val −ELBO %.3f nats/line (reconstruction %.3f, KL %.3f; %.4f nats/token)", metrics["val_loss"] ?? .nan,
               metrics["val_reconstruction"] ?? .nan, metrics["val_kl"] ?? .nan, metrics["val_nats_per_token"] ?? .nan)
    }
}
