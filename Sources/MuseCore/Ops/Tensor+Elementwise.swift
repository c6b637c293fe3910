import Foundation

// Elementwise math: unary functions, broadcasting binary operators, scalar operators.
// Each op: forward kernel, then `record(…)` with its backward right beside it.

extension Tensor {
    // MARK: - Kernels (no autodiff)

    // Threads: memory-bound kernels (add, multiply, select) run on one core, which already
    // streams ~40 GB/s here, and their closures inline into a vectorised loop; only kernels that
    // are compute-bound (transcendentals: `heavy: true`) split over the cores, where the cost of
    // an indirect call per element is small beside the `exp`/`erf` it wraps.

    /// `f` applied to every element; `heavy` kernels run in parallel above the threshold.
    @inline(__always)
    static func map(_ x: Tensor, heavy: Bool = false, _ f: (Float) -> Float) -> Tensor {
        let out = Tensor(uninitializedShape: x.shape)
        let src = x.storage.pointer, dst = out.storage.pointer, n = x.count
        if heavy && n >= Parallel.minimumElements {
            Parallel.forEachChunk(count: n, minimumChunk: Parallel.minimumElements / 2) { r in for i in r { dst[i] = f(src[i]) } }
        } else {
            for i in 0..<n { dst[i] = f(src[i]) }
        }
        return out
    }

    /// `f(a[i], b[i])` for two tensors of equal element count; result has `a`'s shape.
    @inline(__always)
    static func zip(_ a: Tensor, _ b: Tensor, heavy: Bool = false, _ f: (Float, Float) -> Float) -> Tensor {
        precondition(a.count == b.count, "zip: \(a.shape) vs \(b.shape)")
        let out = Tensor(uninitializedShape: a.shape)
        let pa = a.storage.pointer, pb = b.storage.pointer, po = out.storage.pointer, n = a.count
        if heavy && n >= Parallel.minimumElements {
            Parallel.forEachChunk(count: n, minimumChunk: Parallel.minimumElements / 2) { r in for i in r { po[i] = f(pa[i], pb[i]) } }
        } else {
            for i in 0..<n { po[i] = f(pa[i], pb[i]) }
        }
        return out
    }

    /// `a + b` for equal shapes, no autodiff (gradient accumulation).
    static func addSameShape(_ a: Tensor, _ b: Tensor) -> Tensor { zip(a, b) { $0 + $1 } }

    /// The NumPy/PyTorch broadcast of two shapes, or `nil` if they are incompatible.
    public static func broadcastShape(_ a: [Int], _ b: [Int]) -> [Int]? {
        let r = Swift.max(a.count, b.count)
        var out = [Int](repeating: 1, count: r)
        for i in 0..<r {
            let da = i < r - a.count ? 1 : a[i - (r - a.count)]
            let db = i < r - b.count ? 1 : b[i - (r - b.count)]
            if da == db || db == 1 { out[i] = da } else if da == 1 { out[i] = db } else { return nil }
        }
        return out
    }

    /// Row-major strides of `shape` right-aligned against `out`, 0 on broadcast axes.
    static func broadcastStrides(_ shape: [Int], to out: [Int]) -> [Int] {
        var strides = [Int](repeating: 0, count: out.count)
        var s = 1
        for i in stride(from: shape.count - 1, through: 0, by: -1) {
            let o = i + out.count - shape.count
            strides[o] = shape[i] == 1 && out[o] != 1 ? 0 : s
            s *= shape[i]
        }
        return strides
    }

