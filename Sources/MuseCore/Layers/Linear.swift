import Foundation

/// Fully connected layer `y = x·Wᵀ + b` (`torch.nn.Linear`): `weight` [outFeatures, inFeatures],
/// `bias` [outFeatures]; input [..., inFeatures] → output [..., outFeatures].
public final class Linear: Layer {
    /// [outFeatures, inFeatures]
    public let weight: Tensor
    /// [outFeatures], or `nil` without bias.
    public let bias: Tensor?
    public var isTraining = true
    public var localParameters: [(name: String, tensor: Tensor)] {
        [("weight", weight)] + (bias.map { [("bias", $0)] } ?? [])
    }

    /// PyTorch's default initialisation: weight and bias ~ U(−1/√in, 1/√in).
    public init<G: RandomNumberGenerator>(inFeatures: Int, outFeatures: Int, bias: Bool = true, using generator: inout G) {
        let bound = 1 / Float(inFeatures).squareRoot()
        weight = Tensor.uniform([outFeatures, inFeatures], low: -bound, high: bound, using: &generator)
        weight.requiresGrad = true
        if bias {
            let b = Tensor.uniform([outFeatures], low: -bound, high: bound, using: &generator)
            b.requiresGrad = true
            self.bias = b
        } else {
            self.bias = nil
        }
    }

    /// - Parameter input: [..., inFeatures] (rank 1 allowed: one sample)
    /// - Returns: [..., outFeatures]
    /// - Throws: `TensorError.shapeMismatch` if the last axis is not `inFeatures`.
    public func callAsFunction(_ input: Tensor) throws -> Tensor {
        if input.rank == 1 { return try callAsFunction(input.unsqueeze(axis: 0)).squeeze(axis: 0) }
        guard input.rank >= 2, input.shape[input.rank - 1] == weight.shape[1] else {
            throw TensorError.shapeMismatch(op: "Linear", lhs: input.shape, rhs: weight.shape)
        }
        let y = try input.matmul(weight, transposeB: true)
        return try bias.map { try y + $0 } ?? y
    }
}
