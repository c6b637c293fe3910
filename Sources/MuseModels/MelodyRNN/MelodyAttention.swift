import Foundation
import MuseCore

/// Magenta's attention_rnn attention (TensorFlow's `AttentionCellWrapper` around the LSTM stack,
/// Bahdanau-style over the wrapper's last `length` outputs), written with MuseCore ops:
///
///     x̃_t   = W_in [x_t ; a_{t−1}] + b_in                       (input projection, back to inputSize)
///     h_t   = LSTM stack(x̃_t)                                   (dropout after every layer)
///     q_t   = W_q [c¹_t ; h¹_t ; … ; cᴸ_t ; hᴸ_t] + b_q         (query from every layer's state)
///     s_t,j = vᵀ tanh(W_k m_j + q_t),  α_t = softmax_j(s_t)      (m_j: the last `length` outputs)
///     a_t   = Σ_j α_t,j m_j
///     o_t   = W_o [h_t ; a_t] + b_o                             (output; pushed onto m, oldest dropped)
///
/// How close to Magenta: the equations, state layout (c before h per layer), zero initial
/// attention and memory, and the attention vector size (= layer size) are TensorFlow's; the
/// weights are PyTorch-style named tensors (`attention.input_projection.weight` …) that do not
/// load TensorFlow checkpoints, and initialisation is PyTorch's default, not TF's.
public final class MelodyAttention: Module {
    /// Outputs attended over (Magenta's `attn_length`, 40 in attention_rnn).
    public let length: Int
    /// W_in: [inputSize, inputSize + H].
    public let inputProjection: Linear
    /// W_q: [H, 2·layers·H].
    public let query: Linear
    /// W_k: [H, H], no bias (TF's 1×1 convolution `AttnW`).
    public let keys: Linear
    /// v: [H] (TF's `AttnV`).
    public let v: Tensor
    /// W_o: [H, 2H].
    public let outputProjection: Linear
    public var isTraining = true
    public var localParameters: [(name: String, tensor: Tensor)] { [("v", v)] }
    public var children: [(name: String, module: any Module)] {
        [("input_projection", inputProjection), ("query", query), ("keys", keys), ("output_projection", outputProjection)]
    }

    /// Seeded PyTorch-default initialisation.
    public init<G: RandomNumberGenerator>(inputSize: Int, hiddenSize H: Int, numLayers: Int, length: Int, using generator: inout G) {
        self.length = length
        inputProjection = Linear(inFeatures: inputSize + H, outFeatures: inputSize, using: &generator)
        query = Linear(inFeatures: 2 * numLayers * H, outFeatures: H, using: &generator)
        keys = Linear(inFeatures: H, outFeatures: H, bias: false, using: &generator)
        let k = 1 / Float(H).squareRoot()
        v = Tensor.uniform([H], low: -k, high: k, using: &generator)
        v.requiresGrad = true
        outputProjection = Linear(inFeatures: 2 * H, outFeatures: H, using: &generator)
    }

    /// One step of attention after the LSTM stack.
    /// - Parameters:
    ///   - cellOutput: [B, H] top LSTM output (after dropout).
    ///   - states: the stack's new per-layer states (h, c: [1, B, H]).
    ///   - memory: [B, length, H] the last outputs.
    /// - Returns: output o_t [B, H], attention a_t [B, H], the updated memory.
    func step(cellOutput: Tensor, states: [LSTMState], memory: Tensor) throws -> (output: Tensor, attention: Tensor, memory: Tensor) {
        let B = cellOutput.shape[0], H = cellOutput.shape[1]
        let parts = try states.flatMap { [try $0.cell.reshape([B, H]), try $0.hidden.reshape([B, H])] }
        let q = try query(try Tensor.concat(parts, axis: 1)).unsqueeze(axis: 1)       // [B, 1, H]
        let scores = try ((try keys(memory) + q).tanh() * v).sum(axis: 2)               // [B, L]
        let alpha = try scores.softmax(axis: -1)
        let a = try (try alpha.unsqueeze(axis: 2) * memory).sum(axis: 1)                // [B, H]
        let o = try outputProjection(try Tensor.concat([cellOutput, a], axis: 1))       // [B, H]
        let shifted = length > 1 ? try memory.narrow(axis: 1, start: 1, length: length - 1) : nil
        let next = try shifted.map { try Tensor.concat([$0, try o.unsqueeze(axis: 1)], axis: 1) } ?? o.unsqueeze(axis: 1)
        return (o, a, next)
    }
}
