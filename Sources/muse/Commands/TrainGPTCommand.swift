import ArgumentParser
import Foundation
import MuseText
import MuseTraining

/// `muse train gpt --text corpora/shakespeare --output runs/gpt` with nanoGPT's flag names.
struct TrainGPTCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gpt",
        abstract: "Train a GPT as nanoGPT does (AdamW, warm-up + cosine decay, gradient clipping) on a text file or folder.",
        discussion: """
            Defaults are nanoGPT's Shakespeare-on-a-CPU settings (block 64, batch 12, 4 layers, 4 heads, 128 wide, \
            2000 iterations, learning rate 1e-3 decayed to 1e-4). Ctrl-C saves and exits; the same command resumes.
            """)

    @OptionGroup var data: TextTrainingFlags

    @Option(name: [.customLong("block-size"), .customLong("block_size")], help: "Context length in tokens.")
    var blockSize = 64
    @Option(name: [.customLong("batch-size"), .customLong("batch_size")], help: "Sequences per batch.")
    var batchSize = 12
    @Option(name: [.customLong("n-layer"), .customLong("n_layer")], help: "Transformer blocks.")
    var nLayer = 4
    @Option(name: [.customLong("n-head"), .customLong("n_head")], help: "Attention heads (must divide --n-embd).")
    var nHead = 4
    @Option(name: [.customLong("n-embd"), .customLong("n_embd")], help: "Model width.")
    var nEmbd = 128
    @Option(help: "Dropout probability (training only).")
    var dropout: Float = 0
    @Flag(help: "Biases in the Linear and LayerNorm layers (nanoGPT's train.py: off).")
    var bias = false
    @Option(name: [.customLong("max-iters"), .customLong("max_iters")], help: "Training iterations.")
    var maxIters = 2000
    @Option(name: [.customLong("learning-rate"), .customLong("learning_rate")], help: "Peak learning rate.")
    var learningRate: Float = 1e-3
    @Option(name: [.customLong("min-lr"), .customLong("min_lr")], help: "Learning rate at the end of the cosine decay.")
    var minLr: Float = 1e-4
    @Option(name: [.customLong("warmup-iters"), .customLong("warmup_iters")], help: "Iterations of linear warm-up.")
    var warmupIters = 100
    @Option(name: [.customLong("lr-decay-iters"), .customLong("lr_decay_iters")], help: "Iteration where the cosine reaches --min-lr.")
    var lrDecayIters = 2000
    @Option(name: [.customLong("weight-decay"), .customLong("weight_decay")], help: "AdamW weight decay on matrices (not on biases and norms).")
    var weightDecay: Float = 0.1
    @Option(help: "AdamW β1.")
    var beta1: Float = 0.9
    @Option(help: "AdamW β2.")
    var beta2: Float = 0.99
    @Option(name: [.customLong("grad-clip"), .customLong("grad_clip")], help: "Clip the global gradient norm to this (0 = off).")
    var gradClip: Float = 1
    @Option(name: [.customLong("eval-iters"), .customLong("eval_iters")], help: "Batches per split in each evaluation.")
    var evalIters = 20

    @OptionGroup var noise: InputNoiseFlags
    @OptionGroup var trainer: TrainerFlags

    func validate() throws {
        guard blockSize > 0, batchSize > 0, nLayer > 0, nHead > 0, nEmbd > 0, maxIters > 0, evalIters > 0 else {
            throw ValidationError("--block-size, --batch-size, --n-layer, --n-head, --n-embd, --max-iters and --eval-iters must be positive")
        }
        guard nEmbd % nHead == 0 else { throw ValidationError("--n-embd must be a multiple of --n-head") }
        guard dropout >= 0, dropout < 1 else { throw ValidationError("--dropout must lie in [0, 1)") }
        guard gradClip >= 0, warmupIters >= 0, lrDecayIters >= 0 else { throw ValidationError("--grad-clip, --warmup-iters and --lr-decay-iters must not be negative") }
    }

    func run() throws {
        setvbuf(stdout, nil, _IOLBF, 0)
        let (tokenizer, corpus) = try data.load()
        let config = GPTConfig(vocabSize: tokenizer.vocabularySize, blockSize: blockSize, nLayer: nLayer, nHead: nHead, nEmbd: nEmbd,
                               dropout: dropout, bias: bias)
        let model = try GPT(config: config, seed: data.seed)
        let task = try GPTTrainingTask(model: model, tokenizer: tokenizer, corpus: corpus, batchSize: batchSize, evalIters: evalIters,
                                       weightDecay: weightDecay, noising: noise.noising(of: corpus, defaultProbability: 0))
        var options = TrainerOptions(numSteps: maxIters, outputDirectory: URL(fileURLWithPath: data.output), learningRate: learningRate,
                                     clipNorm: gradClip > 0 ? gradClip : nil, seed: data.seed)
        options.betas = (beta1, beta2)
        options.schedule = .warmupCosine(warmupSteps: warmupIters, decaySteps: lrDecayIters, minimum: minLr)
        options.evalEvery = data.evalInterval
        options.checkpointEvery = data.checkpointEvery > 0 ? data.checkpointEvery : max(data.evalInterval, 1)
        options.keepCheckpoints = data.keepCheckpoints
        options.runSettings = data.runSettings.merging(["batch_size": String(batchSize)]) { a, _ in a }
        trainer.apply(to: &options)
        InputNoiseFlags.announce(task.noising, in: &options)
        try runTraining(task: task, options: options, logEvery: 10,
                        header: "model: \(model.parameterCount) parameters, \(nLayer) layers × \(nHead) heads × \(nEmbd), block \(blockSize)")
    }
}
