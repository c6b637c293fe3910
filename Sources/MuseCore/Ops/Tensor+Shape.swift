import Foundation

// Shape ops: reshape (a view), squeeze/unsqueeze, permute/transpose, expand, concat/stack,
// narrow/split. All but the view-returning ones copy into fresh contiguous storage.

extension Tensor {
    /// A view with `shape` (same element count), connected to the graph (no checks).
    func reshapeView(_ newShape: [Int]) -> Tensor {
        let out = Tensor(shape: newShape, storage: storage)
        return Tensor.record(out, "reshape", [self]) { g, _ in [Tensor(shape: self.shape, storage: g.storage)] }
    }

    /// A view of the same storage with `newShape`; one dimension may be `-1` (inferred).
    /// - Throws: `TensorError.invalidShape` if the element counts differ.
    public func reshape(_ newShape: [Int]) throws -> Tensor {
        var s = newShape
        let inferred = s.indices.filter { s[$0] == -1 }
        let known = s.filter { $0 != -1 }.reduce(1, *)
        guard inferred.count <= 1, s.allSatisfy({ $0 >= -1 }) else {
            throw TensorError.invalidShape(op: "reshape", shape: newShape, reason: "at most one -1 and no other negative")
        }
        if let i = inferred.first {
            guard known > 0, count % known == 0 else {
                throw TensorError.shapeMismatch(op: "reshape", lhs: shape, rhs: newShape)
            }
            s[i] = count / known
        }
        guard s.reduce(1, *) == count else { throw TensorError.shapeMismatch(op: "reshape", lhs: shape, rhs: newShape) }
        return reshapeView(s)
    }

    /// Flattens axes `startAxis…endAxis` into one (a view). - Throws: `TensorError.invalidAxis`.
    public func flatten(startAxis: Int = 0, endAxis: Int = -1) throws -> Tensor {
        if rank == 0 { return reshapeView([1]) }
        let a = try Tensor.normalize(axis: startAxis, rank: rank, op: "flatten")
        let b = try Tensor.normalize(axis: endAxis, rank: rank, op: "flatten")
        guard a <= b else { throw TensorError.invalidAxis(op: "flatten", axis: endAxis, rank: rank) }
        return reshapeView(Array(shape[..<a]) + [shape[a...b].reduce(1, *)] + Array(shape[(b + 1)...]))
    }

    /// Inserts a size-1 axis at `axis` (`-1` appends). A view. - Throws: `TensorError.invalidAxis`.
    public func unsqueeze(axis: Int) throws -> Tensor {
        let a = try Tensor.normalize(axis: axis, rank: rank + 1, op: "unsqueeze")
        var s = shape
        s.insert(1, at: a)
        return reshapeView(s)
    }

    /// Removes the size-1 axis `axis` (a view). - Throws: `TensorError.invalidAxis` or
    /// `invalidShape` if that axis is not of size 1.
    public func squeeze(axis: Int) throws -> Tensor {
        let a = try Tensor.normalize(axis: axis, rank: rank, op: "squeeze")
        guard shape[a] == 1 else { throw TensorError.invalidShape(op: "squeeze", shape: shape, reason: "axis \(axis) is not 1") }
        var s = shape
        s.remove(at: a)
        return reshapeView(s)
    }

    // MARK: - permute / transpose

