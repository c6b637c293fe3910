import Foundation

// Reductions along axes (sum, mean, max, argmax, logsumexp) and softmax / log-softmax.
// A reduction over axis `a` views the tensor as [outer, n, inner] with n = shape[a].

extension Tensor {
    /// `(outer, n, inner)` for a reduction over `axis`.
    static func split3(_ shape: [Int], _ axis: Int) -> (Int, Int, Int) {
        (shape[..<axis].reduce(1, *), shape[axis], shape[(axis + 1)...].reduce(1, *))
    }

    /// Sum over `axis`, keeping it with size 1 (no autodiff).
    static func sumAxisKernel(_ x: Tensor, axis: Int) -> Tensor {
        var outShape = x.shape
        outShape[axis] = 1
        let out = Tensor(uninitializedShape: outShape)
        let (outer, n, inner) = split3(x.shape, axis)
        let src = x.storage.pointer, dst = out.storage.pointer
        if inner == 1 {
            Parallel.forEachChunk(count: outer, minimumChunk: Swift.max(1, Parallel.minimumElements / Swift.max(n, 1))) { r in
                for o in r {
                    var acc: Double = 0
                    let row = src + o * n
                    for k in 0..<n { acc += Double(row[k]) }
                    dst[o] = Float(acc)
                }
            }
        } else {
            Parallel.forEachChunk(count: outer, minimumChunk: Swift.max(1, Parallel.minimumElements / Swift.max(n * inner, 1))) { r in
                for o in r {
                    let d = dst + o * inner
                    d.initialize(repeating: 0, count: inner)
                    for k in 0..<n {
                        let row = src + (o * n + k) * inner
                        for i in 0..<inner { d[i] += row[i] }
                    }
                }
            }
        }
        return out
    }

    /// `g` (shape `small`, broadcastable) repeated up to `shape` (no autodiff).
    static func expandKernel(_ g: Tensor, to shape: [Int]) -> Tensor {
        if g.shape == shape { return g }
        return broadcastBinary(g, Tensor(scalar: 0), shape: shape) { a, _ in a }
    }

    /// Shape after removing (or keeping as 1) the reduced axes.
    static func reducedShape(_ shape: [Int], _ axes: [Int], keepDim: Bool) -> [Int] {
        var out: [Int] = []
        for (d, s) in shape.enumerated() {
            if axes.contains(d) { if keepDim { out.append(1) } } else { out.append(s) }
        }
        return out
    }

    // MARK: - sum / mean

    /// Sum of all elements, rank 0.
    public func sum() -> Tensor {
        let total = Tensor(shape: [], storage: Tensor.sumAll(self).storage)
        return Tensor.record(total, "sum", [self]) { g, _ in [Tensor.full(self.shape, g.item())] }
    }

    static func sumAll(_ x: Tensor) -> Tensor {
        Tensor.sumAxisKernel(Tensor(shape: [x.count], storage: x.storage), axis: 0)
    }

    /// Sum over `axes` (negative allowed), dropping them unless `keepDim`.
    /// - Throws: `TensorError.invalidAxis`.
    public func sum(axes: [Int], keepDim: Bool = false) throws -> Tensor {
        let axes = Set(try axes.map { try Tensor.normalize(axis: $0, rank: rank, op: "sum") }).sorted()
        var cur = self.detach()
        for a in axes { cur = Tensor.sumAxisKernel(cur, axis: a) }
        let outShape = Tensor.reducedShape(shape, axes, keepDim: keepDim)
        let out = Tensor(shape: outShape, storage: cur.storage)
        let keptShape = Tensor.reducedShape(shape, axes, keepDim: true)
        return Tensor.record(out, "sum", [self]) { g, _ in
            [Tensor.expandKernel(Tensor(shape: keptShape, storage: g.storage), to: self.shape)]
        }
    }

    /// Sum over one axis. - Throws: `TensorError.invalidAxis`.
    public func sum(axis: Int, keepDim: Bool = false) throws -> Tensor { try sum(axes: [axis], keepDim: keepDim) }

    /// Mean of all elements, rank 0.
    public func mean() -> Tensor { sum() * (1 / Float(Swift.max(count, 1))) }

    /// Mean over `axes`. - Throws: `TensorError.invalidAxis`.
    public func mean(axes: [Int], keepDim: Bool = false) throws -> Tensor {
        let s = try sum(axes: axes, keepDim: keepDim)
        let n = count / Swift.max(s.count, 1)
        return s * (1 / Float(Swift.max(n, 1)))
    }

