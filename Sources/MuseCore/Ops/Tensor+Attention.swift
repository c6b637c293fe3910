import CBLAS
import Foundation

// Fused scaled dot-product attention (`torch.nn.functional.scaled_dot_product_attention` with a
// causal flag, a key padding mask and dropout on the attention weights), forward and backward
// side by side. Per (batch, head) it is two GEMMs forward and four backward; masking, softmax
// and its backward run in one parallel pass over all rows. The unfused equivalent
// (matmul · scale → maskedFill(−∞) → softmax → dropout → matmul) is what the tests compare with.

extension Tensor {
    /// Where the matrix of head `i` (= batch·H + head) lives in a buffer: at
    /// `batch·batchStride + head·headStride`, with row stride `ld`. [B, H, T, D] buffers are
    /// `contiguous`; the packed projections [B, T, 3E] of self-attention are read in place with
    /// `ld = 3E`, `headStride = D`, so heads are never split or merged by copies.
    struct HeadLayout {
        var ld: Int, batchStride: Int, headStride: Int
        /// [B, heads, rows, columns] row-major.
        static func contiguous(heads: Int, rows: Int, columns: Int) -> HeadLayout {
            HeadLayout(ld: columns, batchStride: heads * rows * columns, headStride: rows * columns)
        }
        @inline(__always) func offset(_ i: Int, heads: Int) -> Int { (i / heads) * batchStride + (i % heads) * headStride }
    }

    /// `count` independent GEMMs `C_i = alpha · op(A_i) · op(B_i)`, one per (batch, head), placed by
    /// their `HeadLayout`s. Per-head products are small (T×T×D), too small to split, so each
    /// thread of the pool takes a contiguous slice of them (the LSTM kernel does the same for its
    /// recurrence).
    static func gemmBatch(_ count: Int, heads: Int, transposeA: Bool = false, transposeB: Bool = false, m: Int, n: Int, k: Int,
                          alpha: Float = 1, a: UnsafePointer<Float>, _ la: HeadLayout, b: UnsafePointer<Float>, _ lb: HeadLayout,
                          c: UnsafeMutablePointer<Float>, _ lc: HeadLayout) {
        Parallel.forEachChunk(count: count, minimumChunk: 1) { range in
            for i in range {
                gemm(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: alpha,
                     a: a + la.offset(i, heads: heads), lda: la.ld, b: b + lb.offset(i, heads: heads), ldb: lb.ld,
                     c: c + lc.offset(i, heads: heads), ldc: lc.ld)
            }
        }
    }

    /// Sizes of one attention call (B·H heads, Tq queries, Tk keys, D features per head) and where
    /// queries, keys, values and the output (and their gradients) live.
    struct AttentionShape {
        var batch: Int, heads: Int, queries: Int, keys: Int, depth: Int
        var query: HeadLayout, key: HeadLayout, value: HeadLayout, output: HeadLayout
        var scale: Float { 1 / Float(depth).squareRoot() }
        /// Softmax weights [B, H, Tq, Tk].
        var probs: HeadLayout { .contiguous(heads: heads, rows: queries, columns: keys) }

        /// Separate [B, H, T, D] tensors.
        init(batch: Int, heads: Int, queries: Int, keys: Int, depth: Int) {
            (self.batch, self.heads, self.queries, self.keys, self.depth) = (batch, heads, queries, keys, depth)
            query = .contiguous(heads: heads, rows: queries, columns: depth)
            key = .contiguous(heads: heads, rows: keys, columns: depth)
            value = key
            output = query
        }