    /// Copy of `x` with axes reordered: output axis i is input axis `order[i]` (no autodiff).
    static func permuteKernel(_ x: Tensor, _ order: [Int]) -> Tensor {
        let r = x.rank
        let outShape = order.map { x.shape[$0] }
        let out = Tensor(uninitializedShape: outShape)
        let n = x.count
        if n == 0 { return out }
        var inStrides = [Int](repeating: 1, count: r)
        for d in stride(from: r - 2, through: 0, by: -1) { inStrides[d] = inStrides[d + 1] * x.shape[d + 1] }
        let st = order.map { inStrides[$0] }  // input stride per output axis
        let src = x.storage.pointer, dst = out.storage.pointer
        if r == 2 {
            // Blocked 2-D transpose: dst[i, j] = src[j, i].
            let rows = outShape[0], cols = outShape[1], s0 = st[0], s1 = st[1]
            let blk = 32
            Parallel.forEachChunk(count: (rows + blk - 1) / blk, minimumChunk: Swift.max(1, Parallel.minimumElements / (blk * Swift.max(cols, 1)))) { rb in
                for bi in rb {
                    let i0 = bi * blk, i1 = Swift.min(rows, i0 + blk)
                    var j0 = 0
                    while j0 < cols {
                        let j1 = Swift.min(cols, j0 + blk)
                        for i in i0..<i1 { for j in j0..<j1 { dst[i * cols + j] = src[i * s0 + j * s1] } }
                        j0 = j1
                    }
                }
            }
            return out
        }
        let inner = outShape[r - 1], innerStride = st[r - 1]
        let rows = n / inner
        Parallel.forEachChunk(count: rows, minimumChunk: Swift.max(1, Parallel.minimumElements / inner)) { range in
            for row in range {
                var rem = row, off = 0
                var d = r - 2
                while d >= 0 { off += (rem % outShape[d]) * st[d]; rem /= outShape[d]; d -= 1 }
                let o = dst + row * inner
                for j in 0..<inner { o[j] = src[off + j * innerStride] }
            }
        }
        return out
    }

    /// Reorders axes: output axis i is input axis `order[i]` (a copy).
    /// - Throws: `TensorError.invalidArgument` if `order` is not a permutation of the axes.
    public func permute(_ order: [Int]) throws -> Tensor {
        let o = try order.map { try Tensor.normalize(axis: $0, rank: rank, op: "permute") }
        guard o.count == rank, Set(o).count == rank else {
            throw TensorError.invalidArgument(op: "permute", reason: "\(order) is not a permutation of \(rank) axes of \(shape)")
        }
        if o == Array(0..<rank) { return reshapeView(shape) }
        var inverse = [Int](repeating: 0, count: rank)
        for (i, a) in o.enumerated() { inverse[a] = i }
        return Tensor.record(Tensor.permuteKernel(self, o), "permute", [self]) { g, _ in [Tensor.permuteKernel(g, inverse)] }
    }

    /// Swaps two axes (a copy). - Throws: `TensorError.invalidAxis`.
    public func transpose(_ axis0: Int = -2, _ axis1: Int = -1) throws -> Tensor {
        let a = try Tensor.normalize(axis: axis0, rank: rank, op: "transpose")
        let b = try Tensor.normalize(axis: axis1, rank: rank, op: "transpose")
        var order = Array(0..<rank)
        order.swapAt(a, b)
        return try permute(order)
    }

    /// Broadcasts to `newShape` (a copy). - Throws: `TensorError.shapeMismatch`.
    public func expand(to newShape: [Int]) throws -> Tensor {
        guard let s = Tensor.broadcastShape(shape, newShape), s == newShape else {
            throw TensorError.shapeMismatch(op: "expand", lhs: shape, rhs: newShape)
        }
        if newShape == shape { return reshapeView(shape) }
        return Tensor.record(Tensor.expandKernel(self, to: newShape), "expand", [self]) { g, _ in [Tensor.sumTo(g, self.shape)] }
    }

    // MARK: - concat / stack / narrow / split

    /// Joins tensors along `axis`; all other dimensions must agree.
    /// - Throws: `TensorError.shapeMismatch` naming the first disagreeing pair, `invalidAxis`,
    ///   `invalidArgument` for an empty list.
    public static func concat(_ tensors: [Tensor], axis: Int) throws -> Tensor {
        guard let first = tensors.first else { throw TensorError.invalidArgument(op: "concat", reason: "no tensors") }
        let a = try normalize(axis: axis, rank: first.rank, op: "concat")
        for t in tensors.dropFirst() {
            var s1 = first.shape, s2 = t.shape
            guard s1.count == s2.count else { throw TensorError.shapeMismatch(op: "concat", lhs: first.shape, rhs: t.shape) }
            s1[a] = 0; s2[a] = 0
            guard s1 == s2 else { throw TensorError.shapeMismatch(op: "concat", lhs: first.shape, rhs: t.shape) }
        }
        let lengths = tensors.map { $0.shape[a] }
        var outShape = first.shape
        outShape[a] = lengths.reduce(0, +)
        let out = Tensor(uninitializedShape: outShape)
        let (outer, total, inner) = split3(outShape, a)
        var offset = 0
        for t in tensors {
            let len = t.shape[a] * inner
            let src = t.storage.pointer, dst = out.storage.pointer
            for o in 0..<outer {
                (dst + (o * total * inner + offset)).update(from: src + o * len, count: len)
            }
            offset += len
        }
        return record(out, "concat", tensors) { g, _ in
            var start = 0
            return lengths.map { len in
                defer { start += len }
                return narrowKernel(g, axis: a, start: start, length: len)
            }
        }
    }

