import ArgumentParser
import Foundation
import MuseText
import MuseTraining

/// `muse train char-rnn --text corpora/shakespeare --output runs/char-rnn` with char-rnn's flag names.
struct TrainCharRNNCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "char-rnn",
        abstract: "Train Karpathy's char-rnn (multi-layer LSTM, truncated back-propagation through time with the state carried between batches).",
        discussion: """
            The training text is cut into --batch-size streams read --seq-length steps at a time; the LSTM state at the end \
            of a batch starts the next. Adam with gradient clipping (char-rnn used RMSprop). char-rnn's epoch decay of the \
            learning rate is there (--learning-rate-decay 0.97 --learning-rate-decay-after 10) but off by default: runs \
            here are counted in iterations, not char-rnn's 50 epochs, and 2,000 iterations are 200 epochs of a small \
            corpus such as the Tang poems, where the decay would stop the learning halfway. Unlike char-rnn, the inputs \
            are noised (--input-noise 0.5, per token): rare characters are replaced now and then by others, so a model \
            of a small text learns its form instead of learning it by heart; a large text is left as it is. Ctrl-C saves \
            and exits; the same command resumes (with the carried state reset).
            """)

    @OptionGroup var data: TextTrainingFlags

    @Option(name: [.customLong("rnn-size"), .customLong("rnn_size")], help: "LSTM units per layer.")
    var rnnSize = 128
    @Option(name: [.customLong("num-layers"), .customLong("num_layers")], help: "LSTM layers.")
    var numLayers = 2
    @Option(help: "Dropout between LSTM layers (training only).")
    var dropout: Float = 0
    @Option(name: [.customLong("seq-length"), .customLong("seq_length")], help: "Steps of back-propagation through time per batch.")
    var seqLength = 50
    @Option(name: [.customLong("batch-size"), .customLong("batch_size")], help: "Streams per batch.")
    var batchSize = 50
    @Option(name: [.customLong("max-iters"), .customLong("max_iters")], help: "Training iterations.")
    var maxIters = 2000
    @Option(name: [.customLong("learning-rate"), .customLong("learning_rate")], help: "Adam learning rate.")
    var learningRate: Float = 2e-3
    @Option(name: [.customLong("learning-rate-decay"), .customLong("learning_rate_decay")],
            help: "Multiply the learning rate by this at the end of every epoch from --learning-rate-decay-after on (char-rnn: 0.97; 1 = constant).")
    var learningRateDecay: Float = 1
    @Option(name: [.customLong("learning-rate-decay-after"), .customLong("learning_rate_decay_after")],
            help: "The first epoch (pass over the training streams) whose end decays the learning rate.")
    var learningRateDecayAfter = 10
    @Option(name: [.customLong("grad-clip"), .customLong("grad_clip")], help: "Clip the global gradient norm to this (0 = off).")
    var gradClip: Float = 5

    @OptionGroup var noise: InputNoiseFlags
    @OptionGroup var trainer: TrainerFlags

    func validate() throws {
        guard rnnSize > 0, numLayers > 0, seqLength > 0, batchSize > 0, maxIters > 0 else {
            throw ValidationError("--rnn-size, --num-layers, --seq-length, --batch-size and --max-iters must be positive")
        }
        guard dropout >= 0, dropout < 1 else { throw ValidationError("--dropout must lie in [0, 1)") }
        guard learningRateDecay > 0, learningRateDecay <= 1 else { throw ValidationError("--learning-rate-decay must lie in (0, 1]") }
        guard learningRateDecayAfter >= 1 else { throw ValidationError("--learning-rate-decay-after must be at least 1") }
        guard gradClip >= 0 else { throw ValidationError("--grad-clip must not be negative") }
    }

    func run() throws {
        setvbuf(stdout, nil, _IOLBF, 0)
        let (tokenizer, corpus) = try data.load()
        let config = CharRNNConfig(vocabSize: tokenizer.vocabularySize, hiddenSize: rnnSize, numLayers: numLayers, dropout: dropout)
        let model = try CharRNN(config: config, seed: data.seed)
        let noising = try noise.noising(of: corpus, defaultProbability: InputNoising.charRNNDefault)
        let task = try CharRNNTrainingTask(model: model, tokenizer: tokenizer, corpus: corpus, batchSize: batchSize, seqLength: seqLength,
                                           noising: noising)
        var options = TrainerOptions(numSteps: maxIters, outputDirectory: URL(fileURLWithPath: data.output), learningRate: learningRate,
                                     clipNorm: gradClip > 0 ? gradClip : nil, seed: data.seed)
        if learningRateDecay < 1 {
            options.schedule = .epochDecay(stepsPerEpoch: task.batchesPerEpoch, afterEpochs: learningRateDecayAfter, factor: learningRateDecay)
        }
        options.evalEvery = data.evalInterval
        options.checkpointEvery = data.checkpointEvery > 0 ? data.checkpointEvery : max(data.evalInterval, 1)
        options.keepCheckpoints = data.keepCheckpoints
        options.runSettings = data.runSettings.merging(["batch_size": String(batchSize), "seq_length": String(seqLength)]) { a, _ in a }
        trainer.apply(to: &options)
        InputNoiseFlags.announce(task.noising, in: &options)
        try runTraining(task: task, options: options, logEvery: 10,
                        header: "model: \(model.parameterCount) parameters, \(numLayers)×\(rnnSize) LSTM, \(task.batchesPerEpoch) batches per epoch")
    }
}