    /// `f(a, b)` with both broadcast to `outShape` (already validated).
    @inline(__always)
    static func broadcastBinary(_ a: Tensor, _ b: Tensor, shape outShape: [Int], _ f: (Float, Float) -> Float) -> Tensor {
        let out = Tensor(uninitializedShape: outShape)
        let n = out.count
        if n == 0 { return out }
        let pa = a.storage.pointer, pb = b.storage.pointer, po = out.storage.pointer
        if a.count == n && b.count == n {
            for i in 0..<n { po[i] = f(pa[i], pb[i]) }
            return out
        }
        if a.count == n && b.count == 1 {
            let s = pb[0]
            for i in 0..<n { po[i] = f(pa[i], s) }
            return out
        }
        if a.count == 1 && b.count == n {
            let s = pa[0]
            for i in 0..<n { po[i] = f(s, pb[i]) }
            return out
        }
        let rank = outShape.count
        let sa = broadcastStrides(a.shape, to: outShape), sb = broadcastStrides(b.shape, to: outShape)
        let inner = outShape[rank - 1]
        let rows = n / inner
        let ia = sa[rank - 1], ib = sb[rank - 1]
        do {
            for row in 0..<rows {
                var rem = row, oa = 0, ob = 0
                var d = rank - 2
                while d >= 0 {
                    let idx = rem % outShape[d]
                    rem /= outShape[d]
                    oa += idx * sa[d]
                    ob += idx * sb[d]
                    d -= 1
                }
                let o = po + row * inner
                if ia == 1 && ib == 1 {
                    for j in 0..<inner { o[j] = f(pa[oa + j], pb[ob + j]) }
                } else if ia == 1 {
                    let s = pb[ob]
                    for j in 0..<inner { o[j] = f(pa[oa + j], s) }
                } else if ib == 1 {
                    let s = pa[oa]
                    for j in 0..<inner { o[j] = f(s, pb[ob + j]) }
                } else {
                    let v = f(pa[oa], pb[ob])
                    for j in 0..<inner { o[j] = v }
                }
            }
        }
        return out
    }

    /// Sums `g` (of a broadcast result's shape) down to `target`, the shape an operand had
    /// before broadcasting: the backward of every broadcasting op.
    static func sumTo(_ g: Tensor, _ target: [Int]) -> Tensor {
        if g.shape == target { return g }
        let extra = g.rank - target.count
        let aligned = [Int](repeating: 1, count: extra) + target
        var cur = g
        for d in 0..<g.rank where aligned[d] == 1 && g.shape[d] != 1 {
            cur = sumAxisKernel(cur, axis: d)  // keeps the axis with size 1
        }
        return Tensor(shape: target, storage: cur.storage)
    }

    // MARK: - Broadcasting binary operators

    static func checkedBroadcast(_ op: String, _ a: Tensor, _ b: Tensor) throws -> [Int] {
        guard let s = broadcastShape(a.shape, b.shape) else {
            throw TensorError.shapeMismatch(op: op, lhs: a.shape, rhs: b.shape)
        }
        return s
    }

    /// Elementwise sum with broadcasting. - Throws: `TensorError.shapeMismatch`.
    public static func + (a: Tensor, b: Tensor) throws -> Tensor {
        let s = try checkedBroadcast("add", a, b)
        let out = broadcastBinary(a, b, shape: s) { $0 + $1 }
        return record(out, "add", [a, b]) { g, _ in [sumTo(g, a.shape), sumTo(g, b.shape)] }
    }

    /// Elementwise difference with broadcasting. - Throws: `TensorError.shapeMismatch`.
    public static func - (a: Tensor, b: Tensor) throws -> Tensor {
        let s = try checkedBroadcast("sub", a, b)
        let out = broadcastBinary(a, b, shape: s) { $0 - $1 }
        return record(out, "sub", [a, b]) { g, _ in [sumTo(g, a.shape), sumTo(map(g) { -$0 }, b.shape)] }
    }

    /// Elementwise product with broadcasting. - Throws: `TensorError.shapeMismatch`.
    public static func * (a: Tensor, b: Tensor) throws -> Tensor {
        let s = try checkedBroadcast("mul", a, b)
        let out = broadcastBinary(a, b, shape: s) { $0 * $1 }
        return record(out, "mul", [a, b]) { g, _ in
            [a.requiresGrad ? sumTo(broadcastBinary(g, b, shape: s) { $0 * $1 }, a.shape) : nil,
             b.requiresGrad ? sumTo(broadcastBinary(g, a, shape: s) { $0 * $1 }, b.shape) : nil]
        }
    }

    /// Elementwise quotient with broadcasting. - Throws: `TensorError.shapeMismatch`.
    public static func / (a: Tensor, b: Tensor) throws -> Tensor {
        let s = try checkedBroadcast("div", a, b)
        let out = broadcastBinary(a, b, shape: s) { $0 / $1 }
        return record(out, "div", [a, b]) { g, y in
            // d(a/b)/da = 1/b ; d(a/b)/db = -y/b
            [a.requiresGrad ? sumTo(broadcastBinary(g, b, shape: s) { $0 / $1 }, a.shape) : nil,
             b.requiresGrad ? sumTo(broadcastBinary(zip(g, y) { -$0 * $1 }, b, shape: s) { $0 / $1 }, b.shape) : nil]
        }
    }

