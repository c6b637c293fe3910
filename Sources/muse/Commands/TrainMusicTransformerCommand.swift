import ArgumentParser
import Foundation
import MuseEncoding
import MuseModels
import MuseTraining

/// `muse train music-transformer --corpus DIR --output runs/transformer`.
struct TrainMusicTransformerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "music-transformer",
        abstract: "Train a Music Transformer on the performance events of a folder of MIDI files.",
        discussion: """
            Each step draws --batch-size random crops of --max-seq-len events from the training files,
            each transposed by −3…3 semitones and time-stretched by ±5% (the paper's augmentation).
            Files are split into training and held-out by a hash of their path. Checkpoints go to
            --output every --checkpoint-every steps; Ctrl-C finishes the current step, saves and
            exits; running the same command again resumes exactly.
            """)

    @Option(help: "Folder of MIDI files (searched recursively).")
    var corpus: String = "corpora/bach"

    @Option(help: "Output folder for checkpoints.")
    var output: String = "runs/transformer"

    @Option(name: .customLong("max-seq-len"), help: "Events per training window (random crops).")
    var maxSeqLen: Int = 256

    @Option(name: .customLong("num-layers"), help: "Decoder layers.")
    var numLayers: Int = 3

    @Option(name: .customLong("num-heads"), help: "Attention heads (must divide --d-model).")
    var numHeads: Int = 4

    @Option(name: .customLong("d-model"), help: "Model width.")
    var dModel: Int = 128

    @Option(name: .customLong("d-ff"), help: "Feed-forward hidden width.")
    var dFF: Int = 512

    @Option(help: "Dropout probability (embeddings, residual branches, feed-forward, attention weights).")
    var dropout: Float = 0.1

    @Flag(help: "Relative (learned relative-position keys, the paper's model) or absolute (sinusoidal) positions.")
    var positions: MusicTransformerConfig.Positions = .relative

    @Flag(inversion: .prefixedNo, help: "Share the embedding matrix with the output layer.")
    var tiedEmbeddings = true

    @Option(name: .customLong("batch-size"), help: "Windows per batch.")
    var batchSize: Int = 8

    @Option(name: .customLong("num-steps"), help: "Total training steps.")
    var numSteps: Int = 500

    @Option(name: .customLong("learning-rate"), help: "Adam peak learning rate (linear warm-up, then cosine decay to a tenth).")
    var learningRate: Float = 1e-3

    @Option(name: .customLong("warmup-steps"), help: "Steps of linear learning-rate warm-up.")
    var warmupSteps: Int = 100

    @Option(name: .customLong("eval-ratio"), help: "Fraction of files held out for evaluation.")
    var evalRatio: Double = 0.1

    @Option(name: .customLong("eval-every"), help: "Evaluate on the held-out files every N steps (0 = at the end only).")
    var evalEvery: Int = 250

    @Option(name: .customLong("checkpoint-every"), help: "Write a checkpoint every N steps.")
    var checkpointEvery: Int = 100

    @Option(name: .customLong("keep-checkpoints"), help: "Checkpoints kept.")
    var keepCheckpoints: Int = 3

    @Option(help: "Seed of the initial weights, the file split and the batch order.")
    var seed: UInt64 = 0

    @OptionGroup var trainer: TrainerFlags

    func validate() throws {
        guard maxSeqLen >= 2 else { throw ValidationError("--max-seq-len must be at least 2") }
        guard numSteps > 0, batchSize > 0, numLayers > 0, numHeads > 0, dModel > 0, dFF > 0 else {
            throw ValidationError("--num-steps, --batch-size, --num-layers, --num-heads, --d-model and --d-ff must be positive")
        }
        guard dModel % numHeads == 0 else { throw ValidationError("--num-heads \(numHeads) must divide --d-model \(dModel)") }
        guard dropout >= 0 && dropout < 1 else { throw ValidationError("--dropout must lie in [0, 1)") }
        guard evalRatio >= 0 && evalRatio < 1 else { throw ValidationError("--eval-ratio must lie in [0, 1)") }
        guard warmupSteps >= 0 else { throw ValidationError("--warmup-steps must not be negative") }
    }

    func run() throws {
        setvbuf(stdout, nil, _IOLBF, 0)  // keep our lines in order with the progress lines on stderr
        var cfg = MusicTransformerConfig()
        cfg.positions = positions
        cfg.numLayers = numLayers
        cfg.numHeads = numHeads
        cfg.dModel = dModel
        cfg.dFF = dFF
        cfg.dropout = dropout
        cfg.tiedEmbeddings = tiedEmbeddings
        cfg.maxSeqLen = maxSeqLen
        cfg.batchSize = batchSize
        cfg.learningRate = learningRate
        let outputURL = URL(fileURLWithPath: output)
        let dataset = try MusicTransformerDataset.build(directory: corpus, pipeline: cfg.pipeline, evalRatio: evalRatio, seed: seed)
        print("corpus \(corpus): \(dataset.summary)")
        let model = try MusicTransformer(config: cfg, seed: seed)
        let task = try MusicTransformerTrainingTask(model: model, train: dataset.train, eval: dataset.eval)
        var options = TrainerOptions(numSteps: numSteps, outputDirectory: outputURL, learningRate: learningRate, clipNorm: 1, seed: seed)
        options.schedule = .warmupCosine(warmupSteps: min(warmupSteps, numSteps), decaySteps: numSteps, minimum: learningRate / 10)
        options.evalEvery = evalEvery
        options.checkpointEvery = checkpointEvery
        options.keepCheckpoints = keepCheckpoints
        options.runSettings = ["corpus": corpus, "evalRatio": String(evalRatio)]
        trainer.apply(to: &options)
        try runTraining(task: task, options: options, logEvery: 25,
                        header: "model: \(model.parameterCount) parameters, \(numLayers) layers × \(dModel) (\(numHeads) heads, "
                            + "feed-forward \(dFF)), \(positions.rawValue) positions, windows of \(maxSeqLen) events × \(batchSize)")
    }
}

extension MusicTransformerConfig.Positions: EnumerableFlag {}
