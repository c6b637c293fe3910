import Foundation
import MuseTraining

/// The shape of a GPT as nanoGPT's `GPTConfig` (same JSON keys): `block_size` positions,
/// `n_layer` blocks of `n_head` heads over `n_embd` features, `dropout` probability, `bias` in the
/// Linear and LayerNorm layers (nanoGPT's train.py default: false).
public struct GPTConfig: Codable, Equatable, Sendable {
    /// Number of token ids.
    public var vocabSize: Int
    /// Longest context in tokens (learned positions).
    public var blockSize: Int = 64
    /// Transformer blocks.
    public var nLayer: Int = 4
    /// Attention heads per block (must divide `nEmbd`).
    public var nHead: Int = 4
    /// Model width.
    public var nEmbd: Int = 128
    /// Dropout after the embeddings, on the attention weights and after each residual branch.
    public var dropout: Float = 0
    /// Biases in Linear layers and LayerNorms.
    public var bias: Bool = false

    enum CodingKeys: String, CodingKey {
        case vocabSize = "vocab_size", blockSize = "block_size", nLayer = "n_layer", nHead = "n_head", nEmbd = "n_embd", dropout, bias
    }

    /// A config with nanoGPT's Shakespeare-on-CPU sizes for `vocabSize` tokens.
    public init(vocabSize: Int, blockSize: Int = 64, nLayer: Int = 4, nHead: Int = 4, nEmbd: Int = 128, dropout: Float = 0, bias: Bool = false) {
        self.vocabSize = vocabSize
        self.blockSize = blockSize
        self.nLayer = nLayer
        self.nHead = nHead
        self.nEmbd = nEmbd
        self.dropout = dropout
        self.bias = bias
    }

    /// - Throws: `TrainingError.badField` naming `file` and the field that makes no sense.
    public func validate(file: String = "config") throws {
        func bad(_ field: String, _ reason: String) -> TrainingError { .badField(file: file, field: field, reason: reason) }
        guard vocabSize > 0 else { throw bad("vocab_size", "must be positive, got \(vocabSize)") }
        guard blockSize > 0 else { throw bad("block_size", "must be positive, got \(blockSize)") }
        guard nLayer > 0 else { throw bad("n_layer", "must be positive, got \(nLayer)") }
        guard nHead > 0, nEmbd > 0, nEmbd % nHead == 0 else { throw bad("n_embd", "\(nEmbd) is not a positive multiple of n_head \(nHead)") }
        guard dropout >= 0, dropout < 1 else { throw bad("dropout", "\(dropout) not in [0, 1)") }
    }
}
