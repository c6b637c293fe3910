import ArgumentParser
import Foundation
import MuseCore
import MuseText
import MuseTraining

/// Flags every text model's `muse train …` shares: the corpus, its tokenizer, the run folder,
/// evaluation and checkpoint cadence, the seed.
struct TextTrainingFlags: ParsableArguments {
    @Option(help: "A UTF-8 text file, or a folder of .txt files (read recursively, in path order); the first 90% trains, the rest validates.")
    var text: String = "corpora/shakespeare"

    @Option(help: "Output folder for checkpoints (each holds config.json, model.safetensors and vocab.json).")
    var output: String = "runs/text"

    @Option(help: "Tokenizer: char (one token per Unicode scalar) or bpe (GPT-2-style byte-level BPE learned from the training part).")
    var tokenizer: TokenizerKind = .char

    @Option(name: [.customLong("vocab-size"), .customLong("vocab_size")], help: "BPE vocabulary: 256 byte tokens plus the merges learned (bpe only).")
    var vocabSize = 1024

    @Option(name: [.customLong("eval-interval"), .customLong("eval_interval")], help: "Evaluate on held-out text every N iterations (and at the end).")
    var evalInterval = 250

    @Option(name: [.customLong("checkpoint-every")], help: "Write a checkpoint every N iterations (0: at each evaluation).")
    var checkpointEvery = 0

    @Option(name: .customLong("keep-checkpoints"), help: "Checkpoints kept.")
    var keepCheckpoints = 3

    @Option(help: "Seed of the initial weights and the batch order.")
    var seed: UInt64 = 1337

    func validate() throws {
        guard vocabSize >= 256 else { throw ValidationError("--vocab-size must be at least 256 (the byte tokens)") }
        guard evalInterval >= 0, checkpointEvery >= 0, keepCheckpoints >= 1 else {
            throw ValidationError("--eval-interval and --checkpoint-every must not be negative, --keep-checkpoints at least 1")
        }
    }

    /// Reads the text, makes the tokenizer and encodes both parts; prints one line about them.
    func load() throws -> (tokenizer: any TextTokenizer, corpus: TokenizedCorpus) {
        let corpus = try TextCorpus(contentsOf: text)
        let made = try corpus.makeTokenizer(kind: tokenizer, vocabularySize: vocabSize)
        let encoded = try corpus.encode(with: made)
        print("text \(text): \(corpus.files.count) file(s), \(corpus.scalarCount) characters; \(made.kind.rawValue) tokenizer of "
              + "\(made.vocabularySize) tokens; \(encoded.train.count) training and \(encoded.validation.count) validation tokens")
        return (made, encoded)
    }

    /// What identifies the run's data (a resumed run with other values is refused).
    var runSettings: [String: String] {
        ["text": text, "tokenizer": tokenizer.rawValue, "vocab_size": tokenizer == .bpe ? String(vocabSize) : "-"]
    }
}

/// Flags of `muse generate gpt|char-rnn` (nanoGPT's sample.py names).
struct TextGenerationFlags: ParsableArguments {
    @Option(help: "Model bundle folder (or a training output folder: its newest checkpoint is used).")
    var bundle: String = "runs/text"

    @Option(help: "Text the samples continue (nanoGPT's --start); every character must be in the model's vocabulary.")
    var start: String = "\n"

    @Option(name: [.customLong("max-new-tokens"), .customLong("max_new_tokens")], help: "Tokens generated per sample.")
    var maxNewTokens = 500

    @Option(help: "Sampling temperature (> 0; 0 = always the most likely token).")
    var temperature: Float = 0.8

    @Option(name: [.customLong("top-k"), .customLong("top_k")], help: "Draw only among the k most likely tokens (0 = all).")
    var topK = 200

    @Option(name: [.customLong("num-samples"), .customLong("num_samples")], help: "Samples to draw.")
    var numSamples = 3

    @Option(help: "Seed of the sampling.")
    var seed: UInt64 = 1337

    @Flag(name: .customLong("line-lengths"), help: "After the samples, count the Han characters of their verses (Chinese poems: the share of 5 or 7).")
    var lineLengths = false

    func validate() throws {
        guard maxNewTokens > 0, numSamples > 0 else { throw ValidationError("--max-new-tokens and --num-samples must be positive") }
        guard temperature >= 0, temperature.isFinite else { throw ValidationError("--temperature must be a finite number ≥ 0") }
        guard topK >= 0 else { throw ValidationError("--top-k must not be negative") }
        guard !start.isEmpty else { throw ValidationError("--start must hold at least one character") }
    }

