import Foundation

// Huang et al.'s "skewing" (Music Transformer, ICLR 2019, section 3.4.1), forward and backward
// side by side. Relative logits R = Q·Erᵀ have one column per relative distance (column m is
// distance m − (L − 1), so the last column is distance 0); attention needs them per absolute key
// position. The paper pads one zero column in front ([L, L + 1]), reshapes to [L + 1, L] and drops
// the first row; entry (i, j) of the result is then R[i, L − 1 + j − i] for j ≤ i. Here that index
// map is applied directly, so no padded copy is made: the only memory is the [L, L] output, and
// with the O(L·D) table Er the relative term costs O(L·D + L²) instead of the O(L²·D) of gathering
// Er for every (i, j) pair (Shaw et al. 2018).

extension Tensor {
    /// Relative logits to absolute ones (the skewing trick): for the last two axes [L, L],
    /// `out[i, j] = self[i, L − 1 + j − i]` for `j <= i` and 0 above the diagonal (those are the
    /// future positions a causal mask hides; the paper's pad-reshape-slice leaves other values
    /// there, which the mask hides as well).
    /// - Returns: [..., L, L]
    /// - Throws: `TensorError.invalidShape` unless the last two axes are equal (rank >= 2).
    public func skewedRelativeLogits() throws -> Tensor {
        guard rank >= 2, shape[rank - 1] == shape[rank - 2] else {
            throw TensorError.invalidShape(op: "skewedRelativeLogits", shape: shape, reason: "expected [..., L, L]")
        }
        let l = shape[rank - 1]
        let out = Tensor(uninitializedShape: shape)
        Tensor.skewForward(self.storage.pointer, out.storage.pointer, matrices: count / Swift.max(l * l, 1), length: l)
        return Tensor.record(out, "skew", [self]) { g, _ in
            let grad = Tensor(uninitializedShape: g.shape)
            Tensor.skewBackward(g.storage.pointer, grad.storage.pointer, matrices: g.count / Swift.max(l * l, 1), length: l)
            return [grad]
        }
    }

    /// Forward: row i of each [L, L] matrix takes `src[i, L−1−i ..< L]` into `dst[i, 0 ... i]`.
    static func skewForward(_ src: UnsafePointer<Float>, _ dst: UnsafeMutablePointer<Float>, matrices: Int, length l: Int) {
        Parallel.forEachChunk(count: matrices * l, minimumChunk: Swift.max(1, Parallel.minimumElements / Swift.max(l, 1))) { rows in
            for r in rows {
                let i = r % l
                let s = src + r * l + (l - 1 - i), d = dst + r * l
                d.update(from: s, count: i + 1)
                (d + i + 1).update(repeating: 0, count: l - 1 - i)
            }
        }
    }

    /// Backward: the transpose of the forward map; relative columns `0 ..< L−1−i` of row i (the
    /// distances that do not occur in row i) get no gradient.
    static func skewBackward(_ grad: UnsafePointer<Float>, _ dst: UnsafeMutablePointer<Float>, matrices: Int, length l: Int) {
        Parallel.forEachChunk(count: matrices * l, minimumChunk: Swift.max(1, Parallel.minimumElements / Swift.max(l, 1))) { rows in
            for r in rows {
                let i = r % l
                let d = dst + r * l
                d.update(repeating: 0, count: l - 1 - i)
                (d + (l - 1 - i)).update(from: grad + r * l, count: i + 1)
            }
        }
    }
}

extension Tensor {
    /// Music Transformer's relative term in one op: `skew(query · tableᵀ)` with the table shared by
    /// every batch entry, equal to `query.matmul(table expanded over B, transposeB: true)
    /// .skewedRelativeLogits()` but made in a single [B, H, L, L] buffer (the GEMM writes the
    /// relative logits, each row is then shifted left in place) and with no copy of the table.
    /// - Parameters:
    ///   - query: [B, H, L, D]
    ///   - table: [H, L, D], row r for relative distance r − (L − 1)
    /// - Returns: [B, H, L, L]: `out[b, h, i, j] = query[b, h, i] · table[h, L − 1 + j − i]` for
    ///   j ≤ i, 0 above the diagonal.
    /// - Throws: `TensorError.shapeMismatch` unless the shapes fit.
    public static func relativeLogits(query: Tensor, table: Tensor) throws -> Tensor {
        guard query.rank == 4, table.rank == 3, table.shape == [query.shape[1], query.shape[2], query.shape[3]] else {
            throw TensorError.shapeMismatch(op: "relativeLogits", lhs: query.shape, rhs: table.shape)
        }
        let (b, h, l, d) = (query.shape[0], query.shape[1], query.shape[2], query.shape[3])
        let qLayout = HeadLayout.contiguous(heads: h, rows: l, columns: d)
        let tLayout = HeadLayout(ld: d, batchStride: 0, headStride: l * d)   // one table per head, shared over B
        let lLayout = HeadLayout.contiguous(heads: h, rows: l, columns: l)
        let out = Tensor(uninitializedShape: [b, h, l, l])
        let po = out.storage.pointer
        gemmBatch(b * h, heads: h, transposeB: true, m: l, n: l, k: d, a: query.storage.pointer, qLayout,
                  b: table.storage.pointer, tLayout, c: po, lLayout)
        // In place: row i keeps columns L−1−i ..< L, moved to 0 ... i (a left shift, safe forward).
        Parallel.forEachChunk(count: b * h * l, minimumChunk: Swift.max(1, Parallel.minimumElements / Swift.max(l, 1))) { rows in
            for r in rows {
                let i = r % l, row = po + r * l
                let shift = l - 1 - i
                if shift > 0 {
                    for j in 0...i { row[j] = row[j + shift] }
                    (row + i + 1).update(repeating: 0, count: shift)
                }
            }
        }
        return record(out, "relative_logits", [query, table]) { g, _ in
            // Unskew the gradient, then the two GEMM gradients: dQ = dR·T, dT = Σ_b dRᵀ·Q.
            let dr = Tensor(uninitializedShape: g.shape)
            skewBackward(g.storage.pointer, dr.storage.pointer, matrices: b * h, length: l)
            let pdr = UnsafePointer(dr.storage.pointer)
            var dq: Tensor? = nil, dt: Tensor? = nil
            if query.requiresGrad {
                let grad = Tensor(uninitializedShape: query.shape)
                gemmBatch(b * h, heads: h, m: l, n: d, k: l, a: pdr, lLayout, b: table.storage.pointer, tLayout,
                          c: grad.storage.pointer, qLayout)
                dq = grad
            }
            if table.requiresGrad {
                let perBatch = Tensor(uninitializedShape: query.shape)
                gemmBatch(b * h, heads: h, transposeA: true, m: l, n: d, k: l, a: pdr, lLayout, b: query.storage.pointer, qLayout,
                          c: perBatch.storage.pointer, qLayout)
                dt = Tensor.sumTo(perBatch, table.shape)
            }
            return [dq, dt]
        }
    }
}