    /// Elementwise maximum with broadcasting (gradient to the larger; to `a` on ties).
    public static func maximum(_ a: Tensor, _ b: Tensor) throws -> Tensor {
        let s = try checkedBroadcast("maximum", a, b)
        let out = broadcastBinary(a, b, shape: s) { Swift.max($0, $1) }
        return record(out, "maximum", [a, b]) { g, _ in
            let takeA = broadcastBinary(a, b, shape: s) { $0 >= $1 ? 1 : 0 }
            return [sumTo(zip(g, takeA) { $0 * $1 }, a.shape), sumTo(zip(g, takeA) { $0 * (1 - $1) }, b.shape)]
        }
    }

    // MARK: - Scalar operators (never throw)

    /// Adds a constant to every element.
    public static func + (a: Tensor, s: Float) -> Tensor {
        record(map(a) { $0 + s }, "add_scalar", [a]) { g, _ in [g] }
    }
    /// Adds a constant to every element.
    public static func + (s: Float, a: Tensor) -> Tensor { a + s }
    /// Subtracts a constant from every element.
    public static func - (a: Tensor, s: Float) -> Tensor { a + (-s) }
    /// `s - a` elementwise.
    public static func - (s: Float, a: Tensor) -> Tensor {
        record(map(a) { s - $0 }, "rsub_scalar", [a]) { g, _ in [map(g) { -$0 }] }
    }
    /// Multiplies every element by a constant.
    public static func * (a: Tensor, s: Float) -> Tensor {
        record(map(a) { $0 * s }, "mul_scalar", [a]) { g, _ in [map(g) { $0 * s }] }
    }
    /// Multiplies every element by a constant.
    public static func * (s: Float, a: Tensor) -> Tensor { a * s }
    /// Divides every element by a constant.
    public static func / (a: Tensor, s: Float) -> Tensor { a * (1 / s) }
    /// `s / a` elementwise.
    public static func / (s: Float, a: Tensor) -> Tensor {
        record(map(a) { s / $0 }, "rdiv_scalar", [a]) { g, y in [zip(g, zip(y, a) { $0 / $1 }) { -$0 * $1 }] }
    }
    /// Negation.
    public static prefix func - (a: Tensor) -> Tensor {
        record(map(a) { -$0 }, "neg", [a]) { g, _ in [map(g) { -$0 }] }
    }

    // MARK: - Unary functions

    /// eˣ elementwise.
    public func exp() -> Tensor {
        Tensor.record(Tensor.map(self, heavy: true) { Foundation.exp($0) }, "exp", [self]) { g, y in [Tensor.zip(g, y) { $0 * $1 }] }
    }

    /// Natural logarithm elementwise.
    public func log() -> Tensor {
        Tensor.record(Tensor.map(self, heavy: true) { Foundation.log($0) }, "log", [self]) { g, _ in [Tensor.zip(g, self) { $0 / $1 }] }
    }

    /// Square root elementwise.
    public func sqrt() -> Tensor {
        Tensor.record(Tensor.map(self) { $0.squareRoot() }, "sqrt", [self]) { g, y in [Tensor.zip(g, y) { 0.5 * $0 / $1 }] }
    }

    /// `x^exponent` elementwise.
    public func pow(_ exponent: Float) -> Tensor {
        if exponent == 2 { return square() }
        return Tensor.record(Tensor.map(self, heavy: true) { Foundation.pow($0, exponent) }, "pow", [self]) { g, _ in
            [Tensor.zip(g, self, heavy: true) { $0 * exponent * Foundation.pow($1, exponent - 1) }]
        }
    }

    /// `x²` elementwise.
    public func square() -> Tensor {
        Tensor.record(Tensor.map(self) { $0 * $0 }, "square", [self]) { g, _ in [Tensor.zip(g, self) { 2 * $0 * $1 }] }
    }

    /// `|x|` elementwise (gradient 0 at 0, as PyTorch).
    public func abs() -> Tensor {
        Tensor.record(Tensor.map(self) { Swift.abs($0) }, "abs", [self]) { g, _ in
            [Tensor.zip(g, self) { $1 > 0 ? $0 : ($1 < 0 ? -$0 : 0) }]
        }
    }

    /// Hyperbolic tangent elementwise.
    public func tanh() -> Tensor {
        Tensor.record(Tensor.map(self, heavy: true) { Foundation.tanh($0) }, "tanh", [self]) { g, y in [Tensor.zip(g, y) { $0 * (1 - $1 * $1) }] }
    }

