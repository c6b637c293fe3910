import Foundation
import MuseCore

/// Summed scores of lines under a text VAE (nats), from one posterior sample per line.
public struct TextVAEScore: Equatable, Sendable {
    /// Lines scored.
    public var lines = 0
    /// Targets predicted: the lines' tokens and one end per line.
    public var tokens = 0
    /// Σ −log p(line | z).
    public var reconstructionNats: Double = 0
    /// Σ KL(q(z | line) ‖ N(0, I)).
    public var klNats: Double = 0
}

extension TextVAE {
    /// Scores `lines` (tokenizer ids, each non-empty) in batches of `batchSize` lines of similar
    /// length, z drawn once per line from a generator seeded with `seed` (so the estimate is
    /// repeatable); no word dropout.
    /// - Throws: `TensorError.invalidArgument` for an empty line.
    public func score(_ lines: [[Int32]], batchSize: Int = 64, seed: UInt64 = 0) throws -> TextVAEScore {
        let wasTraining = isTraining
        eval()
        defer { train(wasTraining) }
        var rng = SplitMix64(seed: seed)
        let order = lines.indices.sorted { (lines[$0].count, $0) < (lines[$1].count, $1) }
        var score = TextVAEScore()
        try noGrad {
            for start in stride(from: 0, to: order.count, by: max(1, batchSize)) {
                let chosen = order[start..<min(order.count, start + max(1, batchSize))].map { lines[$0] }
                let batch = try TextVAEBatch(lines: chosen, config: config)
                let epsilon = Tensor.randn([batch.count, config.latentSize], using: &rng)
                let (terms, _) = try loss(batch, epsilon: epsilon, klWeight: 1)
                score.lines += batch.count
                score.tokens += batch.targetCount
                score.reconstructionNats += Double(terms.reconstruction.item()) * Double(batch.count)
                score.klNats += Double(terms.kl.item()) * Double(batch.count)
            }
        }
        return score
    }
}

/// A text VAE's scores on a text, per line, per token and per character, beside the unigram
/// entropy of the text's own tokens. The ELBO is a lower bound on log p(line):
/// ELBO = −reconstruction − KL, from one posterior sample per line (seed 0).
public struct TextVAEEvaluation: Codable, Equatable, Sendable {
    /// Non-blank lines scored.
    public var lines: Int
    /// Tokens predicted (each line's tokens and its end, which stands for the newline).
    public var tokens: Int
    /// Unicode scalars of those lines, one newline per line included.
    public var characters: Int
    /// −log p(line | z) per line, nats.
    public var reconstructionNatsPerLine: Double
    /// KL(q(z | line) ‖ N(0, I)) per line, nats.
    public var klNatsPerLine: Double
    /// ELBO per line, nats (≤ log p(line)).
    public var elboNatsPerLine: Double
    /// Reconstruction per token: nats and bits.
    public var reconstructionNatsPerToken: Double
    public var reconstructionBitsPerToken: Double
    /// Reconstruction per character, bits.
    public var reconstructionBitsPerCharacter: Double
    /// −ELBO per character, bits (an upper bound on the model's bits per character).
    public var negativeElboBitsPerCharacter: Double
    /// Entropy of the predicted tokens' own frequencies (ends included), nats per token, and the
    /// same per character in bits: what a unigram model fitted to this very text would score.
    public var unigramNatsPerToken: Double
    public var unigramBitsPerCharacter: Double

    /// Scores the lines of UTF-8 `text` under `model`.
    /// - Throws: `TextError` when the text does not encode, `.emptyInput` when it has no line.
    public static func evaluate(_ model: TextVAEModel, text: [UInt8], file: String?) throws -> TextVAEEvaluation {
        let lines = try TextLines.encode(text, with: model.tokenizer, file: file)
        guard !lines.isEmpty else { throw TextError.emptyInput(file: file) }
        let score = try model.model.score(lines)
        var characters = 0
        var counts: [Int32: Int] = [:]
        for line in lines {
            let bytes = try model.tokenizer.decodeBytes(line)
            characters += bytes.reduce(0) { $0 + ($1 & 0xC0 != 0x80 ? 1 : 0) } + 1
            for t in line { counts[t, default: 0] += 1 }
        }
        counts[Int32(model.model.config.eosID)] = lines.count
        let n = Double(score.tokens)
        let unigram = counts.values.reduce(0.0) { let p = Double($1) / n; return $0 - p * Foundation.log(p) }
        let perLine = Double(score.lines)
        return TextVAEEvaluation(
            lines: score.lines, tokens: score.tokens, characters: characters,
            reconstructionNatsPerLine: score.reconstructionNats / perLine, klNatsPerLine: score.klNats / perLine,
            elboNatsPerLine: -(score.reconstructionNats + score.klNats) / perLine,
            reconstructionNatsPerToken: score.reconstructionNats / n, reconstructionBitsPerToken: score.reconstructionNats / n / M_LN2,
            reconstructionBitsPerCharacter: score.reconstructionNats / Double(characters) / M_LN2,
            negativeElboBitsPerCharacter: (score.reconstructionNats + score.klNats) / Double(characters) / M_LN2,
            unigramNatsPerToken: unigram, unigramBitsPerCharacter: unigram * n / Double(characters) / M_LN2)
    }

    /// Three lines for people.
    public var summary: String {
        String(format: "%d lines, %d tokens, %d characters\n", lines, tokens, characters)
            + String(format: "reconstruction %.3f nats/line (%.4f nats/token, %.4f bits/token, %.4f bits/char), KL %.3f nats/line, ELBO %.3f nats/line (%.4f bits/char)\n",
                     reconstructionNatsPerLine, reconstructionNatsPerToken, reconstructionBitsPerToken, reconstructionBitsPerCharacter,
                     klNatsPerLine, elboNatsPerLine, negativeElboBitsPerCharacter)
            + String(format: "unigram baseline (the text's own token frequencies): %.4f nats/token, %.4f bits/char", unigramNatsPerToken, unigramBitsPerCharacter)
    }
}
