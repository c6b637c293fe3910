import Foundation

/// A pre-norm Transformer encoder block, `torch.nn.TransformerEncoderLayer(d_model, nhead,
/// dim_feedforward, dropout, activation, batch_first=True, norm_first=True)`:
///
///     x = x + dropout1(self_attn(norm1(x)))
///     x = x + dropout2(linear2(dropout(activation(linear1(norm2(x))))))
///
/// Sub-modules are named as PyTorch's (`self_attn.*`, `linear1`, `linear2`, `norm1`, `norm2`), so
/// its state dict loads 1:1. Input and output [B, T, dModel].
public final class TransformerEncoderLayer: Module {
    /// The feed-forward non-linearity.
    public enum Activation: String, Codable, Sendable {
        /// max(x, 0), PyTorch's default.
        case relu
        /// Exact GELU x·Φ(x).
        case gelu
    }

    /// Self-attention over the normalised input.
    public let selfAttention: MultiHeadAttention
    /// dModel → dimFeedforward.
    public let linear1: Linear
    /// dimFeedforward → dModel.
    public let linear2: Linear
    /// Normalises the attention branch input.
    public let norm1: LayerNorm
    /// Normalises the feed-forward branch input.
    public let norm2: LayerNorm
    /// Dropout inside the feed-forward branch, after the activation.
    public let dropout: Dropout
    /// Dropout on the attention branch output.
    public let dropout1: Dropout
    /// Dropout on the feed-forward branch output.
    public let dropout2: Dropout
    /// The feed-forward activation.
    public let activation: Activation
    public var isTraining = true
    public var children: [(name: String, module: any Module)] {
        [("self_attn", selfAttention), ("linear1", linear1), ("dropout", dropout), ("linear2", linear2),
         ("norm1", norm1), ("norm2", norm2), ("dropout1", dropout1), ("dropout2", dropout2)]
    }

    /// PyTorch's initialisation for every sub-layer; `seed` seeds the four dropout generators.
    /// - Parameters:
    ///   - dModel: model width; `numHeads` must divide it.
    ///   - dimFeedforward: hidden width of the feed-forward branch (PyTorch default 2048).
    ///   - dropout: probability for all dropouts, attention weights included (PyTorch default 0.1).
    ///   - layerNormEpsilon: PyTorch default 1e-5.
    public init<G: RandomNumberGenerator>(dModel: Int, numHeads: Int, dimFeedforward: Int = 2048, dropout: Float = 0.1,
                                          activation: Activation = .relu, layerNormEpsilon: Float = 1e-5, seed: UInt64 = 0,
                                          using generator: inout G) {
        selfAttention = MultiHeadAttention(embedDim: dModel, numHeads: numHeads, dropout: dropout, seed: seed, using: &generator)
        linear1 = Linear(inFeatures: dModel, outFeatures: dimFeedforward, using: &generator)
        linear2 = Linear(inFeatures: dimFeedforward, outFeatures: dModel, using: &generator)
        norm1 = LayerNorm(normalizedShape: [dModel], epsilon: layerNormEpsilon)
        norm2 = LayerNorm(normalizedShape: [dModel], epsilon: layerNormEpsilon)
        self.dropout = Dropout(probability: dropout, seed: seed &+ 1)
        dropout1 = Dropout(probability: dropout, seed: seed &+ 2)
        dropout2 = Dropout(probability: dropout, seed: seed &+ 3)
        self.activation = activation
    }

    /// - Parameters:
    ///   - input: [B, T, dModel]
    ///   - keyPaddingMask: [B, T], nonzero = padding (PyTorch's `src_key_padding_mask` True)
    ///   - causal: each position attends to itself and earlier ones only (`is_causal=True`)
    /// - Returns: [B, T, dModel]
    /// - Throws: `TensorError` when shapes do not fit.
    public func callAsFunction(_ input: Tensor, keyPaddingMask: Tensor? = nil, causal: Bool = false) throws -> Tensor {
        let attended = try selfAttention(norm1(input), keyPaddingMask: keyPaddingMask, causal: causal)
        let x = try input + dropout1(attended)
        var hidden = try linear1(norm2(x))
        hidden = activation == .relu ? hidden.relu() : hidden.gelu()
        return try x + dropout2(linear2(dropout(hidden)))
    }
}
