import Foundation

/// Causal multi-head self-attention with learned relative-position keys (Shaw et al. 2018) in the
/// memory-efficient form of Music Transformer (Huang et al., ICLR 2019):
///
///     logits = (q·kᵀ + Srel) / √D,   Srel = skew(q · Erᵀ),   out = out_proj(softmax(causal(logits)) · v)
///
/// Inputs are [B, L, E]; the input projection is packed as `torch.nn.MultiheadAttention`'s
/// (`in_proj_weight` [3E, E], `in_proj_bias` [3E], `out_proj` E → E), so names and shapes load
/// from PyTorch 1:1. `relative_embeddings` [H, M, D] holds one table per head (tensor2tensor's
/// default, `heads_share_relative_embedding=False`); row m is relative distance m − (M − 1), so the
/// last row is "the same position". For a sequence of L the table is cut to its last L rows, or
/// padded with zero rows in front when L > M (distances beyond M − 1 add nothing), as
/// tensor2tensor's `get_relative_embeddings_left`.
///
/// Memory: besides the [B, H, L, L] attention weights every attention keeps, the relative term
/// needs one [B, H, L, L] buffer (Q·Erᵀ, skewed in place: `Tensor.relativeLogits`) and the
/// [H, L, D] table — O(L·D + L²) per head, instead of the O(L²·D) of gathering Er for every
/// (i, j) pair.
public final class RelativeMultiHeadAttention: Module {
    /// Model width E.
    public let embedDim: Int
    /// Number of heads H (E must be a multiple of H).
    public let numHeads: Int
    /// Rows M of each head's relative table: the longest distance seen is M − 1.
    public let maxRelativePosition: Int
    /// Dropout probability on the attention weights (training only).
    public let dropoutProbability: Float
    /// [3E, E]: query, key and value projections stacked.
    public let inProjWeight: Tensor
    /// [3E]
    public let inProjBias: Tensor
    /// [H, M, D] learned relative-position key embeddings.
    public let relativeEmbeddings: Tensor
    /// Output projection E → E (`out_proj.weight`, `out_proj.bias`).
    public let outProj: Linear
    /// The attention-dropout generator (owned; save its state to resume a run exactly).
    public var generator: SplitMix64
    public var isTraining = true
    public var localParameters: [(name: String, tensor: Tensor)] {
        [("in_proj_weight", inProjWeight), ("in_proj_bias", inProjBias), ("relative_embeddings", relativeEmbeddings)]
    }
    public var children: [(name: String, module: any Module)] { [("out_proj", outProj)] }

    /// Head width D = E / H.
    public var headDim: Int { embedDim / numHeads }

    /// `in_proj_weight` Xavier-uniform and biases zero (as `torch.nn.MultiheadAttention`),
    /// `relative_embeddings` ~ N(0, 1/D) (tensor2tensor's initializer), `out_proj.weight`
    /// U(−1/√E, 1/√E). `seed` seeds the dropout generator.
    /// - Precondition: `embedDim` is a positive multiple of `numHeads`; `maxRelativePosition >= 1`;
    ///   `0 <= dropout < 1`.
    public init<G: RandomNumberGenerator>(embedDim: Int, numHeads: Int, maxRelativePosition: Int, dropout: Float = 0,
                                          seed: UInt64 = 0, using generator: inout G) {
        precondition(numHeads > 0 && embedDim > 0 && embedDim % numHeads == 0,
                     "RelativeMultiHeadAttention: \(embedDim) not divisible by \(numHeads) heads")
        precondition(maxRelativePosition >= 1, "RelativeMultiHeadAttention: maxRelativePosition \(maxRelativePosition) < 1")
        precondition(dropout >= 0 && dropout < 1, "RelativeMultiHeadAttention: dropout \(dropout) not in [0, 1)")
        self.embedDim = embedDim
        self.numHeads = numHeads
        self.maxRelativePosition = maxRelativePosition
        dropoutProbability = dropout
        let bound = (6 / Float(embedDim + 3 * embedDim)).squareRoot()
        inProjWeight = Tensor.uniform([3 * embedDim, embedDim], low: -bound, high: bound, using: &generator)
        inProjWeight.requiresGrad = true
        inProjBias = Tensor.zeros([3 * embedDim], requiresGrad: true)
        let d = embedDim / numHeads
        relativeEmbeddings = Tensor.randn([numHeads, maxRelativePosition, d], standardDeviation: 1 / Float(d).squareRoot(),
                                          using: &generator)
        relativeEmbeddings.requiresGrad = true
        outProj = Linear(inFeatures: embedDim, outFeatures: embedDim, using: &generator)
        outProj.bias?.withUnsafeMutableBufferPointer { $0.update(repeating: 0) }
        self.generator = SplitMix64(seed: seed)
    }

    /// The relative table for a sequence of `length`: [H, length, D], row r = distance r − (length − 1).
    /// - Throws: `TensorError` only on internal shape errors.
    public func embeddings(forLength length: Int) throws -> Tensor {
        let m = maxRelativePosition
        if length == m { return relativeEmbeddings }
        if length < m { return try relativeEmbeddings.narrow(axis: 1, start: m - length, length: length) }
        // [H, length − M, D] zeros in front of [H, M, D].
        return try Tensor.concat([Tensor.zeros([numHeads, length - m, headDim]), relativeEmbeddings], axis: 1)
    }

    /// [B, L, E] → [B, H, L, D] (a copy).
    func splitHeads(_ x: Tensor) throws -> Tensor {
        try x.reshape([x.shape[0], x.shape[1], numHeads, headDim]).permute([0, 2, 1, 3])
    }

    /// The relative term Srel [B, H, L, L] already divided by √D (the kernel adds it to the scaled
    /// logits): skew(q · (Er/√D)ᵀ), scaling the O(L·D) table rather than the O(L²) logits.
    /// - Parameter q: [B, H, L, D]
    public func relativeLogits(_ q: Tensor) throws -> Tensor {
        let table = try embeddings(forLength: q.shape[2]) * (1 / Float(headDim).squareRoot())  // [H, L, D]
        return try Tensor.relativeLogits(query: q, table: table)                              // [B, H, L, L]
    }

    /// Causal relative self-attention of `x`.
    /// - Parameter x: [B, L, E]
    /// - Returns: [B, L, E]
    /// - Throws: `TensorError.shapeMismatch` unless `x` is [B, L, E].
    public func callAsFunction(_ x: Tensor) throws -> Tensor {
        guard x.rank == 3, x.shape[2] == embedDim else {
            throw TensorError.shapeMismatch(op: "RelativeMultiHeadAttention", lhs: x.shape, rhs: inProjWeight.shape)
        }
        let b = x.shape[0], l = x.shape[1]
        let qkv = try x.matmul(inProjWeight, transposeB: true) + inProjBias                // [B, L, 3E]
        let parts = try qkv.chunk(3, axis: 2)
        let q = try splitHeads(parts[0]), k = try splitHeads(parts[1]), v = try splitHeads(parts[2])
        let attended = try Tensor.scaledDotProductAttention(
            query: q, key: k, value: v, bias: relativeLogits(q), causal: true,
            dropoutProbability: isTraining ? dropoutProbability : 0, generator: &generator)   // [B, H, L, D]
        let merged = try attended.permute([0, 2, 1, 3]).reshape([b, l, embedDim])          // [B, L, E]
        return try outProj(merged)
    }
}
