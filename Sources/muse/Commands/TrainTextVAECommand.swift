import ArgumentParser
import Foundation
import MuseText
import MuseTraining

/// `muse train text-vae --text corpora/shakespeare --output runs/text-vae`: Bowman et al.'s sentence VAE on the lines of a text.
struct TrainTextVAECommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "text-vae",
        abstract: "Train a sentence VAE (Bowman et al. 2016: LSTM encoder → z → LSTM decoder) on the lines of a text.",
        discussion: """
            Every non-blank line of at most --max-length tokens is one example; the last 10% of them are held out. The KL \
            term's weight rises from 0 to 1 over --kl-warmup-steps (--kl-annealing logistic, linear or none) and each \
            decoder input is replaced by a mask token with probability --word-dropout, so the decoder has to use z; the KL \
            of each line below --free-bits costs nothing, which keeps the posterior from collapsing onto the prior. Adam \
            with gradient clipping. Ctrl-C saves and exits; the same command resumes exactly.
            """)

    @OptionGroup var data: TextTrainingFlags

    @Option(name: [.customLong("embedding-size"), .customLong("embedding_size")], help: "Width of the token embedding.")
    var embeddingSize = 128
    @Option(name: [.customLong("hidden-size"), .customLong("hidden_size")], help: "LSTM units of the encoder and the decoder.")
    var hiddenSize = 256
    @Option(name: [.customLong("num-layers"), .customLong("num_layers")], help: "LSTM layers of each.")
    var numLayers = 1
    @Option(name: [.customLong("latent-size"), .customLong("latent_size")], help: "Dimensions of z.")
    var latentSize = 32
    @Option(name: .customLong("latent-input"), help: "How the decoder sees z: state (initial h and c), input (concatenated to every input) or both.")
    var latentInput = "both"
    @Option(name: [.customLong("word-dropout"), .customLong("word_dropout")], help: "Probability of masking each decoder input token in training (0 to 1).")
    var wordDropout: Float = 0.25
    @Option(name: .customLong("kl-annealing"), help: "KL weight warm-up: logistic, linear or none.")
    var klAnnealing: String = "logistic"
    @Option(name: .customLong("kl-warmup-steps"), help: "Steps until the KL weight reaches 1.")
    var klWarmupSteps = 2000
    @Option(name: [.customLong("free-bits"), .customLong("free_bits")], help: "KL per line in bits that costs nothing (MusicVAE's free bits; 0 = Bowman et al.'s plain KL).")
    var freeBits: Float = 16  // on Shakespeare, 1,500 steps: KL 10.4 nats/line and 2.49 bits/char held out; with 0, KL 0.4 and 2.80
    @Option(name: [.customLong("max-length"), .customLong("max_length")], help: "Longest line in tokens trained on (longer ones are skipped) and sampled.")
    var maxLength = 64
    @Option(name: [.customLong("batch-size"), .customLong("batch_size")], help: "Lines per batch.")
    var batchSize = 32
    @Option(name: [.customLong("max-iters"), .customLong("max_iters")], help: "Training iterations.")
    var maxIters = 5000
    @Option(name: [.customLong("learning-rate"), .customLong("learning_rate")], help: "Adam learning rate.")
    var learningRate: Float = 1e-3
    @Option(name: [.customLong("grad-clip"), .customLong("grad_clip")], help: "Clip the global gradient norm to this (0 = off).")
    var gradClip: Float = 5

    @OptionGroup var trainer: TrainerFlags

    func validate() throws {
        guard embeddingSize > 0, hiddenSize > 0, numLayers > 0, latentSize > 0, maxLength > 0, batchSize > 0, maxIters > 0 else {
            throw ValidationError("sizes, --max-length, --batch-size and --max-iters must be positive")
        }
        guard ["state", "input", "both"].contains(latentInput) else { throw ValidationError("--latent-input must be state, input or both, got \(latentInput)") }
        guard KLAnnealingKind(rawValue: klAnnealing) != nil else { throw ValidationError("--kl-annealing must be logistic, linear or none, got \(klAnnealing)") }
        guard wordDropout >= 0, wordDropout <= 1 else { throw ValidationError("--word-dropout must lie in [0, 1]") }
        guard klWarmupSteps >= 0, gradClip >= 0, freeBits >= 0 else { throw ValidationError("--kl-warmup-steps, --grad-clip and --free-bits must not be negative") }
    }

    func run() throws {
        setvbuf(stdout, nil, _IOLBF, 0)
        let corpus = try TextCorpus(contentsOf: data.text)
        let tokenizer = try corpus.makeTokenizer(kind: data.tokenizer, vocabularySize: data.vocabSize)
        let lines = try TextLines.encode(corpus.bytes, with: tokenizer, file: data.text)
        let config = TextVAEConfig(tokenizerVocabSize: tokenizer.vocabularySize, embeddingSize: embeddingSize, hiddenSize: hiddenSize, numLayers: numLayers,
                                   latentSize: latentSize, latentToInitialState: latentInput != "input", latentAtEveryStep: latentInput != "state",
                                   wordDropout: wordDropout, klAnnealing: KLAnnealing(kind: KLAnnealingKind(rawValue: klAnnealing) ?? .logistic, warmupSteps: klWarmupSteps),
                                   freeBits: freeBits, maxLength: maxLength)
        let model = try TextVAE(config: config, seed: data.seed)
        let task = try TextVAETrainingTask(model: model, tokenizer: tokenizer, lines: lines, batchSize: batchSize)
        print("text \(data.text): \(corpus.scalarCount) characters, \(lines.count) lines; \(tokenizer.kind.rawValue) tokenizer of \(tokenizer.vocabularySize) tokens; "
              + "\(task.train.count) training and \(task.validation.count) held-out lines, \(task.skippedLines) longer than \(maxLength) tokens skipped")
        var options = TrainerOptions(numSteps: maxIters, outputDirectory: URL(fileURLWithPath: data.output), learningRate: learningRate,
                                     clipNorm: gradClip > 0 ? gradClip : nil, seed: data.seed)
        options.evalEvery = data.evalInterval
        options.checkpointEvery = data.checkpointEvery > 0 ? data.checkpointEvery : max(data.evalInterval, 1)
        options.keepCheckpoints = data.keepCheckpoints
        options.runSettings = data.runSettings.merging(["batch_size": String(batchSize), "max_length": String(maxLength)]) { a, _ in a }
        trainer.apply(to: &options)
        try runTraining(task: task, options: options, logEvery: 50,
                        header: "model: \(model.parameterCount) parameters, LSTM \(hiddenSize)×\(numLayers), z \(latentSize), word dropout \(wordDropout), "
                            + "KL \(klAnnealing) over \(klWarmupSteps) steps" + (freeBits > 0 ? ", \(freeBits) free bits per line" : ""))
    }
}
