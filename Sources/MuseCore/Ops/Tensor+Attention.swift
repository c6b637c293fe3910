import CBLAS
import Foundation

// Fused scaled dot-product attention (`torch.nn.functional.scaled_dot_product_attention` with a
// causal flag, a key padding mask and dropout on the attention weights), forward and backward
// side by side. Per (batch, head) it is two GEMMs forward and four backward; masking, softmax
// and its backward run in one parallel pass over all rows. The unfused equivalent
// (matmul · scale → maskedFill(−∞) → softmax → dropout → matmul) is what the tests compare with.

extension Tensor {
    /// `count` independent GEMMs `C_i = alpha · op(A_i) · op(B_i)` on matrices laid out back to back
    /// (`A_i = a + i·strideA`, …). Per-head products are small (T×T×D), where OpenBLAS's own
    /// threads mostly spin-wait; so with several products each core takes a contiguous slice of
    /// them with single-threaded BLAS (the LSTM kernel does the same for its recurrence).
    static func gemmBatch(_ count: Int, transposeA: Bool = false, transposeB: Bool = false, m: Int, n: Int, k: Int, alpha: Float = 1,
                          a: UnsafePointer<Float>, strideA: Int, lda: Int, b: UnsafePointer<Float>, strideB: Int, ldb: Int,
                          c: UnsafeMutablePointer<Float>, strideC: Int, ldc: Int) {
        let parts = Swift.min(Parallel.coreCount, count)
        let savedThreads = openblas_get_num_threads()
        if parts > 1 { openblas_set_num_threads(1) }
        defer { if parts > 1 { openblas_set_num_threads(savedThreads) } }
        Parallel.forEachChunk(count: count, minimumChunk: 1) { range in
            for i in range {
                gemm(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: alpha, a: a + i * strideA, lda: lda,
                     b: b + i * strideB, ldb: ldb, c: c + i * strideC, ldc: ldc)
            }
        }
    }

    /// Sizes of one attention call: B·H heads, Tq queries, Tk keys, D features per head.
    struct AttentionShape {
        var batch: Int, heads: Int, queries: Int, keys: Int, depth: Int
        var scale: Float { 1 / Float(depth).squareRoot() }
    }

    /// What the forward pass keeps for backward: softmax weights [B, H, Tq, Tk] and, with dropout,
    /// the kept-entry mask (1 byte per weight; survivors are scaled by `survivorScale`).
    struct AttentionSaved {
        let probs: Tensor
        let keep: [UInt8]?
        let survivorScale: Float
    }

    /// Forward kernel on raw [B, H, T, D] buffers: writes `out` [B, H, Tq, D].
    static func attentionForward<G: RandomNumberGenerator>(
        _ s: AttentionShape, q: UnsafePointer<Float>, k: UnsafePointer<Float>, v: UnsafePointer<Float>,
        out: UnsafeMutablePointer<Float>, causal: Bool, keyPaddingMask: Tensor?, dropoutProbability: Float,
        generator: inout G) -> AttentionSaved {
        let (b, h, tq, tk, d) = (s.batch, s.heads, s.queries, s.keys, s.depth)
        let bh = b * h, qs = tq * d, ks = tk * d, ps = tq * tk
        let probs = Tensor(uninitializedShape: [b, h, tq, tk])
        let pp = probs.storage.pointer
        gemmBatch(bh, transposeB: true, m: tq, n: tk, k: d, alpha: s.scale, a: q, strideA: qs, lda: d,
                  b: k, strideB: ks, ldb: d, c: pp, strideC: ps, ldc: tk)
        let pad = keyPaddingMask?.storage.pointer
        let rows = bh * tq
        Parallel.forEachChunk(count: rows, minimumChunk: Swift.max(1, Parallel.minimumElements / Swift.max(tk, 1))) { range in
            for r in range {
                let row = pp + r * tk
                let qi = r % tq, batch = r / (tq * h)
                let limit = causal ? Swift.min(tk, qi + 1) : tk
                var m = -Float.infinity
                let padRow = pad.map { $0 + batch * tk }
                for j in 0..<limit where padRow?[j] ?? 0 == 0 { m = Swift.max(m, row[j]) }
                var sum: Float = 0
                for j in 0..<limit {
                    if let padRow, padRow[j] != 0 { row[j] = 0; continue }
                    let e = Foundation.exp(row[j] - m)
                    row[j] = e
                    sum += e
                }
                let inv = 1 / sum  // ∞ (then NaN) for a fully masked row, as PyTorch
                for j in 0..<limit { row[j] *= inv }
                for j in limit..<tk { row[j] = 0 }
            }
        }
        guard dropoutProbability > 0 else {
            gemmBatch(bh, m: tq, n: d, k: tk, a: pp, strideA: ps, lda: tk, b: v, strideB: ks, ldb: d, c: out, strideC: qs, ldc: d)
            return AttentionSaved(probs: probs, keep: nil, survivorScale: 1)
        }
        // Dropout: the weights used are probs ⊙ keep / (1 − p), formed in a temporary buffer.
        let survivor = 1 / (1 - dropoutProbability)
        var keep = [UInt8](repeating: 0, count: probs.count)
        for i in 0..<keep.count { keep[i] = generator.nextUnitFloat() < dropoutProbability ? 0 : 1 }
        let used = droppedWeights(probs, keep, survivor)
        gemmBatch(bh, m: tq, n: d, k: tk, a: used.storage.pointer, strideA: ps, lda: tk, b: v, strideB: ks, ldb: d,
                  c: out, strideC: qs, ldc: d)
        return AttentionSaved(probs: probs, keep: keep, survivorScale: survivor)
    }