    /// Stacks equally shaped tensors along a new axis `axis`.
    /// - Throws: `TensorError.shapeMismatch`, `invalidAxis`, `invalidArgument` for an empty list.
    public static func stack(_ tensors: [Tensor], axis: Int = 0) throws -> Tensor {
        guard let first = tensors.first else { throw TensorError.invalidArgument(op: "stack", reason: "no tensors") }
        for t in tensors where t.shape != first.shape {
            throw TensorError.shapeMismatch(op: "stack", lhs: first.shape, rhs: t.shape)
        }
        return try concat(tensors.map { try $0.unsqueeze(axis: axis < 0 ? axis + first.rank + 1 : axis) }, axis: axis)
    }

    /// `x[…, start..<start+length, …]` along `axis` (no autodiff).
    static func narrowKernel(_ x: Tensor, axis: Int, start: Int, length: Int) -> Tensor {
        var outShape = x.shape
        outShape[axis] = length
        let out = Tensor(uninitializedShape: outShape)
        let (outer, n, inner) = split3(x.shape, axis)
        let src = x.storage.pointer, dst = out.storage.pointer
        for o in 0..<outer {
            (dst + o * length * inner).update(from: src + (o * n + start) * inner, count: length * inner)
        }
        return out
    }

    /// The slice `start..<start+length` along `axis` (a copy, as `torch.narrow` then `contiguous`).
    /// - Throws: `TensorError.invalidAxis`, `indexOutOfRange`.
    public func narrow(axis: Int, start: Int, length: Int) throws -> Tensor {
        let a = try Tensor.normalize(axis: axis, rank: rank, op: "narrow")
        guard start >= 0, length >= 0, start + length <= shape[a] else {
            throw TensorError.indexOutOfRange(op: "narrow", index: start + length, bound: shape[a] + 1)
        }
        let out = Tensor.narrowKernel(self, axis: a, start: start, length: length)
        return Tensor.record(out, "narrow", [self]) { g, _ in
            let dx = Tensor.zeros(self.shape)
            let (outer, n, inner) = Tensor.split3(self.shape, a)
            for o in 0..<outer {
                (dx.storage.pointer + (o * n + start) * inner).update(from: g.storage.pointer + o * length * inner, count: length * inner)
            }
            return [dx]
        }
    }

    /// Splits along `axis` into pieces of the given sizes (which must sum to the axis length).
    /// - Throws: `TensorError.invalidArgument`, `invalidAxis`.
    public func split(sizes: [Int], axis: Int) throws -> [Tensor] {
        let a = try Tensor.normalize(axis: axis, rank: rank, op: "split")
        guard sizes.allSatisfy({ $0 >= 0 }), sizes.reduce(0, +) == shape[a] else {
            throw TensorError.invalidArgument(op: "split", reason: "sizes \(sizes) do not sum to \(shape[a]) (axis \(axis) of \(shape))")
        }
        var start = 0
        return try sizes.map { len in
            defer { start += len }
            return try narrow(axis: a, start: start, length: len)
        }
    }

    /// Splits along `axis` into `count` equal pieces. - Throws: `TensorError.invalidArgument`.
    public func chunk(_ count: Int, axis: Int) throws -> [Tensor] {
        let a = try Tensor.normalize(axis: axis, rank: rank, op: "chunk")
        guard count > 0, shape[a] % count == 0 else {
            throw TensorError.invalidArgument(op: "chunk", reason: "axis \(axis) of \(shape) does not split into \(count)")
        }
        return try split(sizes: [Int](repeating: shape[a] / count, count: count), axis: a)
    }
}
