import Foundation
import MuseCore

/// Keys and values of the positions seen so far in one attention layer, for sampling one token
/// at a time: each [B, H, T, D].
public struct GPTLayerCache {
    /// Keys [B, H, T, D].
    public var keys: Tensor
    /// Values [B, H, T, D].
    public var values: Tensor
}

/// nanoGPT's `CausalSelfAttention`: `c_attn` (E → 3E, query, key and value columns), causal
/// scaled dot-product attention over `n_head` heads, `c_proj` (E → E), attention-weight dropout and
/// residual dropout in training.
public final class GPTSelfAttention: Module {
    /// E → 3E
    public let cAttn: Linear
    /// E → E
    public let cProj: Linear
    /// Dropout after `c_proj`.
    public let residDropout: Dropout
    /// Heads.
    public let heads: Int
    /// Dropout probability of the attention weights.
    public let attentionDropout: Float
    /// Generator of the attention-weight dropout masks.
    public var generator: SplitMix64
    public var isTraining = true
    public var children: [(name: String, module: any Module)] { [("c_attn", cAttn), ("c_proj", cProj), ("resid_dropout", residDropout)] }

    init<G: RandomNumberGenerator>(config: GPTConfig, seed: UInt64, using generator: inout G) {
        let e = config.nEmbd
        cAttn = Linear(inFeatures: e, outFeatures: 3 * e, bias: config.bias, using: &generator)
        cProj = Linear(inFeatures: e, outFeatures: e, bias: config.bias, using: &generator)
        residDropout = Dropout(probability: config.dropout, seed: seed &+ 1)
        heads = config.nHead
        attentionDropout = config.dropout
        self.generator = SplitMix64(seed: seed)
    }

    /// Causal self-attention over the whole sequence. - Parameter x: [B, T, E]  - Returns: [B, T, E]
    func callAsFunction(_ x: Tensor) throws -> Tensor {
        let qkv = try cAttn(x)
        let merged = try Tensor.scaledDotProductAttention(packed: qkv, heads: heads, causal: true,
                                                          dropoutProbability: isTraining ? attentionDropout : 0, generator: &generator)
        return try residDropout(cProj(merged))
    }

    /// Attention of the new positions `x` [B, T, E] over the cached ones and themselves (causal
    /// among themselves), extending `cache` (created when `nil`, then T may be any length; with a
    /// cache T must be 1). Evaluation only (no dropout). - Returns: [B, T, E]
    func callAsFunction(_ x: Tensor, cache: inout GPTLayerCache?) throws -> Tensor {
        let b = x.shape[0], t = x.shape[1], e = x.shape[2], d = e / heads
        let qkv = try cAttn(x)
        func part(_ index: Int) throws -> Tensor {
            try qkv.narrow(axis: 2, start: index * e, length: e).reshape([b, t, heads, d]).permute([0, 2, 1, 3])
        }
        let q = try part(0)
        var k = try part(1), v = try part(2)
        if let old = cache {
            k = try Tensor.concat([old.keys, k], axis: 2)
            v = try Tensor.concat([old.values, v], axis: 2)
        }
        let causal = cache == nil && t > 1
        if cache != nil && t != 1 {
            throw TensorError.invalidArgument(op: "GPT attention cache", reason: "extend a cache one position at a time, got \(t)")
        }
        cache = GPTLayerCache(keys: k, values: v)
        var unused = SplitMix64(seed: 0)
        let attended = try Tensor.scaledDotProductAttention(query: q, key: k, value: v, causal: causal, generator: &unused)
        return try cProj(attended.permute([0, 2, 1, 3]).reshape([b, t, e]))
    }
}

/// nanoGPT's `MLP`: `c_fc` (E → 4E), exact GELU, `c_proj` (4E → E), dropout.
public final class GPTMLP: Module {
    /// E → 4E
    public let cFc: Linear
    /// 4E → E
    public let cProj: Linear
    /// Dropout after `c_proj`.
    public let dropout: Dropout
    public var isTraining = true
    public var children: [(name: String, module: any Module)] { [("c_fc", cFc), ("c_proj", cProj), ("dropout", dropout)] }

    init<G: RandomNumberGenerator>(config: GPTConfig, seed: UInt64, using generator: inout G) {
        cFc = Linear(inFeatures: config.nEmbd, outFeatures: 4 * config.nEmbd, bias: config.bias, using: &generator)
        cProj = Linear(inFeatures: 4 * config.nEmbd, outFeatures: config.nEmbd, bias: config.bias, using: &generator)
        dropout = Dropout(probability: config.dropout, seed: seed)
    }

    /// - Parameter x: [B, T, E]  - Returns: [B, T, E]
    func callAsFunction(_ x: Tensor) throws -> Tensor {
        try dropout(cProj(cFc(x).gelu()))
    }
}

/// nanoGPT's pre-LayerNorm `Block`: x + attn(ln_1(x)), then x + mlp(ln_2(x)).
public final class GPTBlock: Module {
    /// Before attention.
    public let ln1: GPTLayerNorm
    /// Causal self-attention.
    public let attn: GPTSelfAttention
    /// Before the MLP.
    public let ln2: GPTLayerNorm
    /// The position-wise MLP.
    public let mlp: GPTMLP
    public var isTraining = true
    public var children: [(name: String, module: any Module)] { [("ln_1", ln1), ("attn", attn), ("ln_2", ln2), ("mlp", mlp)] }

    init<G: RandomNumberGenerator>(config: GPTConfig, seed: UInt64, using generator: inout G) {
        ln1 = GPTLayerNorm(features: config.nEmbd, bias: config.bias)
        attn = GPTSelfAttention(config: config, seed: seed, using: &generator)
        ln2 = GPTLayerNorm(features: config.nEmbd, bias: config.bias)
        mlp = GPTMLP(config: config, seed: seed &+ 2, using: &generator)
    }

    /// - Parameter x: [B, T, E]  - Returns: [B, T, E]
    func callAsFunction(_ x: Tensor) throws -> Tensor {
        let h = try x + attn(ln1(x))
        return try h + mlp(ln2(h))
    }

    /// The block on new positions with the attention's key/value cache (evaluation only).
    func callAsFunction(_ x: Tensor, cache: inout GPTLayerCache?) throws -> Tensor {
        let h = try x + attn(ln1(x), cache: &cache)
        return try h + mlp(ln2(h))
    }
}