    /// Mean over one axis. - Throws: `TensorError.invalidAxis`.
    public func mean(axis: Int, keepDim: Bool = false) throws -> Tensor { try mean(axes: [axis], keepDim: keepDim) }

    /// Population (biased, `unbiased=False`) variance over `axes`.
    public func variance(axes: [Int], keepDim: Bool = false) throws -> Tensor {
        let m = try mean(axes: axes, keepDim: true)
        return try (self - m).square().mean(axes: axes, keepDim: keepDim)
    }

    // MARK: - max / argmax

    /// Maximum over `axis` and the index of its first occurrence, both with the axis size 1.
    static func maxKernel(_ x: Tensor, axis: Int) -> (values: Tensor, indices: [Int]) {
        var outShape = x.shape
        outShape[axis] = 1
        let values = Tensor(uninitializedShape: outShape)
        let (outer, n, inner) = split3(x.shape, axis)
        var indices = [Int](repeating: 0, count: outer * inner)
        let src = x.storage.pointer, dst = values.storage.pointer
        for o in 0..<outer {
            for i in 0..<inner {
                var best = src[o * n * inner + i], bestK = 0
                if !best.isNaN {
                    for k in 1..<Swift.max(n, 1) {
                        let v = src[(o * n + k) * inner + i]
                        if v.isNaN { best = v; bestK = k; break }  // NaN propagates, as PyTorch
                        if v > best { best = v; bestK = k }
                    }
                }
                dst[o * inner + i] = best
                indices[o * inner + i] = bestK
            }
        }
        return (values, indices)
    }

    /// Maximum over `axis` (gradient flows to the first maximal element, as PyTorch).
    /// - Throws: `TensorError.invalidAxis`, or `invalidShape` if the axis is empty.
    public func max(axis: Int, keepDim: Bool = false) throws -> Tensor {
        let a = try Tensor.normalize(axis: axis, rank: rank, op: "max")
        guard shape[a] > 0 else { throw TensorError.invalidShape(op: "max", shape: shape, reason: "empty axis") }
        let (values, indices) = Tensor.maxKernel(self, axis: a)
        let out = Tensor(shape: Tensor.reducedShape(shape, [a], keepDim: keepDim), storage: values.storage)
        let (_, n, inner) = Tensor.split3(shape, a)
        return Tensor.record(out, "max", [self]) { g, _ in
            let dx = Tensor.zeros(self.shape)
            let pg = g.storage.pointer, pd = dx.storage.pointer
            for (j, k) in indices.enumerated() {
                let o = j / inner, i = j % inner
                pd[(o * n + k) * inner + i] = pg[j]
            }
            return [dx]
        }
    }

    /// Maximum of all elements, rank 0 (an empty tensor is a programmer error).
    public func max() -> Tensor {
        precondition(count > 0, "Swift.max(): empty tensor")
        let flat = Tensor(shape: [count], storage: storage)
        let (values, indices) = Tensor.maxKernel(flat, axis: 0)
        let out = Tensor(shape: [], storage: values.storage)
        return Tensor.record(out, "max_all", [self]) { g, _ in
            let dx = Tensor.zeros(self.shape)
            dx.storage.pointer[indices[0]] = g.item()
            return [dx]
        }
    }

    /// Index of the first maximum along `axis`, as integral `Float` values (no gradient).
    /// - Throws: `TensorError.invalidAxis`, or `invalidShape` if the axis is empty.
    public func argmax(axis: Int, keepDim: Bool = false) throws -> Tensor {
        let a = try Tensor.normalize(axis: axis, rank: rank, op: "argmax")
        guard shape[a] > 0 else { throw TensorError.invalidShape(op: "argmax", shape: shape, reason: "empty axis") }
        let (_, indices) = Tensor.maxKernel(self, axis: a)
        return Tensor(shape: Tensor.reducedShape(shape, [a], keepDim: keepDim),
                      storage: TensorStorage(copying: indices.map { Float($0) }))
    }

    // MARK: - logsumexp, softmax

