import Foundation
import MuseCore
import MuseTraining

/// A GPT with its tokenizer, as loaded from a bundle.
public final class GPTLanguageModel: TextLanguageModel {
    /// The model (evaluation mode).
    public let model: GPT
    public let tokenizer: any TextTokenizer

    /// Pairs a model with the tokenizer it was trained with.
    public init(model: GPT, tokenizer: any TextTokenizer) {
        self.model = model
        self.tokenizer = tokenizer
    }

    public func generate(prompt: [Int], samples: Int, maxNewTokens: Int, temperature: Float, topK: Int?,
                         using generator: inout SplitMix64) throws -> [[Int]] {
        try model.generate(prompt: prompt, samples: samples, maxNewTokens: maxNewTokens, temperature: temperature, topK: topK, using: &generator)
    }

    /// Non-overlapping windows of `block_size` predictions, each from its own context only
    /// (16 windows per forward pass; a shorter last window).
    public func score(_ ids: [Int32]) throws -> (nats: Double, targets: [Int32]) {
        let t = model.config.blockSize, predictions = ids.count - 1
        var nats: Double = 0
        model.eval()
        try noGrad {
            var start = 0
            while start < predictions {
                let length = min(t, predictions - start)
                let rows = length == t ? min(16, (predictions - start) / t) : 1
                var x: [Int] = [], y: [Int] = []
                for r in 0..<rows {
                    let s = start + r * length
                    x += ids[s..<(s + length)].map(Int.init)
                    y += ids[(s + 1)...(s + length)].map(Int.init)
                }
                let loss = try model.loss(x, targets: y, batch: rows, length: length).loss.item()
                nats += Double(loss) * Double(rows * length)
                start += rows * length
            }
        }
        return (nats, Array(ids.dropFirst()))
    }
}

extension GPT {
    /// The bundle kind: GPTs continue prompts and score text.
    public static let bundleKind = BundleKind(
        name: "gpt", summary: "GPT language model as nanoGPT (text, with its vocab.json)",
        capabilities: [.generate, .evaluate]) { try GPT.load(bundle: $0) }

    /// Loads an opened bundle (config, weights, `vocab.json`) in evaluation mode.
    /// - Throws: `TrainingError` naming the file and field that is missing or wrong, `TextError` for a bad vocabulary.
    public static func load(bundle: ModelBundle) throws -> GPTLanguageModel {
        let config = try bundle.config(GPTConfig.self)
        try config.validate(file: bundle.configURL.path)
        let tokenizer = try TextModelBundle.tokenizer(in: bundle, vocabularySize: config.vocabSize)
        let model = try GPT(config: config)
        try bundle.loadWeights(into: model)
        model.eval()
        return GPTLanguageModel(model: model, tokenizer: tokenizer)
    }
}

/// The vocabulary file shared by text bundles.
public enum TextModelBundle {
    /// Name of the tokenizer file in a bundle.
    public static let vocabularyFile = "vocab.json"

    /// Reads the bundle's `vocab.json` and checks it has the model's vocabulary size.
    /// - Throws: `TrainingError.missingFile`, `TextError.badVocabulary`.
    public static func tokenizer(in bundle: ModelBundle, vocabularySize: Int) throws -> any TextTokenizer {
        let url = bundle.file(vocabularyFile)
        guard FileManager.default.fileExists(atPath: url.path) else { throw TrainingError.missingFile(file: url.path) }
        let tokenizer = try TokenizerFile.load(url.path)
        guard tokenizer.vocabularySize == vocabularySize else {
            throw TextError.badVocabulary(file: url.path, field: "vocabulary",
                                          problem: "\(tokenizer.vocabularySize) tokens, but the model's config says \(vocabularySize)")
        }
        return tokenizer
    }
}
