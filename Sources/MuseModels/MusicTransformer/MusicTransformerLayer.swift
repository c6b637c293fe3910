import Foundation
import MuseCore

/// One decoder block of the Music Transformer, **pre-norm**:
///
///     x = x + dropout(self_attn(norm1(x)))
///     x = x + dropout(linear2(dropout(relu(linear1(norm2(x))))))
///
/// Pre-norm because it is what Magenta's model is (tensor2tensor's `layer_preprocess_sequence =
/// "n"`, `layer_postprocess_sequence = "da"`, and a final layer norm after the stack), and
/// because the residual path then carries the embeddings unnormalised to the top, which trains
/// stably without a learning-rate warm-up — what a short CPU run needs.
///
/// The attention is causal; relative (`RelativeMultiHeadAttention`) or plain
/// (`MultiHeadAttention`, positions then come from the embeddings) by config. Names follow
/// `torch.nn.TransformerEncoderLayer(norm_first=True)`: `self_attn.*`, `linear1`, `linear2`,
/// `norm1`, `norm2`. Input and output [B, L, dModel].
public final class MusicTransformerLayer: Module {
    /// Relative self-attention (relative models), else `nil`.
    public let relativeAttention: RelativeMultiHeadAttention?
    /// Plain causal self-attention (absolute models), else `nil`.
    public let absoluteAttention: MultiHeadAttention?
    /// dModel → dFF.
    public let linear1: Linear
    /// dFF → dModel.
    public let linear2: Linear
    /// Normalises the attention branch input.
    public let norm1: LayerNorm
    /// Normalises the feed-forward branch input.
    public let norm2: LayerNorm
    /// Dropout after the ReLU of the feed-forward branch.
    public let dropout: Dropout
    /// Dropout on the attention branch output.
    public let dropout1: Dropout
    /// Dropout on the feed-forward branch output.
    public let dropout2: Dropout
    public var isTraining = true
    public var children: [(name: String, module: any Module)] {
        var attention: any Module { if let relativeAttention { return relativeAttention } else { return absoluteAttention! } }
        return [("self_attn", attention), ("linear1", linear1), ("dropout", dropout), ("linear2", linear2),
                ("norm1", norm1), ("norm2", norm2), ("dropout1", dropout1), ("dropout2", dropout2)]
    }

    /// A block with PyTorch's initialisation; `seed` seeds its dropout generators.
    public init<G: RandomNumberGenerator>(config: MusicTransformerConfig, seed: UInt64, using generator: inout G) {
        let e = config.dModel
        if config.positions == .relative {
            relativeAttention = RelativeMultiHeadAttention(embedDim: e, numHeads: config.numHeads,
                                                           maxRelativePosition: config.relativeTableRows,
                                                           dropout: config.dropout, seed: seed, using: &generator)
            absoluteAttention = nil
        } else {
            relativeAttention = nil
            absoluteAttention = MultiHeadAttention(embedDim: e, numHeads: config.numHeads, dropout: config.dropout, seed: seed,
                                                   using: &generator)
        }
        linear1 = Linear(inFeatures: e, outFeatures: config.dFF, using: &generator)
        linear2 = Linear(inFeatures: config.dFF, outFeatures: e, using: &generator)
        norm1 = LayerNorm(normalizedShape: [e])
        norm2 = LayerNorm(normalizedShape: [e])
        dropout = Dropout(probability: config.dropout, seed: seed &+ 1)
        dropout1 = Dropout(probability: config.dropout, seed: seed &+ 2)
        dropout2 = Dropout(probability: config.dropout, seed: seed &+ 3)
    }

    /// The block's input projection [3E, E], its bias [3E] and output projection, whichever attention it has.
    var attentionWeights: (inProjWeight: Tensor, inProjBias: Tensor, outProj: Linear) {
        if let a = relativeAttention { return (a.inProjWeight, a.inProjBias, a.outProj) }
        let a = absoluteAttention!
        return (a.inProjWeight, a.inProjBias, a.outProj)
    }

    /// Causal self-attention of the normalised input.
    func attend(_ x: Tensor) throws -> Tensor {
        if let relativeAttention { return try relativeAttention(x) }
        return try absoluteAttention!(x, causal: true)
    }

    /// - Parameter input: [B, L, dModel]
    /// - Returns: [B, L, dModel]
    public func callAsFunction(_ input: Tensor) throws -> Tensor {
        let x = try input + dropout1(attend(norm1(input)))
        return try x + dropout2(feedForward(norm2(x)))
    }

    /// linear2(dropout(relu(linear1(x)))).
    func feedForward(_ x: Tensor) throws -> Tensor {
        try linear2(dropout(linear1(x).relu()))
    }

    /// Every generator the block draws from (dropouts and attention-weight dropout), by name.
    var randomStates: [String: UInt64] {
        get {
            var s = ["dropout": dropout.generator.state, "dropout1": dropout1.generator.state, "dropout2": dropout2.generator.state]
            s["attention"] = relativeAttention?.generator.state ?? absoluteAttention?.generator.state
            return s
        }
        set {
            if let v = newValue["dropout"] { dropout.generator.state = v }
            if let v = newValue["dropout1"] { dropout1.generator.state = v }
            if let v = newValue["dropout2"] { dropout2.generator.state = v }
            if let v = newValue["attention"] {
                relativeAttention?.generator.state = v
                absoluteAttention?.generator.state = v
            }
        }
    }
}
