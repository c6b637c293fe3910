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
        let pw = weight?.storage.pointer, pb = bias?.storage.pointer
        Parallel.forEachChunk(count: rows, minimumChunk: Swift.max(1, Parallel.minimumElements / Swift.max(n, 1))) { range in
            for r in range {
                let xr = px + r * n, yr = py + r * n, hr = ph + r * n
                var mean: Double = 0
                for j in 0..<n { mean += Double(xr[j]) }
                mean /= Double(n)
                var variance: Double = 0
                for j in 0..<n { let d = Double(xr[j]) - mean; variance += d * d }
                variance /= Double(n)
                let inv = Float(1 / (variance + Double(epsilon)).squareRoot())
                pr[r] = inv
                let m = Float(mean)
                for j in 0..<n {
                    let h = (xr[j] - m) * inv
                    hr[j] = h
                    yr[j] = h * (pw?[j] ?? 1) + (pb?[j] ?? 0)
                }
            }
        }
        let inputs = [x] + (weight.map { [$0] } ?? []) + (bias.map { [$0] } ?? [])
        return record(out, "layer_norm", inputs) { g, _ in
            let pg = g.storage.pointer, ph = xhat.storage.pointer, pr = rstd.storage.pointer
            let pw = weight?.storage.pointer
            let dx = Tensor(uninitializedShape: x.shape)
            let pd = dx.storage.pointer
            Parallel.forEachChunk(count: rows, minimumChunk: Swift.max(1, Parallel.minimumElements / Swift.max(n, 1))) { range in
                for r in range {
                    let gr = pg + r * n, hr = ph + r * n, dr = pd + r * n
                    var sumD: Float = 0, sumDH: Float = 0
                    for j in 0..<n {
                        let d = gr[j] * (pw?[j] ?? 1)
                        sumD += d
                        sumDH += d * hr[j]
                    }
                    let meanD = sumD / Float(n), meanDH = sumDH / Float(n), inv = pr[r]
                    for j in 0..<n { dr[j] = inv * (gr[j] * (pw?[j] ?? 1) - meanD - hr[j] * meanDH) }
                }
            }
            var grads: [Tensor?] = [dx]
            if weight != nil {
                let dw = Tensor.zeros([n])
                let pdw = dw.storage.pointer
                for r in 0..<rows { let gr = pg + r * n, hr = ph + r * n; for j in 0..<n { pdw[j] += gr[j] * hr[j] } }
                grads.append(Tensor(shape: weight!.shape, storage: dw.storage))
            }
            if let bias {
                grads.append(sumTo(Tensor(shape: [rows] + bias.shape, storage: g.storage), bias.shape))
            }
            return grads
        }
    }
}
