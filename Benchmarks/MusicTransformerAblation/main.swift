// ablation-music-transformer: the Music Transformer paper's ablation on Muse's Bach chorales.
// Three models see the same crops (the same trainer seed drives the same batch draws), the same
// steps and the same schedule: the Transformer with relative attention, the same Transformer with
// absolute (sinusoidal) positions, and an LSTM language model over the same performance tokens
// with (as near as a whole hidden size allows) the relative model's parameter count. Each is
// scored on the held-out files (split by a hash of the path, as `muse train music-transformer`)
// by the same windows as `MusicTransformer.score`; prints a Markdown table.
// Usage: ablation-music-transformer [CORPUS] [STEPS] [LAYERS DMODEL HEADS DFF LEN BATCH]
//        (defaults: corpora/bach 600 2 64 4 256 128 8)
import Foundation
import MuseCore
import MuseEncoding
import MuseModels
import MuseTraining

BLASSpinPolicy.applyByReexecuting()  // OpenBLAS workers sleep between products, as in `muse`

/// Embedding → stacked LSTM → linear output over the Transformer's token vocabulary.
final class PerformanceLSTM: Module {
    let embedding: Embedding
    let lstm: LSTM
    let output: Linear
    var isTraining = true
    var children: [(name: String, module: any Module)] { [("embedding", embedding), ("lstm", lstm), ("output", output)] }

    init(vocabulary: Int, hidden: Int, layers: Int, seed: UInt64) {
        var g = SplitMix64(seed: seed)
        embedding = Embedding(numEmbeddings: vocabulary, embeddingDim: hidden, using: &g)
        lstm = LSTM(inputSize: hidden, hiddenSize: hidden, numLayers: layers, using: &g)
        output = Linear(inFeatures: hidden, outFeatures: vocabulary, using: &g)
    }

    /// Parameters of this architecture for a hidden size, without building it.
    static func parameterCount(vocabulary v: Int, hidden h: Int, layers: Int) -> Int {
        v * h + layers * (4 * h * (2 * h) + 8 * h) + h * v + v
    }

    /// Logits [B, L, V] of B·L tokens.
    func callAsFunction(_ tokens: [Int], batch: Int) throws -> Tensor {
        try output(lstm(embedding(tokens, shape: [batch, tokens.count / batch])).output)
    }
}

/// The LSTM trained on the Transformer task's own batches.
final class LSTMTask: LossTrainingTask {
    let model: PerformanceLSTM
    let batches: MusicTransformerTrainingTask
    let vocabulary: Int
    var module: any Module { model }
    var bundleKind: String { "ablation-lstm" }
    init(model: PerformanceLSTM, batches: MusicTransformerTrainingTask, vocabulary: Int) {
        (self.model, self.batches, self.vocabulary) = (model, batches, vocabulary)
    }
    func configJSON() throws -> Data { Data("{}".utf8) }
    func trainingLoss(using generator: inout SplitMix64) throws -> Tensor {
        let (inputs, targets) = try batches.nextBatch(using: &generator)
        let logits = try model(inputs, batch: batches.model.config.batchSize)
        return try crossEntropy(logits: logits.reshape([-1, vocabulary]), targets: targets, ignoreIndex: -100)
    }
    func evaluate() throws -> Metrics { Metrics([:]) }
}

/// Held-out NLL per token of `logits(tokens, batch)`, windows as `MusicTransformer.score`.
func heldOutNLL(pieces: [[Int]], window l: Int, logits: ([Int], Int) throws -> Tensor) throws -> Double {
    var nll = 0.0, count = 0
    try noGrad {
        for piece in pieces {
            let tokens = MusicTransformer.tokens(classIndices: piece) + [MusicTransformerConfig.endToken]
            for start in stride(from: 0, to: tokens.count, by: l) {
                let window = Array(tokens[start..<min(tokens.count, start + l)])
                let logp = try logits([MusicTransformerConfig.padToken] + window.dropLast(), 1).logSoftmax(axis: -1)
                let v = logp.shape[2]
                logp.withUnsafeBufferPointer { p in for (t, token) in window.enumerated() { nll -= Double(p[t * v + token]) } }
                count += window.count
            }
        }
    }
    return nll / Double(count)
}