    /// Logistic sigmoid `1 / (1 + e⁻ˣ)` elementwise.
    public func sigmoid() -> Tensor {
        Tensor.record(Tensor.map(self, heavy: true, Tensor.sigmoidScalar), "sigmoid", [self]) { g, y in [Tensor.zip(g, y) { $0 * $1 * (1 - $1) }] }
    }

    /// Numerically safe scalar sigmoid.
    @inline(__always)
    static func sigmoidScalar(_ x: Float) -> Float {
        x >= 0 ? 1 / (1 + Foundation.exp(-x)) : { let e = Foundation.exp(x); return e / (1 + e) }()
    }

    /// `Swift.max(x, 0)` elementwise (gradient 0 at 0, as PyTorch).
    public func relu() -> Tensor {
        Tensor.record(Tensor.map(self) { Swift.max($0, 0) }, "relu", [self]) { g, y in [Tensor.zip(g, y) { $1 > 0 ? $0 : 0 }] }
    }

    /// `x` for `x > 0`, `negativeSlope · x` otherwise (PyTorch default slope 0.01).
    public func leakyRelu(negativeSlope: Float = 0.01) -> Tensor {
        Tensor.record(Tensor.map(self) { $0 > 0 ? $0 : negativeSlope * $0 }, "leaky_relu", [self]) { g, _ in
            [Tensor.zip(g, self) { $1 > 0 ? $0 : negativeSlope * $0 }]
        }
    }

    /// GELU: exact `x·Φ(x)` (PyTorch `approximate='none'`) or the tanh approximation.
    public func gelu(approximateTanh: Bool = false) -> Tensor {
        let k: Float = (2 / Float.pi).squareRoot()
        if approximateTanh {
            let out = Tensor.map(self, heavy: true) { x in 0.5 * x * (1 + Foundation.tanh(k * (x + 0.044715 * x * x * x))) }
            return Tensor.record(out, "gelu_tanh", [self]) { g, _ in
                [Tensor.zip(g, self, heavy: true) { g, x in
                    let t = Foundation.tanh(k * (x + 0.044715 * x * x * x))
                    return g * (0.5 * (1 + t) + 0.5 * x * (1 - t * t) * k * (1 + 3 * 0.044715 * x * x))
                }]
            }
        }
        // Φ(x) through the rational erf, φ(x) through the polynomial exp, in the C kernels (8 wide
        // on AVX2).
        let out = Tensor(uninitializedShape: shape)
        let src = storage.pointer, dst = out.storage.pointer
        let kernels = ElementwiseKernels.best
        Parallel.forEachChunk(count: count, minimumChunk: Parallel.minimumElements / 2) { r in
            kernels.gelu_forward(src + r.lowerBound, dst + r.lowerBound, r.count)
        }
        return Tensor.record(out, "gelu", [self]) { g, _ in
            let dx = Tensor(uninitializedShape: g.shape)
            let pg = g.storage.pointer, px = self.storage.pointer, pd = dx.storage.pointer
            Parallel.forEachChunk(count: g.count, minimumChunk: Parallel.minimumElements / 2) { r in
                kernels.gelu_backward(px + r.lowerBound, pg + r.lowerBound, pd + r.lowerBound, r.count)
            }
            return [dx]
        }
    }

    /// `log(1 + e^{βx}) / β`, linear above `threshold` (PyTorch `softplus(beta=1, threshold=20)`).
    public func softplus(beta: Float = 1, threshold: Float = 20) -> Tensor {
        let out = Tensor.map(self, heavy: true) { x in x * beta > threshold ? x : Foundation.log1p(Foundation.exp(beta * x)) / beta }
        return Tensor.record(out, "softplus", [self]) { g, _ in
            [Tensor.zip(g, self, heavy: true) { g, x in x * beta > threshold ? g : g * Tensor.sigmoidScalar(beta * x) }]
        }
    }

    /// Limits every element to `[min, max]`; the gradient passes where `min <= x <= max`, as PyTorch.
    public func clamp(min lo: Float = -.infinity, max hi: Float = .infinity) -> Tensor {
        Tensor.record(Tensor.map(self) { Swift.min(Swift.max($0, lo), hi) }, "clamp", [self]) { g, _ in
            [Tensor.zip(g, self) { ($1 >= lo && $1 <= hi) ? $0 : 0 }]
        }
    }
}
