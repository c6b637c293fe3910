import Foundation

/// Normalises over the last `normalizedShape.count` axes (`torch.nn.LayerNorm`):
/// y = (x − mean) / √(var + eps) · weight + bias, biased variance, `weight` ones and `bias` zeros
/// [normalizedShape]. A fused kernel (one pass per row forward, two backward); `useFusedKernel =
/// false` computes the same from tensor ops (the reference its test compares against).
public final class LayerNorm: Layer {
    /// Trailing shape normalised over.
    public let normalizedShape: [Int]
    /// Added to the variance (PyTorch default 1e-5).
    public let epsilon: Float
    /// γ [normalizedShape], or `nil` without affine parameters.
    public let weight: Tensor?
    /// β [normalizedShape], or `nil`.
    public let bias: Tensor?
    public var isTraining = true
    /// Use the fused kernel (default) or the op-by-op reference.
    public var useFusedKernel = true
    public var localParameters: [(name: String, tensor: Tensor)] {
        (weight.map { [("weight", $0)] } ?? []) + (bias.map { [("bias", $0)] } ?? [])
    }

    /// A LayerNorm with γ = 1, β = 0.
    public init(normalizedShape: [Int], epsilon: Float = 1e-5, elementwiseAffine: Bool = true) {
        self.normalizedShape = normalizedShape
        self.epsilon = epsilon
        weight = elementwiseAffine ? Tensor.ones(normalizedShape, requiresGrad: true) : nil
        bias = elementwiseAffine ? Tensor.zeros(normalizedShape, requiresGrad: true) : nil
    }

    /// - Parameter input: [..., normalizedShape...]  - Returns: same shape.
    /// - Throws: `TensorError.shapeMismatch` if the trailing axes differ from `normalizedShape`.
    public func callAsFunction(_ input: Tensor) throws -> Tensor {
        let k = normalizedShape.count
        guard input.rank >= k, Array(input.shape.suffix(k)) == normalizedShape else {
            throw TensorError.shapeMismatch(op: "LayerNorm", lhs: input.shape, rhs: normalizedShape)
        }
        if useFusedKernel {
            return Tensor.layerNorm(input, weight: weight, bias: bias, normalizedCount: normalizedShape.reduce(1, *), epsilon: epsilon)
        }
        let axes = Array((input.rank - k)..<input.rank)
        let centered = try input - input.mean(axes: axes, keepDim: true)
        let variance = try centered.square().mean(axes: axes, keepDim: true)
        var y = try centered / (variance + epsilon).sqrt()
        if let weight { y = try y * weight }
        if let bias { y = try y + bias }
        return y
    }
}

extension Tensor {
    /// Fused layer normalisation over the last `normalizedCount` elements of each row.
    /// Forward saves x̂ and 1/σ per row; backward:
    /// dx = (1/σ)·(dx̂ − mean(dx̂) − x̂·mean(dx̂·x̂)) with dx̂ = g·γ; dγ = Σ g·x̂; dβ = Σ g.
    static func layerNorm(_ x: Tensor, weight: Tensor?, bias: Tensor?, normalizedCount n: Int, epsilon: Float) -> Tensor {
        let rows = n == 0 ? 0 : x.count / n
        let out = Tensor(uninitializedShape: x.shape)
        let xhat = Tensor(uninitializedShape: x.shape)
        let rstd = Tensor(uninitializedShape: [rows])
        let px = x.storage.pointer, py = out.storage.pointer, ph = xhat.storage.pointer, pr = rstd.storage.pointer
        let pw = weight.map { UnsafePointer($0.storage.pointer) }, pb = bias.map { UnsafePointer($0.storage.pointer) }
        let kernels = ElementwiseKernels.best
        let rowsPerChunk = Swift.max(1, Parallel.minimumElements / Swift.max(n, 1))
        Parallel.forEachChunk(count: rows, minimumChunk: rowsPerChunk) { range in
            let r = range.lowerBound
            kernels.layer_norm_forward(px + r * n, pw, pb, py + r * n, ph + r * n, pr + r, range.count, n, epsilon)
        }
        let inputs = [x] + (weight.map { [$0] } ?? []) + (bias.map { [$0] } ?? [])
        return record(out, "layer_norm", inputs) { g, _ in
            let pg = g.storage.pointer, ph = xhat.storage.pointer, pr = rstd.storage.pointer
            let dx = Tensor(uninitializedShape: x.shape)
            let pd = dx.storage.pointer
            Parallel.forEachChunk(count: rows, minimumChunk: rowsPerChunk) { range in
                let r = range.lowerBound
                kernels.layer_norm_backward(pg + r * n, ph + r * n, pr + r, pw, pd + r * n, range.count, n)
            }
            // dγ = Σ_rows g·x̂ and dβ = Σ_rows g, each summed over all rows on one thread (the
            // same order whatever the thread count), the two side by side.
            let dw = weight.map { _ in Tensor.zeros([n]) }, db = bias.map { _ in Tensor.zeros([n]) }
            let accumulate = { (i: Int) in
                if i == 0, let dw { kernels.accumulate_column_products(pg, ph, dw.storage.pointer, rows, n) }
                if i == 1, let db { kernels.accumulate_column_products(pg, nil, db.storage.pointer, rows, n) }
            }
            if rows * n >= Parallel.minimumElements { Parallel.forEach(2, accumulate) } else { accumulate(0); accumulate(1) }
            var grads: [Tensor?] = [dx]
            if let weight, let dw { grads.append(Tensor(shape: weight.shape, storage: dw.storage)) }
            if let bias, let db { grads.append(Tensor(shape: bias.shape, storage: db.storage)) }
            return grads
        }
    }
}
