import Foundation

/// Normalises over the last `normalizedShape.count` axes (`torch.nn.LayerNorm`):
/// y = (x − mean) / √(var + eps) · weight + bias, biased variance, `weight` ones and `bias` zeros
/// [normalizedShape]. Built from tensor ops.
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
        let axes = Array((input.rank - k)..<input.rank)
        let centered = try input - input.mean(axes: axes, keepDim: true)
        let variance = try centered.square().mean(axes: axes, keepDim: true)
        var y = try centered / (variance + epsilon).sqrt()
        if let weight { y = try y * weight }
        if let bias { y = try y + bias }
        return y
    }
}