        /// Packed projections [B, T, 3E] (query, key, value columns) and output [B, T, E].
        init(packedBatch batch: Int, heads: Int, length: Int, depth: Int) {
            let e = heads * depth
            (self.batch, self.heads, queries, keys, self.depth) = (batch, heads, length, length, depth)
            query = HeadLayout(ld: 3 * e, batchStride: length * 3 * e, headStride: depth)
            key = query
            value = query
            output = HeadLayout(ld: e, batchStride: length * e, headStride: depth)
        }
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
        let bh = b * h, lp = s.probs
        let probs = Tensor(uninitializedShape: [b, h, tq, tk])
        let pp = probs.storage.pointer
        gemmBatch(bh, heads: h, transposeB: true, m: tq, n: tk, k: d, alpha: s.scale, a: q, s.query, b: k, s.key, c: pp, lp)
        let pad = keyPaddingMask?.storage.pointer
        let rows = bh * tq
        Parallel.forEachChunk(count: rows, minimumChunk: Swift.max(1, Parallel.minimumElements / Swift.max(tk, 1))) { range in
            for r in range {
                let row = pp + r * tk
                let qi = r % tq, batch = r / (tq * h)
                let limit = causal ? Swift.min(tk, qi + 1) : tk
                var sum: Float = 0
                if let padRow = pad.map({ $0 + batch * tk }) {
                    var m = -Float.infinity
                    for j in 0..<limit where padRow[j] == 0 { m = Swift.max(m, row[j]) }
                    for j in 0..<limit {
                        if padRow[j] != 0 { row[j] = 0; continue }
                        let e = Foundation.exp(row[j] - m)
                        row[j] = e
                        sum += e
                    }
                } else {
                    sum = RowSoftmax.exponentiateShifted(row, count: limit)  // the vector exp kernel
                }
                let inv = 1 / sum  // ∞ (then NaN) for a fully masked row, as PyTorch
                for j in 0..<limit { row[j] *= inv }
                for j in limit..<tk { row[j] = 0 }
            }
        }
        guard dropoutProbability > 0 else {
            gemmBatch(bh, heads: h, m: tq, n: d, k: tk, a: pp, lp, b: v, s.value, c: out, s.output)
            return AttentionSaved(probs: probs, keep: nil, survivorScale: 1)
        }
        // Dropout: the weights used are probs ⊙ keep / (1 − p), formed in a temporary buffer.
        let survivor = 1 / (1 - dropoutProbability)
        var keep = [UInt8](repeating: 0, count: probs.count)
        for i in 0..<keep.count { keep[i] = generator.nextUnitFloat() < dropoutProbability ? 0 : 1 }
        let used = droppedWeights(probs, keep, survivor)
        gemmBatch(bh, heads: h, m: tq, n: d, k: tk, a: used.storage.pointer, lp, b: v, s.value, c: out, s.output)
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
        let (h, tq, tk, d) = (s.heads, s.queries, s.keys, s.depth)
        let bh = s.batch * h, lp = s.probs
        let pp = saved.probs.storage.pointer, pg = gradOutput
        if let dv {
            // dV = Aᵀ·dO with A the weights used (after dropout).
            let used = saved.keep.map { droppedWeights(saved.probs, $0, saved.survivorScale) } ?? saved.probs
            gemmBatch(bh, heads: h, transposeA: true, m: tk, n: d, k: tq, a: used.storage.pointer, lp, b: pg, s.output, c: dv, s.value)
        }
        guard dq != nil || dk != nil else { return }
        // dA = dO·Vᵀ, then through dropout and softmax: dS = P ⊙ (dP − Σ_j dP·P), times scale.
        let ds = Tensor(uninitializedShape: saved.probs.shape), pds = ds.storage.pointer
        gemmBatch(bh, heads: h, transposeB: true, m: tq, n: tk, k: d, a: pg, s.output, b: v, s.value, c: pds, lp)
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
            gemmBatch(bh, heads: h, m: tq, n: d, k: tk, a: pds, lp, b: k, s.key, c: dq, s.query)
        }
        if let dk {
            gemmBatch(bh, heads: h, transposeA: true, m: tk, n: d, k: tq, a: pds, lp, b: q, s.query, c: dk, s.key)
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

    /// Self-attention straight from the packed input projection: `packed` [B, T, 3E] holds each
    /// position's query, key and value (E = heads·D each, head-major inside), as one
    /// `x·in_proj_weightᵀ` gives them; heads are read in place and written merged, so no split,
    /// permute or merge copies are made. Same semantics as `scaledDotProductAttention(query:…)`.
    /// - Returns: [B, T, E], the heads' outputs side by side (input to the output projection).
    /// - Throws: `TensorError.invalidShape` unless `packed` is [B, T, 3·heads·D]; mask/dropout errors as above.
    public static func scaledDotProductAttention<G: RandomNumberGenerator>(
        packed: Tensor, heads: Int, causal: Bool = false, keyPaddingMask: Tensor? = nil, dropoutProbability: Float = 0,
        generator: inout G) throws -> Tensor {
        let op = "scaled_dot_product_attention (packed)"
        guard packed.rank == 3, heads > 0, packed.shape[2] % (3 * heads) == 0 else {
            throw TensorError.invalidShape(op: op, shape: packed.shape, reason: "expected [B, T, 3·\(heads)·D]")
        }
        let b = packed.shape[0], t = packed.shape[1], e = packed.shape[2] / 3, d = e / heads
        try checkAttentionArguments(op, batch: b, keys: t, keyPaddingMask: keyPaddingMask, dropoutProbability: dropoutProbability,
                                    keyShape: packed.shape)
        let s = AttentionShape(packedBatch: b, heads: heads, length: t, depth: d)
        let out = Tensor(uninitializedShape: [b, t, e])
        let base = packed.storage.pointer
        let saved = attentionForward(s, q: base, k: base + e, v: base + 2 * e, out: out.storage.pointer, causal: causal,
                                     keyPaddingMask: keyPaddingMask, dropoutProbability: dropoutProbability, generator: &generator)
        return record(out, op, [packed]) { g, _ in
            let grad = Tensor(uninitializedShape: packed.shape), pg = grad.storage.pointer
            let base = packed.storage.pointer
            attentionBackward(s, saved: saved, gradOutput: g.storage.pointer, q: base, k: base + e, v: base + 2 * e,
                              dq: pg, dk: pg + e, dv: pg + 2 * e)
            return [grad]
        }
    }
}
