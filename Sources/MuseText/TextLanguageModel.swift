import Foundation
import MuseCore

/// A trained text model with its tokenizer, as the CLI loads it from a bundle: it continues a
/// prompt and scores text.
public protocol TextLanguageModel: AnyObject {
    /// The tokenizer the model was trained with (the bundle's `vocab.json`).
    var tokenizer: any TextTokenizer { get }
    /// Continues `prompt` (token ids) `samples` times with `maxNewTokens` new tokens each.
    /// - Parameters: temperature > 0 (0 = greedy), topK (nil = every token).
    func generate(prompt: [Int], samples: Int, maxNewTokens: Int, temperature: Float, topK: Int?,
                  using generator: inout SplitMix64) throws -> [[Int]]
    /// Summed negative log-likelihood (nats) of the tokens of `ids` the model predicts, and the
    /// predicted positions (the targets).
    func score(_ ids: [Int32]) throws -> (nats: Double, targets: [Int32])
}

/// Scores of a text under a model, per token and per character (Unicode scalar), with the
/// unigram entropy of the text's own token frequencies for comparison.
public struct TextEvaluation: Codable, Equatable, Sendable {
    /// Tokens predicted.
    public var tokens: Int
    /// Unicode scalars those tokens spell.
    public var characters: Int
    /// Mean negative log-likelihood per token, nats.
    public var natsPerToken: Double
    /// Per token, bits.
    public var bitsPerToken: Double
    /// Per character, nats.
    public var natsPerCharacter: Double
    /// Per character, bits.
    public var bitsPerCharacter: Double
    /// Entropy of the predicted tokens' own frequencies (the best any unigram model can do on
    /// this text), nats per token.
    public var unigramNatsPerToken: Double
    /// The same per character, bits.
    public var unigramBitsPerCharacter: Double

    /// Scores `text` under `model`.
    /// - Throws: `TextError` when the text does not encode, `.emptyInput` for fewer than two tokens.
    public static func evaluate(_ model: any TextLanguageModel, text: [UInt8], file: String?) throws -> TextEvaluation {
        let ids = try model.tokenizer.encode(utf8: text, file: file)
        guard ids.count >= 2 else { throw TextError.emptyInput(file: file) }
        let (nats, targets) = try model.score(ids)
        let bytes = try model.tokenizer.decodeBytes(targets)
        let characters = max(1, bytes.reduce(0) { $0 + ($1 & 0xC0 != 0x80 ? 1 : 0) })
        var counts: [Int32: Int] = [:]
        for t in targets { counts[t, default: 0] += 1 }
        let n = Double(targets.count)
        let unigram = counts.values.reduce(0.0) { let p = Double($1) / n; return $0 - p * Foundation.log(p) }
        let perToken = nats / n, perCharacter = nats / Double(characters)
        return TextEvaluation(tokens: targets.count, characters: characters, natsPerToken: perToken, bitsPerToken: perToken / M_LN2,
                              natsPerCharacter: perCharacter, bitsPerCharacter: perCharacter / M_LN2, unigramNatsPerToken: unigram,
                              unigramBitsPerCharacter: unigram * n / Double(characters) / M_LN2)
    }

    /// Two lines for people.
    public var summary: String {
        String(format: "%d tokens, %d characters: %.4f nats/token (%.4f bits/token), %.4f nats/char (%.4f bits/char)\n"
               + "unigram baseline (the text's own token frequencies): %.4f nats/token, %.4f bits/char",
               tokens, characters, natsPerToken, bitsPerToken, natsPerCharacter, bitsPerCharacter, unigramNatsPerToken, unigramBitsPerCharacter)
    }
}
