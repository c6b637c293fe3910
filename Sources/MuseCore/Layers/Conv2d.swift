import Foundation

/// PyTorch's default convolution initialisation (`kaiming_uniform_(a=√5)` and the matching bias):
/// weight of `shape` and bias of `biasCount` elements ~ U(−1/√fanIn, 1/√fanIn), both requiring grad.
func convInitialization<G: RandomNumberGenerator>(_ shape: [Int], fanIn: Int, biasCount: Int?,
                                                  using generator: inout G) -> (Tensor, Tensor?) {
    let bound = 1 / Float(Swift.max(fanIn, 1)).squareRoot()
    let weight = Tensor.uniform(shape, low: -bound, high: bound, using: &generator)
    weight.requiresGrad = true
    let bias = biasCount.map { Tensor.uniform([$0], low: -bound, high: bound, using: &generator) }
    bias?.requiresGrad = true
    return (weight, bias)
}

/// 2-D convolution layer (`torch.nn.Conv2d`, groups = 1): input [N, inChannels, H, W] →
/// output [N, outChannels, OH, OW]. Parameters `weight` [outChannels, inChannels, kH, kW] and
/// `bias` [outChannels], named as PyTorch's so state dicts load 1:1.
public final class Conv2d: Layer {
    /// [outChannels, inChannels, kH, kW]
    public let weight: Tensor
    /// [outChannels], or `nil` without bias.
    public let bias: Tensor?
    /// Step between kernel applications, in input pixels.
    public let stride: Size2D
    /// Zero padding added on each side, in pixels.
    public let padding: Size2D
    /// Spacing between kernel taps, in pixels.
    public let dilation: Size2D
    public var isTraining = true
    public var localParameters: [(name: String, tensor: Tensor)] {
        [("weight", weight)] + (bias.map { [("bias", $0)] } ?? [])
    }

    /// PyTorch's default initialisation: weight and bias ~ U(−1/√fanIn, 1/√fanIn) with
    /// fanIn = inChannels·kH·kW (`kaiming_uniform_(a=√5)`).
    public init<G: RandomNumberGenerator>(inChannels: Int, outChannels: Int, kernelSize: Size2D, stride: Size2D = 1,
                                          padding: Size2D = 0, dilation: Size2D = 1, bias: Bool = true,
                                          using generator: inout G) {
        (weight, self.bias) = convInitialization([outChannels, inChannels, kernelSize.height, kernelSize.width],
                                                 fanIn: inChannels * kernelSize.height * kernelSize.width,
                                                 biasCount: bias ? outChannels : nil, using: &generator)
        self.stride = stride
        self.padding = padding
        self.dilation = dilation
    }

    /// - Parameter input: [N, inChannels, H, W]
    /// - Returns: [N, outChannels, OH, OW], `OH = (H + 2·padding − dilation·(kH − 1) − 1) / stride + 1`
    /// - Throws: `TensorError` if the input is not rank 4 with `inChannels` channels or too small.
    public func callAsFunction(_ input: Tensor) throws -> Tensor {
        try input.conv2d(weight: weight, bias: bias, stride: stride, padding: padding, dilation: dilation)
    }
}

/// 2-D transposed convolution layer (`torch.nn.ConvTranspose2d`, groups = 1): input
/// [N, inChannels, H, W] → [N, outChannels, OH, OW] with
/// `OH = (H − 1)·stride − 2·padding + dilation·(kH − 1) + outputPadding + 1`.
/// Parameters `weight` [inChannels, outChannels, kH, kW] (PyTorch's layout) and `bias` [outChannels].
public final class ConvTranspose2d: Layer {
    /// [inChannels, outChannels, kH, kW]
    public let weight: Tensor
    /// [outChannels], or `nil` without bias.
    public let bias: Tensor?
    /// Upsampling step, in output pixels.
    public let stride: Size2D
    /// Rows/columns removed from each side of the full output.
    public let padding: Size2D
    /// Extra rows/columns added at the bottom/right (to pick among the sizes a stride allows).
    public let outputPadding: Size2D
    /// Spacing between kernel taps, in pixels.
    public let dilation: Size2D
    public var isTraining = true
    public var localParameters: [(name: String, tensor: Tensor)] {
        [("weight", weight)] + (bias.map { [("bias", $0)] } ?? [])
    }

    /// PyTorch's default initialisation: U(−1/√fanIn, 1/√fanIn) with fanIn computed from the
    /// weight's second axis, i.e. outChannels·kH·kW (as `torch.nn.ConvTranspose2d` does).
    public init<G: RandomNumberGenerator>(inChannels: Int, outChannels: Int, kernelSize: Size2D, stride: Size2D = 1,
                                          padding: Size2D = 0, outputPadding: Size2D = 0, dilation: Size2D = 1,
                                          bias: Bool = true, using generator: inout G) {
        (weight, self.bias) = convInitialization([inChannels, outChannels, kernelSize.height, kernelSize.width],
                                                 fanIn: outChannels * kernelSize.height * kernelSize.width,
                                                 biasCount: bias ? outChannels : nil, using: &generator)
        self.stride = stride
        self.padding = padding
        self.outputPadding = outputPadding
        self.dilation = dilation
    }

    /// - Parameter input: [N, inChannels, H, W]
    /// - Returns: [N, outChannels, OH, OW]
    /// - Throws: `TensorError` if the input is not rank 4 with `inChannels` channels.
    public func callAsFunction(_ input: Tensor) throws -> Tensor {
        try input.convTranspose2d(weight: weight, bias: bias, stride: stride, padding: padding,
                                  outputPadding: outputPadding, dilation: dilation)
    }
}
