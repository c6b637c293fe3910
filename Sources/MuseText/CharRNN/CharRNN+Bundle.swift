import Foundation
import MuseCore
import MuseTraining

/// A char-rnn with its tokenizer, as loaded from a bundle.
public final class CharRNNLanguageModel: TextLanguageModel {
    /// The model (evaluation mode).
    public let model: CharRNN
    public let tokenizer: any TextTokenizer

    /// Pairs a model with the tokenizer it was trained with.
    public init(model: CharRNN, tokenizer: any TextTokenizer) {
        self.model = model
        self.tokenizer = tokenizer
    }

    public func generate(prompt: [Int], samples: Int, maxNewTokens: Int, temperature: Float, topK: Int?,
                         using generator: inout SplitMix64) throws -> [[Int]] {
        try model.generate(prompt: prompt, samples: samples, maxNewTokens: maxNewTokens, temperature: temperature, topK: topK, using: &generator)
    }

    /// The text cut into 16 contiguous streams run side by side, 256 steps at a time, the state
    /// carried through each stream (every token but each stream's first is predicted from all of
    /// its stream before it).
    public func score(_ ids: [Int32]) throws -> (nats: Double, targets: [Int32]) {
        try Self.score(model, ids, streams: 16, seqLength: 256)
    }

    /// Summed nats of `ids` split into at most `streams` contiguous streams (each at least 2
    /// tokens), run `seqLength` steps at a time with the state carried; and the targets scored.
    static func score(_ model: CharRNN, _ ids: [Int32], streams: Int, seqLength: Int) throws -> (nats: Double, targets: [Int32]) {
        let b = max(1, min(streams, ids.count / 2)), length = ids.count / b
        let wasTraining = model.isTraining
        model.eval()
        defer { model.train(wasTraining) }
        return try noGrad {
            var nats: Double = 0
            var targets: [Int32] = []
            var state: LSTMState?
            var start = 0
            while start < length - 1 {
                let t = min(seqLength, length - 1 - start)
                var x: [Int] = [], y: [Int] = []
                for s in 0..<b {
                    let base = s * length + start
                    x += ids[base..<(base + t)].map(Int.init)
                    y += ids[(base + 1)...(base + t)].map(Int.init)
                }
                let (logits, next) = try model(x, batch: b, length: t, state: state)
                state = next
                nats += Double(try crossEntropy(logits: logits.reshape([b * t, model.config.vocabSize]), targets: y).item()) * Double(b * t)
                targets += y.map(Int32.init)
                start += t
            }
            return (nats, targets)
        }
    }
}

extension CharRNN {
    /// The bundle kind: char-rnns continue prompts and score text.
    public static let bundleKind = BundleKind(
        name: "char-rnn", summary: "char-rnn LSTM language model (text, with its vocab.json)",
        capabilities: [.generate, .evaluate]) { try CharRNN.load(bundle: $0) }

    /// Loads an opened bundle (config, weights, `vocab.json`) in evaluation mode.
    /// - Throws: `TrainingError` naming the file and field that is missing or wrong, `TextError` for a bad vocabulary.
    public static func load(bundle: ModelBundle) throws -> CharRNNLanguageModel {
        let config = try bundle.config(CharRNNConfig.self)
        try config.validate(file: bundle.configURL.path)
        let tokenizer = try TextModelBundle.tokenizer(in: bundle, vocabularySize: config.vocabSize)
        let model = try CharRNN(config: config)
        try bundle.loadWeights(into: model)
        model.eval()
        return CharRNNLanguageModel(model: model, tokenizer: tokenizer)
    }
}
