import Foundation
import MuseCore
import MuseTraining

/// Karpathy's char-rnn training as his `CharSplitLMMinibatchLoader`: the training ids are cut into
/// `batchSize` contiguous streams; batch k holds steps k·T ..< (k+1)·T of every stream (T =
/// `seqLength`), so row b of batch k+1 continues row b of batch k, and the LSTM state at the end of
/// one batch (detached: truncated back-propagation through time) starts the next. The state is
/// reset to zeros when the streams wrap round to batch 0 and when a run resumes. Adam (the
/// trainer's default optimizer), gradient clipping from the options. The inputs (not the targets)
/// may be noised (`InputNoising`), from the step's generator.
public final class CharRNNTrainingTask: LossTrainingTask {
    /// The model.
    public let model: CharRNN
    /// The tokenizer, saved in every checkpoint as `vocab.json`.
    public let tokenizer: any TextTokenizer
    /// Streams per batch.
    public let batchSize: Int
    /// Steps of back-propagation through time per batch.
    public let seqLength: Int
    /// Training streams [batchSize][streamLength].
    let streams: [[Int32]]
    /// Validation ids.
    public let validation: [Int32]
    /// Batches before the streams wrap round.
    public let batchesPerEpoch: Int
    /// What happens to the training inputs.
    public let noising: InputNoising
    /// The next batch index and the state it starts from.
    var cursor = 0
    var carried: LSTMState?
    var started = false
    public var module: any Module { model }
    public var bundleKind: String { CharRNN.bundleKind.name }

    /// - Parameter noising: what happens to the training inputs (`InputNoising`).
    /// - Throws: `TrainingError.invalidOption` when the training text is shorter than one batch.
    public init(model: CharRNN, tokenizer: any TextTokenizer, corpus: TokenizedCorpus, batchSize: Int, seqLength: Int,
                noising: InputNoising = .none) throws {
        guard batchSize > 0, seqLength > 0 else { throw TrainingError.invalidOption("batch size and sequence length must be positive") }
        let streamLength = corpus.train.count / batchSize
        guard streamLength >= seqLength + 1 else {
            throw TrainingError.invalidOption("the training text has \(corpus.train.count) tokens, fewer than batch size × (seq length + 1) = \(batchSize * (seqLength + 1))")
        }
        guard corpus.validation.count >= 2 else { throw TrainingError.invalidOption("the validation text has fewer than 2 tokens") }
        self.model = model
        self.tokenizer = tokenizer
        self.batchSize = batchSize
        self.seqLength = seqLength
        streams = (0..<batchSize).map { Array(corpus.train[($0 * streamLength)..<(($0 + 1) * streamLength)]) }
        validation = corpus.validation
        self.noising = noising
        batchesPerEpoch = (streamLength - 1) / seqLength
    }

    public func configJSON() throws -> Data { try ModelBundle.encode(model.config) }
    public var extraFiles: [String: Data] { (try? tokenizer.jsonData()).map { ["vocab.json": $0] } ?? [:] }
    public func setTraining(_ on: Bool) { model.train(on) }
    public var randomStates: [String: UInt64] {
        get { model.randomStates }
        set { model.randomStates = newValue }
    }

    public func willTrain(step: Int) {
        if !started {
            started = true
            cursor = step % batchesPerEpoch
            carried = nil
        }
    }

    /// Batch `k`: inputs and targets, B·T row-major.
    public func batch(_ k: Int) -> (inputs: [Int], targets: [Int]) { batch(k, rows: 0..<batchSize) }

    /// The streams `rows` of batch `k`: inputs and targets, rows·T row-major.
    public func batch(_ k: Int, rows: Range<Int>) -> (inputs: [Int], targets: [Int]) {
        var x: [Int] = [], y: [Int] = []
        x.reserveCapacity(rows.count * seqLength)
        y.reserveCapacity(rows.count * seqLength)
        for s in streams[rows] {
            for t in (k * seqLength)..<((k + 1) * seqLength) {
                x.append(Int(s[t]))
                y.append(Int(s[t + 1]))
            }
        }
        return (x, y)
    }

    public func trainingLoss(using generator: inout SplitMix64) throws -> Tensor {
        try trainingLoss(using: &generator, shard: .whole)
    }

    /// Data-parallel: each rank trains its block of the streams (`shard.rows(ofBatch: batchSize)`)
    /// and carries the LSTM state of those streams only, from one of its batches to the next (the
    /// rows of an LSTM are independent, so the ranks together compute the plain run's batch).
    public func trainingLoss(using generator: inout SplitMix64, shard: TrainingShard) throws -> Tensor {
        let rows = try shard.rows(ofBatch: batchSize)
        if cursor == 0 { carried = nil }
        var (x, y) = batch(cursor, rows: rows)
        noising.apply(to: &x, rows: rows, batchSize: batchSize, length: seqLength, using: &generator)
        let (logits, state) = try model(x, batch: rows.count, length: seqLength, state: carried)
        carried = CharRNN.detach(state)
        cursor = (cursor + 1) % batchesPerEpoch
        let loss = try crossEntropy(logits: logits.reshape([rows.count * seqLength, model.config.vocabSize]), targets: y)
        return shard.weighted(loss, local: rows.count, global: batchSize)
    }

    public func evaluate() throws -> Metrics {
        let (nats, targets) = try CharRNNLanguageModel.score(model, validation, streams: batchSize, seqLength: seqLength)
        return Metrics(["val_loss": nats / Double(targets.count)])
    }

    public func evaluationSummary(_ metrics: Metrics) -> String {
        String(format: "val loss %.4f nats/token", metrics["val_loss"] ?? .nan)
    }
}
