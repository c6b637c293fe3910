import Foundation

// Fused scaled dot-product attention with an additive bias on the logits
// (`torch.nn.functional.scaled_dot_product_attention(q, k, v, attn_mask=bias)` with a float mask,
// plus the causal flag and dropout), forward and backward side by side. The bias carries relative
// positions (Music Transformer's skewed Q·Erᵀ) or any other learned or fixed term, and gets its
// own gradient. It reuses the batched per-head GEMMs and layouts of Tensor+Attention.swift; the
// softmax pass adds the bias row before the causal limit, and the backward pass keeps dLogits
// unscaled because that is exactly d(bias).

extension Tensor {
    /// Forward on raw [B, H, T, D] buffers with `bias` [B, H, Tq, Tk]: writes `out` [B, H, Tq, D].
    static func biasedAttentionForward<G: RandomNumberGenerator>(
        _ s: AttentionShape, q: UnsafePointer<Float>, k: UnsafePointer<Float>, v: UnsafePointer<Float>, bias: UnsafePointer<Float>,
        out: UnsafeMutablePointer<Float>, causal: Bool, dropoutProbability: Float, generator: inout G) -> AttentionSaved {
        let (b, h, tq, tk, d) = (s.batch, s.heads, s.queries, s.keys, s.depth)
        let bh = b * h, lp = s.probs
        let probs = Tensor(uninitializedShape: [b, h, tq, tk])
        let pp = probs.storage.pointer
        gemmBatch(bh, heads: h, transposeB: true, m: tq, n: tk, k: d, alpha: s.scale, a: q, s.query, b: k, s.key, c: pp, lp)
        Parallel.forEachChunk(count: bh * tq, minimumChunk: Swift.max(1, Parallel.minimumElements / Swift.max(tk, 1))) { range in
            for r in range {
                let row = pp + r * tk, biasRow = bias + r * tk
                let limit = causal ? Swift.min(tk, r % tq + 1) : tk
                var m = -Float.infinity
                for j in 0..<limit {
                    row[j] += biasRow[j]
                    m = Swift.max(m, row[j])
                }
                var sum: Float = 0
                for j in 0..<limit {
                    let e = Foundation.exp(row[j] - m)
                    row[j] = e
                    sum += e
                }
                let inv = 1 / sum
                for j in 0..<limit { row[j] *= inv }
                for j in limit..<tk { row[j] = 0 }
            }
        }
        guard dropoutProbability > 0 else {
            gemmBatch(bh, heads: h, m: tq, n: d, k: tk, a: pp, lp, b: v, s.value, c: out, s.output)
            return AttentionSaved(probs: probs, keep: nil, survivorScale: 1)
        }
        let survivor = 1 / (1 - dropoutProbability)
        var keep = [UInt8](repeating: 0, count: probs.count)
        for i in 0..<keep.count { keep[i] = generator.nextUnitFloat() < dropoutProbability ? 0 : 1 }
        let used = droppedWeights(probs, keep, survivor)
        gemmBatch(bh, heads: h, m: tq, n: d, k: tk, a: used.storage.pointer, lp, b: v, s.value, c: out, s.output)
        return AttentionSaved(probs: probs, keep: keep, survivorScale: survivor)
    }

    /// Backward: from dO [B, H, Tq, D] writes dQ, dK, dV and d(bias) (each may be `nil`).
    /// d(bias) = P ⊙ (dP − Σ_j dP·P) with dP = dO·Vᵀ (through dropout); dQ = scale·d(bias)·K and
    /// dK = scale·d(bias)ᵀ·Q.
    static func biasedAttentionBackward(
        _ s: AttentionShape, saved: AttentionSaved, gradOutput: UnsafePointer<Float>, q: UnsafePointer<Float>,
        k: UnsafePointer<Float>, v: UnsafePointer<Float>, dq: UnsafeMutablePointer<Float>?, dk: UnsafeMutablePointer<Float>?,
        dv: UnsafeMutablePointer<Float>?, dbias: UnsafeMutablePointer<Float>?) {
        let (h, tq, tk, d) = (s.heads, s.queries, s.keys, s.depth)
        let bh = s.batch * h, lp = s.probs
        let pp = saved.probs.storage.pointer
        if let dv {
            let used = saved.keep.map { droppedWeights(saved.probs, $0, saved.survivorScale) } ?? saved.probs
            gemmBatch(bh, heads: h, transposeA: true, m: tk, n: d, k: tq, a: used.storage.pointer, lp, b: gradOutput, s.output, c: dv, s.value)
        }
        guard dq != nil || dk != nil || dbias != nil else { return }
        // dLogits into the bias gradient's buffer when there is one.
        let scratch = dbias == nil ? Tensor(uninitializedShape: saved.probs.shape) : nil
        guard let pds = dbias ?? scratch?.storage.pointer else { return }
        gemmBatch(bh, heads: h, transposeB: true, m: tq, n: tk, k: d, a: gradOutput, s.output, b: v, s.value, c: pds, lp)
        let survivor = saved.survivorScale
        let rowPass = { (pkeep: UnsafePointer<UInt8>?) in
            Parallel.forEachChunk(count: bh * tq, minimumChunk: Swift.max(1, Parallel.minimumElements / Swift.max(tk, 1))) { range in
                for r in range {
                    let drow = pds + r * tk, prow = pp + r * tk
                    if let pkeep {
                        let krow = pkeep + r * tk
                        for j in 0..<tk { drow[j] = krow[j] != 0 ? drow[j] * survivor : 0 }
                    }
                    var dot: Float = 0
                    for j in 0..<tk { dot += drow[j] * prow[j] }
                    for j in 0..<tk { drow[j] = prow[j] * (drow[j] - dot) }
                }
            }
        }
        if let keep = saved.keep { keep.withUnsafeBufferPointer { rowPass($0.baseAddress!) } } else { rowPass(nil) }
        if let dq {
            gemmBatch(bh, heads: h, m: tq, n: d, k: tk, alpha: s.scale, a: pds, lp, b: k, s.key, c: dq, s.query)
        }
        if let dk {
            gemmBatch(bh, heads: h, transposeA: true, m: tk, n: d, k: tq, alpha: s.scale, a: pds, lp, b: q, s.query, c: dk, s.key)
        }
        withExtendedLifetime(scratch) {}
    }