    /// Loads the bundle, draws the samples and prints each (start included) after a separator,
    /// as nanoGPT's sample.py; undecodable byte sequences (a BPE token cut mid-character) become U+FFFD.
    func run<M: TextLanguageModel>(_ type: M.Type) throws {
        let model = try naming(bundle) { try bundleRegistry.load(M.self, from: URL(fileURLWithPath: bundle), for: .generate) }
        let prompt = try model.tokenizer.encode(start, file: "--start").map(Int.init)
        var generator = SplitMix64(seed: seed)
        let samples = try model.generate(prompt: prompt, samples: numSamples, maxNewTokens: maxNewTokens, temperature: temperature,
                                         topK: topK == 0 ? nil : topK, using: &generator)
        var verses = VerseLengths(measuring: "")
        for tokens in samples {
            let text = try model.tokenizer.decode((prompt + tokens).map(Int32.init), lossy: true)
            print(text)
            print("---------------")
            verses = verses + VerseLengths(measuring: try model.tokenizer.decode(tokens.map(Int32.init), lossy: true))
        }
        if lineLengths { print("verse lengths of the generated text: " + verses.summary) }
    }
}

/// Arguments of `muse evaluate gpt|char-rnn`.
struct TextEvaluationFlags: ParsableArguments {
    @Option(help: "Model bundle folder (or a training output folder: its newest checkpoint is used).")
    var bundle: String = "runs/text"

    @Argument(help: "A UTF-8 text file, or a folder of .txt files, to score (ideally text the model has not seen).")
    var path: String

    @Flag(help: "Print the scores as JSON.")
    var json = false

    /// Loads the bundle, scores the text and prints the summary or JSON.
    func run<M: TextLanguageModel>(_ type: M.Type) throws {
        let model = try naming(bundle) { try bundleRegistry.load(M.self, from: URL(fileURLWithPath: bundle), for: .evaluate) }
        let corpus = try TextCorpus(contentsOf: path)
        let report = try TextEvaluation.evaluate(model, text: corpus.bytes, file: path)
        try printReport(report, json: json)
    }
}

/// `--input-noise` and `--input-noise-scaling` of `muse train gpt|char-rnn`: unigram noising of
/// the training inputs (`InputNoising`). The commands differ in the default γ₀ only.
struct InputNoiseFlags: ParsableArguments {
    @Option(name: [.customLong("input-noise"), .customLong("input_noise")],
            help: ArgumentHelp("γ₀ of the unigram noising of the training inputs (Xie et al. 2017): a token is replaced by one drawn from the training text's token frequencies (0 = off; default: char-rnn 0.5, gpt 0 as nanoGPT).",
                               discussion: "Noising keeps a model trained on a small text with many kinds of characters, such as the Tang poems, from learning it by heart: the verses it writes keep their lengths."))
    var inputNoise: Double?

    @Option(name: .customLong("input-noise-scaling"),
            help: "per-token: a token is replaced with chance γ₀ × (distinct tokens that follow it) / (its occurrences), so frequent tokens of a large text are hardly noised; constant: with chance γ₀.")
    var scaling: InputNoising.Scaling = .perToken

    func validate() throws {
        if let gamma = inputNoise, !(gamma >= 0 && gamma < 1) { throw ValidationError("--input-noise must lie in [0, 1)") }
    }

    /// The noising of `corpus`'s training part, γ₀ = `--input-noise` or `defaultProbability`.
    func noising(of corpus: TokenizedCorpus, defaultProbability: Double) throws -> InputNoising {
        try InputNoising(probability: inputNoise ?? defaultProbability, scaling: scaling, pool: corpus.train, vocabularySize: corpus.vocabularySize)
    }

    /// When the noising is on: adds it to the run settings (so runs without it resume as before and
    /// a noised run does not go on with other noise) and prints its summary.
    static func announce(_ noising: InputNoising, in options: inout TrainerOptions) {
        guard noising.probability > 0 else { return }
        options.runSettings["input_noise"] = "\(noising.probability) \(noising.scaling.rawValue)"
        print(noising.summary)
    }
}

extension InputNoising.Scaling: ExpressibleByArgument {}
