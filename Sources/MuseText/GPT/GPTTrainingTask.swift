import Foundation
import MuseCore
import MuseTraining

/// A GPT trained as nanoGPT's `train.py`: each batch is `batchSize` windows of `block_size + 1`
/// tokens at uniformly drawn offsets of the training ids (inputs, and targets shifted by one);
/// AdamW over two parameter groups (weight decay on tensors of rank ≥ 2 only, as
/// `configure_optimizers`); evaluation is nanoGPT's `estimate_loss`: the mean loss of `evalIters`
/// batches from the training and from the validation ids (drawn from a generator of fixed seed,
/// so every evaluation sees the same batches). The training inputs (not the targets) may be noised
/// (`InputNoising`, off in nanoGPT), after the offsets are drawn, from the same generator.
public final class GPTTrainingTask: LossTrainingTask {
    /// The model.
    public let model: GPT
    /// The tokenizer, saved in every checkpoint as `vocab.json`.
    public let tokenizer: any TextTokenizer
    /// Training ids.
    public let train: [Int32]
    /// Validation ids.
    public let validation: [Int32]
    /// Windows per batch.
    public let batchSize: Int
    /// Batches per split in each evaluation.
    public let evalIters: Int
    /// AdamW's weight decay on matrices (nanoGPT: 0.1).
    public let weightDecay: Float
    /// What happens to the training inputs.
    public let noising: InputNoising
    public var module: any Module { model }
    public var bundleKind: String { GPT.bundleKind.name }

    /// - Parameter noising: what happens to the training inputs (`InputNoising`).
    /// - Throws: `TrainingError.invalidOption` when a split is shorter than one window.
    public init(model: GPT, tokenizer: any TextTokenizer, corpus: TokenizedCorpus, batchSize: Int, evalIters: Int, weightDecay: Float = 0.1,
                noising: InputNoising = .none) throws {
        let window = model.config.blockSize + 1
        guard corpus.train.count >= window else {
            throw TrainingError.invalidOption("the training text has \(corpus.train.count) tokens, fewer than block_size + 1 = \(window)")
        }
        guard corpus.validation.count >= window else {
            throw TrainingError.invalidOption("the validation text has \(corpus.validation.count) tokens, fewer than block_size + 1 = \(window)")
        }
        guard batchSize > 0, evalIters > 0 else { throw TrainingError.invalidOption("batch size and eval iters must be positive") }
        self.model = model
        self.tokenizer = tokenizer
        train = corpus.train
        validation = corpus.validation
        self.batchSize = batchSize
        self.evalIters = evalIters
        self.weightDecay = weightDecay
        self.noising = noising
    }

    public func configJSON() throws -> Data { try ModelBundle.encode(model.config) }
    public var extraFiles: [String: Data] { (try? tokenizer.jsonData()).map { ["vocab.json": $0] } ?? [:] }
    public func setTraining(_ on: Bool) { model.setTraining(on) }
    public var randomStates: [String: UInt64] {
        get { model.randomStates }
        set { model.randomStates = newValue }
    }

    /// nanoGPT's `configure_optimizers`: AdamW, decay on parameters of rank ≥ 2, none on the rest.
    public func makeOptimizers(options: TrainerOptions) -> [(name: String, optimizer: any Optimizer)] {
        let named = model.namedParameters()
        let decay = named.filter { $0.tensor.rank >= 2 }, noDecay = named.filter { $0.tensor.rank < 2 }
        return [("model", Adam(groups: [(decay, weightDecay), (noDecay, 0)], learningRate: options.learningRate, betas: options.betas))]
    }

    /// `batchSize` random windows of `ids`: inputs and next-token targets, each B·T row-major.
    public func batch(from ids: [Int32], using generator: inout SplitMix64) -> (inputs: [Int], targets: [Int]) {
        batch(from: ids, rows: 0..<batchSize, using: &generator)
    }

    /// Draws all `batchSize` window offsets from `generator` and returns the windows of `rows` only:
    /// inputs and next-token targets, each rows·T row-major.
    public func batch(from ids: [Int32], rows: Range<Int>, using generator: inout SplitMix64) -> (inputs: [Int], targets: [Int]) {
        let t = model.config.blockSize
        let starts = (0..<batchSize).map { _ in Int(generator.next() % UInt64(ids.count - t)) }
        var inputs: [Int] = [], targets: [Int] = []
        inputs.reserveCapacity(rows.count * t)
        targets.reserveCapacity(rows.count * t)
        for start in starts[rows] {
            for i in start..<(start + t) {
                inputs.append(Int(ids[i]))
                targets.append(Int(ids[i + 1]))
            }
        }
        return (inputs, targets)
    }

    public func trainingLoss(using generator: inout SplitMix64) throws -> Tensor {
        try trainingLoss(using: &generator, shard: .whole)
    }

    /// The mean loss of `shard`'s windows of the global batch, weighted by their share of it.
    public func trainingLoss(using generator: inout SplitMix64, shard: TrainingShard) throws -> Tensor {
        let rows = try shard.rows(ofBatch: batchSize)
        var (x, y) = batch(from: train, rows: rows, using: &generator)
        noising.apply(to: &x, rows: rows, batchSize: batchSize, length: model.config.blockSize, using: &generator)
        let loss = try model.loss(x, targets: y, batch: rows.count, length: model.config.blockSize).loss
        return shard.weighted(loss, local: rows.count, global: batchSize)
    }

    public func evaluate() throws -> Metrics {
        try noGrad {
            var metrics = Metrics()
            for (name, ids) in [("train_loss", train), ("val_loss", validation)] {
                var generator = SplitMix64(seed: 1337)
                var total: Double = 0
                for _ in 0..<evalIters {
                    let (x, y) = batch(from: ids, using: &generator)
                    total += Double(try model.loss(x, targets: y, batch: batchSize, length: model.config.blockSize).loss.item())
                }
                metrics[name] = total / Double(evalIters)
            }
            return metrics
        }
    }

    public func evaluationSummary(_ metrics: Metrics) -> String {
        String(format: "train loss %.4f, val loss %.4f", metrics["train_loss"] ?? .nan, metrics["val_loss"] ?? .nan)
    }
}