    /// `softmax(q·kᵀ / √D + bias) · v` for every batch and head, with the bias differentiable (as
    /// PyTorch's `scaled_dot_product_attention` with a float `attn_mask`).
    /// - Parameters:
    ///   - query: [B, H, Tq, D]
    ///   - key, value: [B, H, Tk, D]
    ///   - bias: [B, H, Tq, Tk], added to the scaled logits (relative-position terms, ALiBi, …)
    ///   - causal: masks key positions after the query position (`j > i`), as the unbiased kernel.
    ///   - dropoutProbability: zeroes attention weights with this probability (survivors scaled
    ///     by 1/(1−p)); masks come from `generator`. 0 disables it.
    /// - Returns: [B, H, Tq, D]
    /// - Throws: `TensorError.shapeMismatch` when the shapes do not fit together.
    public static func scaledDotProductAttention<G: RandomNumberGenerator>(
        query: Tensor, key: Tensor, value: Tensor, bias: Tensor, causal: Bool = false,
        dropoutProbability: Float = 0, generator: inout G) throws -> Tensor {
        let op = "scaled_dot_product_attention (bias)"
        guard query.rank == 4, key.rank == 4, value.rank == 4 else {
            throw TensorError.invalidShape(op: op, shape: query.rank == 4 ? key.shape : query.shape, reason: "expected [B, H, T, D]")
        }
        let b = query.shape[0], h = query.shape[1], tq = query.shape[2], d = query.shape[3], tk = key.shape[2]
        guard key.shape == [b, h, tk, d] else { throw TensorError.shapeMismatch(op: op, lhs: query.shape, rhs: key.shape) }
        guard value.shape == key.shape else { throw TensorError.shapeMismatch(op: op, lhs: key.shape, rhs: value.shape) }
        guard bias.shape == [b, h, tq, tk] else { throw TensorError.shapeMismatch(op: op, lhs: [b, h, tq, tk], rhs: bias.shape) }
        try checkAttentionArguments(op, batch: b, keys: tk, keyPaddingMask: nil, dropoutProbability: dropoutProbability,
                                    keyShape: key.shape)
        let s = AttentionShape(batch: b, heads: h, queries: tq, keys: tk, depth: d)
        let out = Tensor(uninitializedShape: [b, h, tq, d])
        let saved = biasedAttentionForward(s, q: query.storage.pointer, k: key.storage.pointer, v: value.storage.pointer,
                                           bias: bias.storage.pointer, out: out.storage.pointer, causal: causal,
                                           dropoutProbability: dropoutProbability, generator: &generator)
        return record(out, op, [query, key, value, bias]) { g, _ in
            let dq = query.requiresGrad ? Tensor(uninitializedShape: query.shape) : nil
            let dk = key.requiresGrad ? Tensor(uninitializedShape: key.shape) : nil
            let dv = value.requiresGrad ? Tensor(uninitializedShape: value.shape) : nil
            let dbias = bias.requiresGrad ? Tensor(uninitializedShape: bias.shape) : nil
            biasedAttentionBackward(s, saved: saved, gradOutput: g.storage.pointer, q: query.storage.pointer, k: key.storage.pointer,
                                    v: value.storage.pointer, dq: dq?.storage.pointer, dk: dk?.storage.pointer,
                                    dv: dv?.storage.pointer, dbias: dbias?.storage.pointer)
            return [dq, dk, dv, dbias]
        }
    }
}