    /// probs ⊙ keep · survivor (a fresh tensor).
    static func droppedWeights(_ probs: Tensor, _ keep: [UInt8], _ survivor: Float) -> Tensor {
        let used = Tensor(uninitializedShape: probs.shape)
        let src = probs.storage.pointer, dst = used.storage.pointer
        keep.withUnsafeBufferPointer { kb in
            let pk = kb.baseAddress!
            Parallel.forEachChunk(count: probs.count) { r in for i in r { dst[i] = pk[i] != 0 ? src[i] * survivor : 0 } }
        }
        return used
    }

    /// Backward kernel: from dO [B, H, Tq, D] writes dQ, dK, dV (each may be `nil` = not needed).
    static func attentionBackward(
        _ s: AttentionShape, saved: AttentionSaved, gradOutput: UnsafePointer<Float>, q: UnsafePointer<Float>,
        k: UnsafePointer<Float>, v: UnsafePointer<Float>, dq: UnsafeMutablePointer<Float>?, dk: UnsafeMutablePointer<Float>?,
        dv: UnsafeMutablePointer<Float>?) {
        let (tq, tk, d) = (s.queries, s.keys, s.depth)
        let bh = s.batch * s.heads, qs = tq * d, ks = tk * d, ps = tq * tk
        let pp = saved.probs.storage.pointer, pg = gradOutput
        if let dv {
            // dV = Aᵀ·dO with A the weights used (after dropout).
            let used = saved.keep.map { droppedWeights(saved.probs, $0, saved.survivorScale) } ?? saved.probs
            gemmBatch(bh, transposeA: true, m: tk, n: d, k: tq, a: used.storage.pointer, strideA: ps, lda: tk,
                      b: pg, strideB: qs, ldb: d, c: dv, strideC: ks, ldc: d)
        }
        guard dq != nil || dk != nil else { return }
        // dA = dO·Vᵀ, then through dropout and softmax: dS = P ⊙ (dP − Σ_j dP·P), times scale.
        let ds = Tensor(uninitializedShape: saved.probs.shape), pds = ds.storage.pointer
        gemmBatch(bh, transposeB: true, m: tq, n: tk, k: d, a: pg, strideA: qs, lda: d,
                  b: v, strideB: ks, ldb: d, c: pds, strideC: ps, ldc: tk)
        let scale = s.scale, survivor = saved.survivorScale
        let rows = bh * tq
        let rowPass = { (pkeep: UnsafePointer<UInt8>?) in
            Parallel.forEachChunk(count: rows, minimumChunk: Swift.max(1, Parallel.minimumElements / Swift.max(tk, 1))) { range in
                for r in range {
                    let drow = pds + r * tk, prow = pp + r * tk
                    if let pkeep {
                        let krow = pkeep + r * tk
                        for j in 0..<tk { drow[j] = krow[j] != 0 ? drow[j] * survivor : 0 }
                    }
                    var dot: Float = 0
                    for j in 0..<tk { dot += drow[j] * prow[j] }
                    for j in 0..<tk { drow[j] = scale * prow[j] * (drow[j] - dot) }
                }
            }
        }
        if let keep = saved.keep { keep.withUnsafeBufferPointer { rowPass($0.baseAddress!) } } else { rowPass(nil) }
        if let dq {
            gemmBatch(bh, m: tq, n: d, k: tk, a: pds, strideA: ps, lda: tk, b: k, strideB: ks, ldb: d, c: dq, strideC: qs, ldc: d)
        }
        if let dk {
            gemmBatch(bh, transposeA: true, m: tk, n: d, k: tq, a: pds, strideA: ps, lda: tk, b: q, strideB: qs, ldb: d,
                      c: dk, strideC: ks, ldc: d)
        }
    }

    static func checkAttentionArguments(_ op: String, batch: Int, keys: Int, keyPaddingMask: Tensor?, dropoutProbability: Float,
                                        keyShape: [Int]) throws {
        if let m = keyPaddingMask, m.shape != [batch, keys] {
            throw TensorError.shapeMismatch(op: op + " (key padding mask)", lhs: keyShape, rhs: m.shape)
        }
        guard dropoutProbability >= 0 && dropoutProbability < 1 else {
            throw TensorError.invalidArgument(op: op, reason: "dropout probability \(dropoutProbability) not in [0, 1)")
        }
    }