func train(_ task: some TrainingTask, steps: Int, learningRate: Float) throws -> Double {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("muse-ablation-\(UUID())")
    defer { try? FileManager.default.removeItem(at: folder) }
    var options = TrainerOptions(numSteps: steps, outputDirectory: folder, learningRate: learningRate, clipNorm: 1, seed: 7)
    options.schedule = .warmupCosine(warmupSteps: min(100, steps), decaySteps: steps, minimum: learningRate / 10)
    options.evalEvery = 0
    options.checkpointEvery = steps
    options.keepCheckpoints = 1
    let start = Date()
    _ = try Trainer(task: task, options: options, progress: ProgressReporter(silent: true)).run()
    return Date().timeIntervalSince(start)
}

let args = Array(CommandLine.arguments.dropFirst())
let corpus = args.first ?? "corpora/bach"
let steps = args.count > 1 ? Int(args[1]) ?? 600 : 600
let shape = args.count >= 8 ? args[2..<8].compactMap { Int($0) } : [2, 64, 4, 256, 128, 8]
var config = MusicTransformerConfig()
(config.numLayers, config.dModel, config.numHeads, config.dFF, config.maxSeqLen, config.batchSize) =
    (shape[0], shape[1], shape[2], shape[3], shape[4], shape[5])
config.dropout = 0.1
config.learningRate = 1e-3
let dataset = try MusicTransformerDataset.build(directory: corpus, pipeline: config.pipeline, evalRatio: 0.1, seed: 0)
print("corpus \(corpus): \(dataset.summary)")
print("\(steps) steps, batch \(config.batchSize) × \(config.maxSeqLen) events, Adam \(config.learningRate) warm-up + cosine, clip 1, "
      + "dropout \(config.dropout), same crops for every model\n")
print("| model | parameters | wall time (s) | held-out NLL (nats/event) |")
print("|---|---|---|---|")
var relativeParameters = 0
for positions in [MusicTransformerConfig.Positions.relative, .absolute] {
    var c = config
    c.positions = positions
    let model = try MusicTransformer(config: c, seed: 1)
    if positions == .relative { relativeParameters = model.parameterCount }
    let task = try MusicTransformerTrainingTask(model: model, train: dataset.train, eval: dataset.eval)
    let seconds = try train(task, steps: steps, learningRate: c.learningRate)
    model.setTraining(false)
    let nll = try heldOutNLL(pieces: dataset.eval, window: c.maxSeqLen) { try model($0, batch: $1) }
    print(String(format: "| Transformer, %@ positions (%d×%d, %d heads, ff %d) | %d | %.0f | %.4f |", positions.rawValue, c.numLayers,
                 c.dModel, c.numHeads, c.dFF, model.parameterCount, seconds, nll))
}
let vocabulary = try config.vocabularySize
let lstmLayers = 2
let hidden = (8...1024).min { abs(PerformanceLSTM.parameterCount(vocabulary: vocabulary, hidden: $0, layers: lstmLayers) - relativeParameters)
    < abs(PerformanceLSTM.parameterCount(vocabulary: vocabulary, hidden: $1, layers: lstmLayers) - relativeParameters) }!
let lstm = PerformanceLSTM(vocabulary: vocabulary, hidden: hidden, layers: lstmLayers, seed: 1)
let batches = try MusicTransformerTrainingTask(model: MusicTransformer(config: config, seed: 1), train: dataset.train, eval: dataset.eval)
let lstmSeconds = try train(LSTMTask(model: lstm, batches: batches, vocabulary: vocabulary), steps: steps, learningRate: config.learningRate)
lstm.train(false)
let lstmNLL = try heldOutNLL(pieces: dataset.eval, window: config.maxSeqLen) { try lstm($0, batch: $1) }
print(String(format: "| LSTM (%d×%d) | %d | %.0f | %.4f |", lstmLayers, hidden, lstm.parameterCount, lstmSeconds, lstmNLL))