    /// `log Σ exp(x)` over `axis`, computed stably (subtracting the maximum).
    public func logSumExp(axis: Int, keepDim: Bool = false) throws -> Tensor {
        let a = try Tensor.normalize(axis: axis, rank: rank, op: "logsumexp")
        let (outer, n, inner) = Tensor.split3(shape, a)
        let out = Tensor(uninitializedShape: Tensor.reducedShape(shape, [a], keepDim: keepDim))
        let src = storage.pointer, dst = out.storage.pointer
        for o in 0..<outer {
            for i in 0..<inner {
                var m = -Float.infinity
                for k in 0..<n { m = Swift.max(m, src[(o * n + k) * inner + i]) }
                var s: Float = 0
                if m.isFinite { for k in 0..<n { s += Foundation.exp(src[(o * n + k) * inner + i] - m) } }
                dst[o * inner + i] = m.isFinite ? m + Foundation.log(s) : m
            }
        }
        let kept = Tensor.reducedShape(shape, [a], keepDim: true)
        return Tensor.record(out, "logsumexp", [self]) { g, y in
            // d/dx = softmax(x) = exp(x - lse)
            let lse = Tensor.expandKernel(Tensor(shape: kept, storage: y.storage), to: self.shape)
            let gg = Tensor.expandKernel(Tensor(shape: kept, storage: g.storage), to: self.shape)
            return [Tensor.zip(gg, Tensor.zip(self, lse) { Foundation.exp($0 - $1) }) { $0 * $1 }]
        }
    }

    /// Softmax (or log-softmax) kernel along an axis viewed as [outer, n, inner].
    static func softmaxKernel(_ x: Tensor, axis: Int, log: Bool) -> Tensor {
        let (outer, n, inner) = split3(x.shape, axis)
        let out = Tensor(uninitializedShape: x.shape)
        let src = x.storage.pointer, dst = out.storage.pointer
        Parallel.forEachChunk(count: outer, minimumChunk: Swift.max(1, Parallel.minimumElements / Swift.max(1, n * inner))) { r in
            for o in r {
                if inner == 1 {
                    // Contiguous rows (softmax over the last axis): vectorised passes.
                    let x = src + o * n, y = dst + o * n
                    let (m, s) = RowSoftmax.exponentiateShifted(x, into: y, count: n)
                    if log {
                        let lse = m + Foundation.log(s)
                        for k in 0..<n { y[k] = x[k] - lse }
                    } else {
                        let inv = 1 / s
                        for k in 0..<n { y[k] *= inv }
                    }
                    continue
                }
                for i in 0..<inner {
                    let base = o * n * inner + i
                    var m = -Float.infinity
                    for k in 0..<n { m = Swift.max(m, src[base + k * inner]) }
                    var s: Float = 0
                    for k in 0..<n {
                        let e = Foundation.exp(src[base + k * inner] - m)
                        dst[base + k * inner] = e
                        s += e
                    }
                    if log {
                        let lse = m + Foundation.log(s)
                        for k in 0..<n { dst[base + k * inner] = src[base + k * inner] - lse }
                    } else {
                        let inv = 1 / s
                        for k in 0..<n { dst[base + k * inner] *= inv }
                    }
                }
            }
        }
        return out
    }

    /// Softmax along `axis`. - Throws: `TensorError.invalidAxis`.
    public func softmax(axis: Int = -1) throws -> Tensor {
        let a = try Tensor.normalize(axis: axis, rank: rank, op: "softmax")
        let out = Tensor.softmaxKernel(self, axis: a, log: false)
        return Tensor.record(out, "softmax", [self]) { g, y in
            // dx = y ⊙ (g − Σ_k g y)
            let gy = Tensor.zip(g, y) { $0 * $1 }
            let s = Tensor.expandKernel(Tensor.sumAxisKernel(gy, axis: a), to: y.shape)
            return [Tensor.zip(y, Tensor.zip(g, s) { $0 - $1 }) { $0 * $1 }]
        }
    }

    /// Log-softmax along `axis`. - Throws: `TensorError.invalidAxis`.
    public func logSoftmax(axis: Int = -1) throws -> Tensor {
        let a = try Tensor.normalize(axis: axis, rank: rank, op: "log_softmax")
        let out = Tensor.softmaxKernel(self, axis: a, log: true)
        return Tensor.record(out, "log_softmax", [self]) { g, y in
            // dx = g − softmax ⊙ Σ_k g
            let s = Tensor.expandKernel(Tensor.sumAxisKernel(g, axis: a), to: y.shape)
            return [Tensor.zip(g, Tensor.zip(y, s) { Foundation.exp($0) * $1 }) { $0 - $1 }]
        }
    }
}
