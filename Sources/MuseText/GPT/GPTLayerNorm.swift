import Foundation
import MuseCore

/// nanoGPT's `LayerNorm(ndim, bias)`: layer normalisation over the last axis with a learned
/// `weight` (ones) and, only when `bias` is true, a learned `bias` (zeros); ε = 1e-5. The
/// normalisation is MuseCore's fused kernel; the affine part is applied after it.
public final class GPTLayerNorm: Layer {
    /// γ [features]
    public let weight: Tensor
    /// β [features], or `nil` without bias.
    public let bias: Tensor?
    let normalize: LayerNorm
    public var isTraining = true
    public var localParameters: [(name: String, tensor: Tensor)] { [("weight", weight)] + (bias.map { [("bias", $0)] } ?? []) }

    /// A LayerNorm over `features` with γ = 1 (and β = 0 with `bias`).
    public init(features: Int, bias: Bool) {
        weight = Tensor.ones([features], requiresGrad: true)
        self.bias = bias ? Tensor.zeros([features], requiresGrad: true) : nil
        normalize = LayerNorm(normalizedShape: [features], elementwiseAffine: false)
    }

    /// - Parameter input: [..., features]  - Returns: same shape.
    public func callAsFunction(_ input: Tensor) throws -> Tensor {
        let y = try normalize(input) * weight
        return try bias.map { try y + $0 } ?? y
    }
}
