import Foundation

// Fused scaled dot-product attention (`torch.nn.functional.scaled_dot_product_attention` with a
// causal flag, a key padding mask and dropout on the attention weights), forward and backward
// side by side. Per (batch, head) it is two GEMMs forward and four backward; masking, softmax
// and its backward run in one parallel pass over all rows. The unfused equivalent
// (matmul · scale → maskedFill(−∞) → softmax → dropout → matmul) is what the tests compare with.

extension Tensor {
    /// `count` independent GEMMs `C_i = alpha · op(A_i) · op(B_i)` on matrices laid out back to back
    /// (`A_i = a + i·strideA`, …), run one after another so each uses OpenBLAS's threads.
    @inline(__always)
    static func gemmBatch(_ count: Int, transposeA: Bool = false, transposeB: Bool = false, m: Int, n: Int, k: Int, alpha: Float = 1,
                          a: UnsafePointer<Float>, strideA: Int, lda: Int, b: UnsafePointer<Float>, strideB: Int, ldb: Int,
                          c: UnsafeMutablePointer<Float>, strideC: Int, ldc: Int) {
        for i in 0..<count {
            gemm(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: alpha, a: a + i * strideA, lda: lda,
                 b: b + i * strideB, ldb: ldb, c: c + i * strideC, ldc: ldc)
        }
    }

    /// `softmax(q·kᵀ / √D + mask) · v` for every batch and head.
    /// - Parameters:
    ///   - query: [B, H, Tq, D]
    ///   - key, value: [B, H, Tk, D]
    ///   - causal: masks key positions after the query position (`j > i`), as PyTorch's
    ///     `is_causal` / a `triu(ones, 1)` boolean mask.
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
        if let m = keyPaddingMask, m.shape != [b, tk] {
            throw TensorError.shapeMismatch(op: op + " (key padding mask)", lhs: key.shape, rhs: m.shape)
        }
        guard dropoutProbability >= 0 && dropoutProbability < 1 else {
            throw TensorError.invalidArgument(op: op, reason: "dropout probability \(dropoutProbability) not in [0, 1)")
        }
        let scale = 1 / Float(d).squareRoot()
        let bh = b * h, qs = tq * d, ks = tk * d, ps = tq * tk
        // probs: softmax weights [B, H, Tq, Tk] (kept for backward).
        let probs = Tensor(uninitializedShape: [b, h, tq, tk])
        let pq = query.storage.pointer, pk = key.storage.pointer, pv = value.storage.pointer, pp = probs.storage.pointer
        gemmBatch(bh, transposeB: true, m: tq, n: tk, k: d, alpha: scale, a: pq, strideA: qs, lda: d,
                  b: pk, strideB: ks, ldb: d, c: pp, strideC: ps, ldc: tk)
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
                var s: Float = 0
                for j in 0..<limit {
                    if let padRow, padRow[j] != 0 { row[j] = 0; continue }
                    let e = Foundation.exp(row[j] - m)
                    row[j] = e
                    s += e
                }
                let inv = 1 / s  // ∞ (then NaN) for a fully masked row, as PyTorch
                for j in 0..<limit { row[j] *= inv }
                for j in limit..<tk { row[j] = 0 }
            }
        }
        // Dropout: keep[i] = 1/(1−p) or 0; attention weights used are probs ⊙ keep.
        var keep: Tensor? = nil
        var used = probs
        if dropoutProbability > 0 {
            let kt = Tensor(uninitializedShape: probs.shape), pkeep = kt.storage.pointer
            let survivor = 1 / (1 - dropoutProbability)
            for i in 0..<kt.count { pkeep[i] = generator.nextUnitFloat() < dropoutProbability ? 0 : survivor }
            keep = kt
            used = zip(probs, kt, *)
        }
        let out = Tensor(uninitializedShape: [b, h, tq, d])
        let po = out.storage.pointer, pu = used.storage.pointer
        gemmBatch(bh, m: tq, n: d, k: tk, a: pu, strideA: ps, lda: tk, b: pv, strideB: ks, ldb: d, c: po, strideC: qs, ldc: d)
        return record(out, op, [query, key, value]) { [probs, used, keep] g, _ in
            // Pointers re-derived from the captured tensors, which keeps their storage alive.
            let pg = g.storage.pointer, pu = used.storage.pointer, pp = probs.storage.pointer
            let pq = query.storage.pointer, pk = key.storage.pointer, pv = value.storage.pointer
            // dV = Aᵀ·dO with A the weights used (after dropout).
            let dv = Tensor(uninitializedShape: value.shape), pdv = dv.storage.pointer
            gemmBatch(bh, transposeA: true, m: tk, n: d, k: tq, a: pu, strideA: ps, lda: tk,
                      b: pg, strideB: qs, ldb: d, c: pdv, strideC: ks, ldc: d)
            // dA = dO·Vᵀ, then through dropout and softmax: dS = P ⊙ (dP − Σ_j dP·P), times scale.
            let ds = Tensor(uninitializedShape: probs.shape), pds = ds.storage.pointer
            gemmBatch(bh, transposeB: true, m: tq, n: tk, k: d, a: pg, strideA: qs, lda: d,
                      b: pv, strideB: ks, ldb: d, c: pds, strideC: ps, ldc: tk)
            let pkeep = keep?.storage.pointer
            Parallel.forEachChunk(count: rows, minimumChunk: Swift.max(1, Parallel.minimumElements / Swift.max(tk, 1))) { range in
                for r in range {
                    let drow = pds + r * tk, prow = pp + r * tk
                    if let pkeep {
                        let krow = pkeep + r * tk
                        for j in 0..<tk { drow[j] *= krow[j] }
                    }
                    var dot: Float = 0
                    for j in 0..<tk { dot += drow[j] * prow[j] }
                    for j in 0..<tk { drow[j] = scale * prow[j] * (drow[j] - dot) }
                }
            }
            var dq: Tensor? = nil, dk: Tensor? = nil
            if query.requiresGrad {
                let t = Tensor(uninitializedShape: query.shape)
                gemmBatch(bh, m: tq, n: d, k: tk, a: pds, strideA: ps, lda: tk, b: pk, strideB: ks, ldb: d,
                          c: t.storage.pointer, strideC: qs, ldc: d)
                dq = t
            }
            if key.requiresGrad {
                let t = Tensor(uninitializedShape: key.shape)
                gemmBatch(bh, transposeA: true, m: tk, n: d, k: tq, a: pds, strideA: ps, lda: tk, b: pq, strideB: qs, ldb: d,
                          c: t.storage.pointer, strideC: ks, ldc: d)
                dk = t
            }
            return [dq, dk, value.requiresGrad ? dv : nil]
        }
    }
}
