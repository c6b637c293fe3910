import ArgumentParser
import Foundation
import MuseEncoding
import MuseModels
import MuseTraining

/// `muse train melody-rnn --corpus DIR --output runs/melody`.
struct TrainMelodyRNNCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "melody-rnn",
        abstract: "Train Magenta's melody RNN on the melodies of a folder of MIDI files.",
        discussion: """
            Checkpoints (model.safetensors + config.json + optimizer state) go to --output every
            --checkpoint-every steps. Ctrl-C finishes the current step, saves and exits; running the
            same command again resumes and ends with the same weights as an uninterrupted run.
            """)

    @Option(help: "Folder of MIDI files (searched recursively).")
    var corpus: String = "corpora/oneills"

    @Option(help: "Output folder for checkpoints.")
    var output: String = "runs/melody"

    @Option(help: "Model configuration: basic (basic_rnn) or lookback (lookback_rnn).")
    var config: String = "basic"

    @Option(name: [.customLong("num-steps"), .customLong("num_training_steps")], help: "Total training steps.")
    var numSteps: Int = 1000

    @Option(name: [.customLong("batch-size"), .customLong("batch_size")], help: "Windows per batch.")
    var batchSize: Int = 64

    @Option(name: [.customLong("sequence-length")], help: "Steps per training window.")
    var sequenceLength: Int = 64

    @Option(name: [.customLong("hidden-size")], help: "LSTM units per layer (Magenta: 128).")
    var hiddenSize: Int = 128

    @Option(name: [.customLong("num-layers")], help: "LSTM layers (Magenta: 2).")
    var numLayers: Int = 2

    @Option(help: "Dropout probability after each LSTM layer (Magenta keep-prob 0.5 = 0.5).")
    var dropout: Float = 0.5

    @Option(name: [.customLong("learning-rate"), .customLong("learning_rate")], help: "Adam learning rate.")
    var learningRate: Float = 1e-3

    @Flag(name: .customLong("cosine-decay"), help: "Decay the learning rate to 0 over the run on a cosine (default: constant, as Magenta).")
    var cosineDecay = false

    @Option(name: [.customLong("eval-ratio"), .customLong("eval_ratio")], help: "Fraction of files held out for evaluation.")
    var evalRatio: Double = 0.1

    @Option(name: .customLong("eval-every"), help: "Evaluate on the held-out files every N steps.")
    var evalEvery: Int = 100

    @Option(name: .customLong("checkpoint-every"), help: "Write a checkpoint every N steps.")
    var checkpointEvery: Int = 100

    @Option(name: .customLong("keep-checkpoints"), help: "Checkpoints kept.")
    var keepCheckpoints: Int = 3

    @Option(help: "Seed of the initial weights, the file split and the batch order.")
    var seed: UInt64 = 0

    @OptionGroup var trainer: TrainerFlags

    func validate() throws {
        guard numSteps > 0, batchSize > 0, sequenceLength > 0, hiddenSize > 0, numLayers > 0 else {
            throw ValidationError("--num-steps, --batch-size, --sequence-length, --hidden-size and --num-layers must be positive")
        }
        guard evalRatio >= 0 && evalRatio < 1 else { throw ValidationError("--eval-ratio must lie in [0, 1)") }
    }

    func run() throws {
        setvbuf(stdout, nil, _IOLBF, 0)  // keep our lines in order with the progress lines on stderr
        let outputURL = URL(fileURLWithPath: output)
        do {
            var cfg = try MelodyRNNConfig.preset(config)
            cfg.batchSize = batchSize
            cfg.sequenceLength = sequenceLength
            cfg.hiddenSize = hiddenSize
            cfg.numLayers = numLayers
            cfg.dropout = dropout
            cfg.learningRate = learningRate
            try FileManager.default.createDirectory(at: outputURL, withIntermediateDirectories: true)
            let (dataset, cached) = try MelodyDataset.load(directory: corpus, pipeline: cfg.pipeline, evalRatio: evalRatio, seed: seed,
                                                           cachePath: outputURL.appendingPathComponent("dataset.cache").path)
            print("corpus \(corpus)\(cached ? " (cached)" : ""): \(dataset.summary)")
            print("\(dataset.train.count) training melodies (\(dataset.trainSteps) steps), \(dataset.eval.count) held-out melodies")
            let model = try MelodyRNN(config: cfg, seed: seed)
            let task = try MelodyTrainingTask(model: model, dataset: dataset)
            var options = TrainerOptions(numSteps: numSteps, outputDirectory: outputURL, learningRate: learningRate,
                                         clipNorm: cfg.clipNorm, seed: seed)
            options.evalEvery = evalEvery
            options.schedule = cosineDecay ? .cosine(minimum: 0) : .constant
            options.checkpointEvery = checkpointEvery
            options.keepCheckpoints = keepCheckpoints
            options.runSettings = ["corpus": corpus, "evalRatio": String(evalRatio)]
            trainer.apply(to: &options)
            try runTraining(task: task, options: options,
                            header: "model: \(model.parameterCount) parameters, \(cfg.numLayers)×\(cfg.hiddenSize) LSTM, \(cfg.encoder.rawValue) encoder")
        }
    }
}