    /// `softmax(q·kᵀ / √D + mask) · v` for every batch and head.
    /// - Parameters:
    ///   - query: [B, H, Tq, D]
    ///   - key, value: [B, H, Tk, D]
    ///   - causal: masks key positions after the query position (`j > i`, top-left aligned when
    ///     Tq ≠ Tk), as PyTorch's `is_causal` / a `triu(ones, 1)` boolean mask.
    ///   - keyPaddingMask: [B, Tk], nonzero = padding (that key is ignored), as PyTorch's boolean
    ///     `key_padding_mask` with `True` = ignore. A row whose keys are all masked gives NaN, as PyTorch.
    ///   - dropoutProbability: zeroes attention weights with this probability (scaling survivors
    ///     by 1/(1−p)); masks come from `generator`. 0 disables it.
    /// - Returns: [B, H, Tq, D]
    /// - Throws: `TensorError.shapeMismatch` when the shapes do not fit together.
    public static func scaledDotProductAttention<G: RandomNumberGenerator>(
        query: Tensor, key: Tensor, value: Tensor, causal: Bool = false, keyPaddingMask: Tensor? = nil,
        dropoutProbability: Float = 0, generator: inout G) throws -> Tensor {
        let op = "scaled_dot_product_attention"
        guard query.rank == 4, key.rank == 4, value.rank == 4 else {
            throw TensorError.invalidShape(op: op, shape: query.rank == 4 ? key.shape : query.shape, reason: "expected [B, H, T, D]")
        }
        let b = query.shape[0], h = query.shape[1], tq = query.shape[2], d = query.shape[3], tk = key.shape[2]
        guard key.shape == [b, h, tk, d] else { throw TensorError.shapeMismatch(op: op, lhs: query.shape, rhs: key.shape) }
        guard value.shape == key.shape else { throw TensorError.shapeMismatch(op: op, lhs: key.shape, rhs: value.shape) }
        try checkAttentionArguments(op, batch: b, keys: tk, keyPaddingMask: keyPaddingMask, dropoutProbability: dropoutProbability,
                                    keyShape: key.shape)
        let s = AttentionShape(batch: b, heads: h, queries: tq, keys: tk, depth: d)
        let out = Tensor(uninitializedShape: [b, h, tq, d])
        let saved = attentionForward(s, q: query.storage.pointer, k: key.storage.pointer, v: value.storage.pointer,
                                     out: out.storage.pointer, causal: causal, keyPaddingMask: keyPaddingMask,
                                     dropoutProbability: dropoutProbability, generator: &generator)
        return record(out, op, [query, key, value]) { g, _ in
            let dq = query.requiresGrad ? Tensor(uninitializedShape: query.shape) : nil
            let dk = key.requiresGrad ? Tensor(uninitializedShape: key.shape) : nil
            let dv = value.requiresGrad ? Tensor(uninitializedShape: value.shape) : nil
            attentionBackward(s, saved: saved, gradOutput: g.storage.pointer, q: query.storage.pointer, k: key.storage.pointer,
                              v: value.storage.pointer, dq: dq?.storage.pointer, dk: dk?.storage.pointer, dv: dv?.storage.pointer)
            return [dq, dk, dv]
        }
    }

    /// Self-attention on packed projections: `packed` [3, B, H, T, D] holds queries, keys and
    /// values back to back (the layout `MultiHeadAttention` gets from one input projection), so
    /// no slice is copied and the gradient is one [3, B, H, T, D] tensor. Same semantics as
    /// `scaledDotProductAttention(query:key:value:…)`.
    /// - Returns: [B, H, T, D]
    /// - Throws: `TensorError.invalidShape` unless `packed` is [3, B, H, T, D]; mask/dropout errors as above.
    public static func scaledDotProductAttention<G: RandomNumberGenerator>(
        packed: Tensor, causal: Bool = false, keyPaddingMask: Tensor? = nil, dropoutProbability: Float = 0,
        generator: inout G) throws -> Tensor {
        let op = "scaled_dot_product_attention (packed)"
        guard packed.rank == 5, packed.shape[0] == 3 else {
            throw TensorError.invalidShape(op: op, shape: packed.shape, reason: "expected [3, B, H, T, D]")
        }
        let b = packed.shape[1], h = packed.shape[2], t = packed.shape[3], d = packed.shape[4]
        try checkAttentionArguments(op, batch: b, keys: t, keyPaddingMask: keyPaddingMask, dropoutProbability: dropoutProbability,
                                    keyShape: Array(packed.shape.dropFirst()))
        let s = AttentionShape(batch: b, heads: h, queries: t, keys: t, depth: d)
        let part = b * h * t * d
        let out = Tensor(uninitializedShape: [b, h, t, d])
        let base = packed.storage.pointer
        let saved = attentionForward(s, q: base, k: base + part, v: base + 2 * part, out: out.storage.pointer, causal: causal,
                                     keyPaddingMask: keyPaddingMask, dropoutProbability: dropoutProbability, generator: &generator)
        return record(out, op, [packed]) { g, _ in
            let grad = Tensor(uninitializedShape: packed.shape), pg = grad.storage.pointer
            let base = packed.storage.pointer
            attentionBackward(s, saved: saved, gradOutput: g.storage.pointer, q: base, k: base + part, v: base + 2 * part,
                              dq: pg, dk: pg + part, dv: pg + 2 * part)
            return [grad]
        }
    }
}
