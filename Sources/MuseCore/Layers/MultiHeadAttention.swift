import Foundation

/// Multi-head attention as `torch.nn.MultiheadAttention(embedDim, numHeads, batch_first=True)`:
/// inputs [B, T, E], one packed input projection `in_proj_weight` [3E, E] / `in_proj_bias` [3E]
/// (query, key, value rows in that order) and `out_proj` (a `Linear` E → E), so PyTorch state
/// dicts load 1:1. Heads split E into `numHeads` slices of E / numHeads; the attention itself is
/// the fused `Tensor.scaledDotProductAttention`.
public final class MultiHeadAttention: Module {
    /// Model width E.
    public let embedDim: Int
    /// Number of heads H (E must be a multiple of H).
    public let numHeads: Int
    /// Dropout probability on the attention weights (training only), PyTorch's `dropout`.
    public let dropoutProbability: Float
    /// [3E, E]: query, key and value projections stacked.
    public let inProjWeight: Tensor
    /// [3E]
    public let inProjBias: Tensor
    /// Output projection E → E (`out_proj.weight`, `out_proj.bias`).
    public let outProj: Linear
    /// The attention-dropout generator (owned; save its state to resume a run exactly).
    public var generator: SplitMix64
    public var isTraining = true
    public var localParameters: [(name: String, tensor: Tensor)] { [("in_proj_weight", inProjWeight), ("in_proj_bias", inProjBias)] }
    public var children: [(name: String, module: any Module)] { [("out_proj", outProj)] }

    /// PyTorch's initialisation: `in_proj_weight` Xavier-uniform, biases zero, `out_proj.weight`
    /// U(−1/√E, 1/√E). `seed` seeds the dropout generator.
    /// - Precondition: `embedDim` is a positive multiple of `numHeads`; `0 <= dropout < 1`.
    public init<G: RandomNumberGenerator>(embedDim: Int, numHeads: Int, dropout: Float = 0, seed: UInt64 = 0,
                                          using generator: inout G) {
        precondition(numHeads > 0 && embedDim > 0 && embedDim % numHeads == 0, "MultiHeadAttention: \(embedDim) not divisible by \(numHeads) heads")
        precondition(dropout >= 0 && dropout < 1, "MultiHeadAttention: dropout \(dropout) not in [0, 1)")
        self.embedDim = embedDim
        self.numHeads = numHeads
        dropoutProbability = dropout
        let bound = (6 / Float(embedDim + 3 * embedDim)).squareRoot()
        inProjWeight = Tensor.uniform([3 * embedDim, embedDim], low: -bound, high: bound, using: &generator)
        inProjWeight.requiresGrad = true
        inProjBias = Tensor.zeros([3 * embedDim], requiresGrad: true)
        outProj = Linear(inFeatures: embedDim, outFeatures: embedDim, using: &generator)
        outProj.bias?.withUnsafeMutableBufferPointer { $0.update(repeating: 0) }
        self.generator = SplitMix64(seed: seed)
    }

    /// [B, T, H·D] → [B, H, T, D] (a copy).
    func splitHeads(_ x: Tensor) throws -> Tensor {
        let b = x.shape[0], t = x.shape[1]
        return try x.reshape([b, t, numHeads, embedDim / numHeads]).permute([0, 2, 1, 3])
    }

    /// Attention of `query` over `key`/`value` (self-attention when all three are the same tensor).
    /// - Parameters:
    ///   - query: [B, Tq, E]
    ///   - key, value: [B, Tk, E] (default: `query`)
    ///   - keyPaddingMask: [B, Tk], nonzero = ignore that key (PyTorch's `key_padding_mask` True)
    ///   - causal: query i sees keys 0…i only (`attn_mask = triu(ones, 1)`; needs Tq = Tk)
    /// - Returns: [B, Tq, E] (PyTorch's first output with `need_weights=False`)
    /// - Throws: `TensorError` when shapes do not fit.
    public func callAsFunction(_ query: Tensor, key: Tensor? = nil, value: Tensor? = nil,
                               keyPaddingMask: Tensor? = nil, causal: Bool = false) throws -> Tensor {
        let key = key ?? query, value = value ?? key
        guard query.rank == 3, query.shape[2] == embedDim else {
            throw TensorError.shapeMismatch(op: "MultiHeadAttention", lhs: query.shape, rhs: inProjWeight.shape)
        }
        guard key.rank == 3, key.shape[0] == query.shape[0], key.shape == value.shape, key.shape[2] == embedDim else {
            throw TensorError.shapeMismatch(op: "MultiHeadAttention (key/value)", lhs: query.shape, rhs: key.shape == value.shape ? key.shape : value.shape)
        }
        if causal && key.shape[1] != query.shape[1] {
            throw TensorError.shapeMismatch(op: "MultiHeadAttention (causal)", lhs: query.shape, rhs: key.shape)
        }
        let e = embedDim, b = query.shape[0], tq = query.shape[1]
        let dropout = isTraining ? dropoutProbability : 0
        if query === key && key === value {
            // One [B, T, 3E] projection; the kernel reads its heads in place and returns [B, T, E].
            let qkv = try query.matmul(inProjWeight, transposeB: true) + inProjBias
            let merged = try Tensor.scaledDotProductAttention(packed: qkv, heads: numHeads, causal: causal, keyPaddingMask: keyPaddingMask,
                                                              dropoutProbability: dropout, generator: &generator)
            return try outProj(merged)
        }
        let w = try inProjWeight.chunk(3, axis: 0), bias = try inProjBias.chunk(3, axis: 0)
        let q = try splitHeads(query.matmul(w[0], transposeB: true) + bias[0])
        let k = try splitHeads(key.matmul(w[1], transposeB: true) + bias[1])
        let v = try splitHeads(value.matmul(w[2], transposeB: true) + bias[2])
        let attended = try Tensor.scaledDotProductAttention(query: q, key: k, value: v, causal: causal, keyPaddingMask: keyPaddingMask,
                                                            dropoutProbability: dropout, generator: &generator)
        // [B, H, Tq, D] → [B, Tq, H, D] → [B, Tq, E]
        let merged = try attended.permute([0, 2, 1, 3]).reshape([b, tq, e])
        return try outProj(merged)
    }
}
