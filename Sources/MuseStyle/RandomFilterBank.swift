import MuseCore

/// A single layer of random convolution filters at several scales, each followed by ReLU: the
/// feature extractor of texture synthesis with shallow random networks (Ustyuzhaninov, Brendel,
/// Gatys and Bethge 2016) and of audio style transfer (Ulyanov and Lebedev 2016). Nothing is trained:
/// the filters are drawn from a seeded generator, so a seed names the network.
public struct RandomFilterBank {
    /// Channels of the input (3 for colour pictures, frequency bins for spectrograms).
    public let inChannels: Int
    /// The scales, in order.
    public let scales: [FilterScale]
    /// One weight tensor per scale, [filters, inChannels, kernelHeight, kernelWidth].
    public let weights: [Tensor]

    /// Draws the filters of every scale from N(0, 1 / fanIn) with `SplitMix64(seed:)`, scale after
    /// scale, filter after filter, in row-major order (fanIn = inChannels · kernelHeight · kernelWidth).
    /// - Throws: `StyleError.invalidArgument` for no scales or a non-positive size.
    public init(inChannels: Int, scales: [FilterScale], seed: UInt64) throws {
        var generator = SplitMix64(seed: seed)
        guard inChannels > 0 else { throw StyleError.invalidArgument(name: "inChannels", value: "\(inChannels)", reason: "must be positive") }
        guard !scales.isEmpty else { throw StyleError.invalidArgument(name: "scales", value: "[]", reason: "need at least one") }
        var weights: [Tensor] = []
        for s in scales {
            guard s.kernelHeight > 0, s.kernelWidth > 0, s.stride > 0, s.filters > 0 else {
                throw StyleError.invalidArgument(name: "filter scale", value: "\(s)", reason: "sizes, stride and count must be positive")
            }
            let fanIn = inChannels * s.kernelHeight * s.kernelWidth
            weights.append(Tensor.randn([s.filters, inChannels, s.kernelHeight, s.kernelWidth],
                                        standardDeviation: 1 / Float(fanIn).squareRoot(), using: &generator))
        }
        try self.init(inChannels: inChannels, scales: scales, weights: weights)
    }

    /// A bank with given weights (tests and peers), one [filters, inChannels, kH, kW] tensor per scale.
    /// - Throws: `StyleError.invalidArgument` when a weight's shape does not match its scale.
    public init(inChannels: Int, scales: [FilterScale], weights: [Tensor]) throws {
        guard weights.count == scales.count else {
            throw StyleError.invalidArgument(name: "weights", value: "\(weights.count) tensors", reason: "need one per scale (\(scales.count))")
        }
        for (s, w) in zip(scales, weights) where w.shape != [s.filters, inChannels, s.kernelHeight, s.kernelWidth] {
            throw StyleError.invalidArgument(name: "weight shape", value: "\(w.shape)", reason: "scale \(s) needs [\(s.filters), \(inChannels), \(s.kernelHeight), \(s.kernelWidth)]")
        }
        self.inChannels = inChannels
        self.scales = scales
        self.weights = weights
    }

    /// Smallest input (height, width) every scale can look at.
    public var minimumInputSize: (height: Int, width: Int) {
        (scales.map(\.kernelHeight).max() ?? 1, scales.map(\.kernelWidth).max() ?? 1)
    }

    /// The ReLU feature maps of every scale, differentiable with respect to `input`.
    /// - Parameter input: [1, inChannels, height, width]
    /// - Returns: one [filters, positions] tensor per scale (positions = output rows × columns).
    /// - Throws: `StyleError.invalidArgument` for another input shape or an input smaller than a kernel.
    public func features(_ input: Tensor) throws -> [Tensor] {
        guard input.rank == 4, input.shape[0] == 1, input.shape[1] == inChannels else {
            throw StyleError.invalidArgument(name: "input shape", value: "\(input.shape)", reason: "must be [1, \(inChannels), height, width]")
        }
        let minimum = minimumInputSize
        guard input.shape[2] >= minimum.height, input.shape[3] >= minimum.width else {
            throw StyleError.invalidArgument(name: "input size", value: "\(input.shape[2])×\(input.shape[3])",
                                             reason: "must be at least \(minimum.height)×\(minimum.width), the largest kernel")
        }
        return try zip(scales, weights).map { s, w in
            let y = try input.conv2d(weight: w, stride: Size2D(s.stride, s.stride)).relu()
            return try y.reshape([s.filters, y.count / s.filters])
        }
    }
}
