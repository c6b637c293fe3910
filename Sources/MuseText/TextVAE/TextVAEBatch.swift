import Foundation
import MuseCore

/// A batch of lines laid out for a text VAE, padded to the longest line L:
/// the encoder reads each line's tokens ([B, L], padded with the end id, which it never reaches);
/// the decoder reads begin + tokens and predicts tokens + end ([B, L + 1] each, padding targets
/// set to `ignoreIndex` so they cost nothing).
public struct TextVAEBatch: Equatable, Sendable {
    /// Target id of padding positions (PyTorch's `ignore_index` default).
    public static let ignoreIndex = -100
    /// B, lines.
    public let count: Int
    /// L, tokens of the longest line.
    public let length: Int
    /// Tokens of each line (≥ 1).
    public let lengths: [Int]
    /// Encoder input ids, B·L row-major.
    public let encoderInputs: [Int]
    /// Decoder input ids, B·(L+1) row-major: begin, the line, padding.
    public var decoderInputs: [Int]
    /// Decoder target ids, B·(L+1) row-major: the line, end, `ignoreIndex`.
    public let targets: [Int]

    /// Lays out `lines` (token ids of the tokenizer, each non-empty) for a model of `config`.
    /// - Throws: `TensorError.invalidArgument` for no lines or an empty line.
    public init(lines: [[Int32]], config: TextVAEConfig) throws {
        guard !lines.isEmpty else { throw TensorError.invalidArgument(op: "text VAE batch", reason: "no lines") }
        guard let shortest = lines.map(\.count).min(), shortest > 0 else {
            throw TensorError.invalidArgument(op: "text VAE batch", reason: "a line has no tokens")
        }
        let b = lines.count, l = lines.map(\.count).max() ?? 0
        var encoder = [Int](repeating: config.eosID, count: b * l)
        var decoder = [Int](repeating: config.eosID, count: b * (l + 1))
        var targets = [Int](repeating: Self.ignoreIndex, count: b * (l + 1))
        for (row, line) in lines.enumerated() {
            decoder[row * (l + 1)] = config.bosID
            for (t, id) in line.enumerated() {
                encoder[row * l + t] = Int(id)
                decoder[row * (l + 1) + t + 1] = Int(id)
                targets[row * (l + 1) + t] = Int(id)
            }
            targets[row * (l + 1) + line.count] = config.eosID
        }
        count = b
        length = l
        lengths = lines.map(\.count)
        encoderInputs = encoder
        decoderInputs = decoder
        self.targets = targets
    }

    /// Rows `rows` of this batch, keeping its padded length (one process's share of a global
    /// batch in data-parallel training: padding is ignored, so each line's loss is unchanged).
    public func rows(_ rows: Range<Int>) -> TextVAEBatch {
        TextVAEBatch(count: rows.count, length: length, lengths: Array(lengths[rows]),
                     encoderInputs: Array(encoderInputs[(rows.lowerBound * length)..<(rows.upperBound * length)]),
                     decoderInputs: Array(decoderInputs[(rows.lowerBound * (length + 1))..<(rows.upperBound * (length + 1))]),
                     targets: Array(targets[(rows.lowerBound * (length + 1))..<(rows.upperBound * (length + 1))]))
    }

    private init(count: Int, length: Int, lengths: [Int], encoderInputs: [Int], decoderInputs: [Int], targets: [Int]) {
        (self.count, self.length, self.lengths) = (count, length, lengths)
        (self.encoderInputs, self.decoderInputs, self.targets) = (encoderInputs, decoderInputs, targets)
    }

    /// Targets predicted (the lines' tokens and one end each).
    public var targetCount: Int { lengths.reduce(0, +) + count }

    /// Bowman et al.'s word dropout: each decoder input but the begin id and the padding is
    /// replaced by `maskID` with probability `rate`, one draw from `generator` per token.
    /// - Returns: how many inputs were replaced.
    @discardableResult
    public mutating func dropWords(rate: Float, maskID: Int, using generator: inout SplitMix64) -> Int {
        guard rate > 0 else { return 0 }
        var dropped = 0
        for row in 0..<count {
            for t in 1...lengths[row] {
                let u = Double(generator.next() >> 11) * 0x1p-53
                if u < Double(rate) {
                    decoderInputs[row * (length + 1) + t] = maskID
                    dropped += 1
                }
            }
        }
        return dropped
    }
}
