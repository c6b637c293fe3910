import Foundation

// Indexing and selection: index-select, gather, one-hot, where, masked fill.

extension Tensor {
    /// Checks every index is in `0..<bound`.
    static func checkIndices(_ indices: [Int], bound: Int, op: String) throws {
        for i in indices where i < 0 || i >= bound { throw TensorError.indexOutOfRange(op: op, index: i, bound: bound) }
    }

    /// Integral `Float` values of an index tensor as `[Int]`.
    /// - Throws: `TensorError.invalidArgument` for a non-integral or non-finite value.
    public func indices(op: String = "indices") throws -> [Int] {
        try scalars.map { v in
            guard v.isFinite, v == v.rounded(), Swift.abs(v) < 16_777_216 else {
                throw TensorError.invalidArgument(op: op, reason: "index value \(v) is not an integer")
            }
            return Int(v)
        }
    }

    /// Selects entries `indices` along `axis` (as `torch.index_select`); output axis length is
    /// `indices.count`. Gradients of repeated indices add up.
    /// - Throws: `TensorError.invalidAxis`, `indexOutOfRange`.
    public func indexSelect(axis: Int, indices: [Int]) throws -> Tensor {
        let a = try Tensor.normalize(axis: axis, rank: rank, op: "index_select")
        try Tensor.checkIndices(indices, bound: shape[a], op: "index_select")
        var outShape = shape
        outShape[a] = indices.count
        let out = Tensor(uninitializedShape: outShape)
        let (outer, n, inner) = Tensor.split3(shape, a)
        let m = indices.count
        let src = storage.pointer, dst = out.storage.pointer
        for o in 0..<outer {
            for (j, idx) in indices.enumerated() {
                (dst + (o * m + j) * inner).update(from: src + (o * n + idx) * inner, count: inner)
            }
        }
        return Tensor.record(out, "index_select", [self]) { g, _ in
            let dx = Tensor.zeros(self.shape)
            let pg = g.storage.pointer, pd = dx.storage.pointer
            for o in 0..<outer {
                for (j, idx) in indices.enumerated() {
                    let d = pd + (o * n + idx) * inner, s = pg + (o * m + j) * inner
                    for i in 0..<inner { d[i] += s[i] }
                }
            }
            return [dx]
        }
    }

    /// `torch.gather`: `out[i][j][k] = self[i][index[i][j][k]][k]` for `axis == 1` (and so on).
    /// `index` holds integral values, has `self`'s rank and is no larger on the other axes.
    /// - Throws: `TensorError.shapeMismatch`, `invalidAxis`, `indexOutOfRange`.
    public func gather(axis: Int, index: Tensor) throws -> Tensor {
        let a = try Tensor.normalize(axis: axis, rank: rank, op: "gather")
        guard index.rank == rank, (0..<rank).allSatisfy({ $0 == a || index.shape[$0] <= shape[$0] }) else {
            throw TensorError.shapeMismatch(op: "gather", lhs: shape, rhs: index.shape)
        }
        let idx = try index.indices(op: "gather")
        try Tensor.checkIndices(idx, bound: shape[a], op: "gather")
        // Source offset of every output element.
        var strides = [Int](repeating: 1, count: rank)
        for d in stride(from: rank - 2, through: 0, by: -1) { strides[d] = strides[d + 1] * shape[d + 1] }
        var offsets = [Int](repeating: 0, count: idx.count)
        var counter = [Int](repeating: 0, count: rank)
        for e in 0..<idx.count {
            var off = 0
            for d in 0..<rank { off += (d == a ? idx[e] : counter[d]) * strides[d] }
            offsets[e] = off
            var d = rank - 1
            while d >= 0 { counter[d] += 1; if counter[d] < index.shape[d] { break }; counter[d] = 0; d -= 1 }
        }
        let out = Tensor(uninitializedShape: index.shape)
        let src = storage.pointer, dst = out.storage.pointer
        for (e, off) in offsets.enumerated() { dst[e] = src[off] }
        return Tensor.record(out, "gather", [self]) { g, _ in
            let dx = Tensor.zeros(self.shape)
            let pg = g.storage.pointer, pd = dx.storage.pointer
            for (e, off) in offsets.enumerated() { pd[off] += pg[e] }
            return [dx]
        }
    }

    /// One-hot rows: `[indices.count, depth]` with a 1 at each index.
    /// - Throws: `TensorError.indexOutOfRange`.
    public static func oneHot(_ indices: [Int], depth: Int) throws -> Tensor {
        try checkIndices(indices, bound: depth, op: "one_hot")
        let out = Tensor.zeros([indices.count, depth])
        for (r, i) in indices.enumerated() { out.storage.pointer[r * depth + i] = 1 }
        return out
    }

    /// `condition ? a : b` elementwise, all three broadcast together (nonzero = true).
    /// - Throws: `TensorError.shapeMismatch`.
    public static func `where`(_ condition: Tensor, _ a: Tensor, _ b: Tensor) throws -> Tensor {
        guard let s1 = broadcastShape(condition.shape, a.shape), let s = broadcastShape(s1, b.shape) else {
            throw TensorError.shapeMismatch(op: "where", lhs: a.shape, rhs: b.shape == a.shape ? condition.shape : b.shape)
        }
        let c = expandKernel(condition, to: s)
        let ea = try a.expand(to: s), eb = try b.expand(to: s)
        let pc = c.storage.pointer
        let out = Tensor(uninitializedShape: s)
        let pa = ea.storage.pointer, pb = eb.storage.pointer, po = out.storage.pointer
        for i in 0..<out.count { po[i] = pc[i] != 0 ? pa[i] : pb[i] }
        return record(out, "where", [ea, eb]) { g, _ in
            [zip(g, c) { $1 != 0 ? $0 : 0 }, zip(g, c) { $1 != 0 ? 0 : $0 }]
        }
    }

    /// `value` where `mask` is nonzero, `self` elsewhere; `mask` broadcasts to `self`'s shape
    /// (`torch.masked_fill`, e.g. `-inf` on masked attention scores).
    /// - Throws: `TensorError.shapeMismatch`.
    public func maskedFill(_ mask: Tensor, _ value: Float) throws -> Tensor {
        guard let s = Tensor.broadcastShape(shape, mask.shape), s == shape else {
            throw TensorError.shapeMismatch(op: "masked_fill", lhs: shape, rhs: mask.shape)
        }
        let out = Tensor.broadcastBinary(self, mask, shape: shape) { x, m in m != 0 ? value : x }
        return Tensor.record(out, "masked_fill", [self]) { g, _ in
            [Tensor.broadcastBinary(g, mask, shape: self.shape) { g, m in m != 0 ? 0 : g }]
        }
    }
}
