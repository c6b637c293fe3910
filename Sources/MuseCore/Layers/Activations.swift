import Foundation

/// An elementwise activation as a `Layer` (for `Sequential`); no parameters.
public final class Activation: Layer {
    /// The function applied.
    public enum Kind: Equatable, Sendable {
        case relu, tanh, sigmoid, gelu, geluTanh, softplus
        /// Slope for negative inputs.
        case leakyRelu(negativeSlope: Float)
    }
    /// Which function.
    public let kind: Kind
    public var isTraining = true

    /// An activation layer of `kind`.
    public init(_ kind: Kind) { self.kind = kind }

    /// Applies the function elementwise; same shape out.
    public func callAsFunction(_ input: Tensor) throws -> Tensor {
        switch kind {
        case .relu: return input.relu()
        case .tanh: return input.tanh()
        case .sigmoid: return input.sigmoid()
        case .gelu: return input.gelu()
        case .geluTanh: return input.gelu(approximateTanh: true)
        case .softplus: return input.softplus()
        case let .leakyRelu(s): return input.leakyRelu(negativeSlope: s)
        }
    }
}
