import Foundation

/// Lookup table of `numEmbeddings` vectors of `embeddingDim` (`torch.nn.Embedding`,
/// parameter `weight` [numEmbeddings, embeddingDim], initialised N(0, 1) as PyTorch).
public final class Embedding: Module {
    /// [numEmbeddings, embeddingDim]
    public let weight: Tensor
    public var isTraining = true
    public var localParameters: [(name: String, tensor: Tensor)] { [("weight", weight)] }

    /// A table with N(0, 1) entries.
    public init<G: RandomNumberGenerator>(numEmbeddings: Int, embeddingDim: Int, using generator: inout G) {
        weight = Tensor.randn([numEmbeddings, embeddingDim], using: &generator)
        weight.requiresGrad = true
    }

    /// Looks up `indices` (row-major, of the given `shape`).
    /// - Returns: [shape..., embeddingDim]
    /// - Throws: `TensorError.indexOutOfRange`, `.invalidShape` if `shape` does not hold `indices.count`.
    public func callAsFunction(_ indices: [Int], shape: [Int]) throws -> Tensor {
        guard shape.reduce(1, *) == indices.count else {
            throw TensorError.invalidShape(op: "Embedding", shape: shape, reason: "does not hold \(indices.count) indices")
        }
        return try weight.indexSelect(axis: 0, indices: indices).reshape(shape + [weight.shape[1]])
    }

    /// Looks up a tensor of integral index values. - Returns: [index.shape..., embeddingDim]
    public func callAsFunction(_ indices: Tensor) throws -> Tensor {
        try callAsFunction(indices.indices(op: "Embedding"), shape: indices.shape)
    }
}
