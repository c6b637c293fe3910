import Foundation
import MuseCore

/// A convolutional VAE for pictures with a Bernoulli likelihood (TensorFlow's CVAE tutorial):
/// encoder Conv(32, 3×3, s2) → ReLU → Conv(64, 3×3, s2) → ReLU → Flatten → Dense(2·z) = (μ, log σ²);
/// decoder Dense(64·s·s) → ReLU → ConvTranspose(32, 3×3, s2) → ReLU → ConvTranspose(channels,
/// 3×3, s2) = logits of each pixel being "on". Pictures are grey levels in [0, 1], each pixel's
/// level taken as the Bernoulli target; the loss is −ELBO in nats per picture.
public final class ImageVAE: Module {
    /// Sizes and settings.
    public let config: ImageVAEConfig
    public let conv1: Conv2d, conv2: Conv2d, encoderDense: Linear
    public let decoderDense: Linear, deconv1: ConvTranspose2d, deconv2: ConvTranspose2d
    public var isTraining = true
    public var children: [(name: String, module: any Module)] {
        [("conv1", conv1), ("conv2", conv2), ("encoder_dense", encoderDense),
         ("decoder_dense", decoderDense), ("deconv1", deconv1), ("deconv2", deconv2)]
    }

    /// PyTorch-initialised layers drawn from `config.seed`.
    /// - Throws: `ImageError.invalidArgument` for a config the network cannot take.
    public init(config: ImageVAEConfig) throws {
        try config.validate()
        self.config = config
        var rng = SplitMix64(seed: config.seed)
        let (c1, c2, s) = (config.convChannels[0], config.convChannels[1], config.bottleneckSize)
        conv1 = Conv2d(inChannels: config.channels, outChannels: c1, kernelSize: 3, stride: 2, padding: 1, using: &rng)
        conv2 = Conv2d(inChannels: c1, outChannels: c2, kernelSize: 3, stride: 2, padding: 1, using: &rng)
        encoderDense = Linear(inFeatures: c2 * s * s, outFeatures: 2 * config.zSize, using: &rng)
        decoderDense = Linear(inFeatures: config.zSize, outFeatures: c2 * s * s, using: &rng)
        deconv1 = ConvTranspose2d(inChannels: c2, outChannels: c1, kernelSize: 3, stride: 2, padding: 1, outputPadding: 1, using: &rng)
        deconv2 = ConvTranspose2d(inChannels: c1, outChannels: config.channels, kernelSize: 3, stride: 2, padding: 1,
                                  outputPadding: 1, using: &rng)
    }

    /// - Parameter pictures: [N, channels, size, size] in [0, 1]
    /// - Returns: μ and log σ², each [N, zSize].
    /// - Throws: `TensorError` for a wrong input shape.
    public func encode(_ pictures: Tensor) throws -> (mean: Tensor, logVariance: Tensor) {
        let h = try conv2(conv1(pictures).relu()).relu().flatten(startAxis: 1)
        let parts = try encoderDense(h).split(sizes: [config.zSize, config.zSize], axis: 1)
        return (parts[0], parts[1])
    }

    /// - Parameter z: [N, zSize]
    /// - Returns: pixel logits [N, channels, size, size].
    /// - Throws: `TensorError` for a wrong input shape.
    public func decodeLogits(_ z: Tensor) throws -> Tensor {
        let s = config.bottleneckSize
        let h = try decoderDense(z).relu().reshape([z.shape[0], config.convChannels[1], s, s])
        return try deconv2(deconv1(h).relu())
    }

    /// −ELBO per picture (nats): Σ_pixels BCE(logits, x) + KL(q(z|x) ‖ N(0, I)), with z = μ + σ·ε.
    /// - Parameters: pictures [N, channels, size, size] in [0, 1]; epsilon [N, zSize].
    /// - Returns: total, reconstruction and KL terms (rank 0, averaged over the batch).
    /// - Throws: `TensorError` for wrong shapes.
    public func loss(pictures: Tensor, epsilon: Tensor) throws -> (total: Tensor, reconstruction: Tensor, kl: Tensor) {
        let (mean, logVariance) = try encode(pictures)
        let z = try mean + (logVariance * 0.5).exp() * epsilon
        let logits = try decodeLogits(z)
        let perPixelMean = try binaryCrossEntropyWithLogits(logits: logits, targets: pictures)
        let reconstruction = perPixelMean * Float(pictures.count / max(pictures.shape[0], 1))
        let kl = try gaussianKLDivergence(mean: mean, logVariance: logVariance)
        return (try reconstruction + kl, reconstruction, kl)
    }

    /// Pixel probabilities [N, channels, size, size] in [0, 1] decoded from `z`, without gradients.
    /// - Throws: `TensorError` for a wrong shape.
    public func decode(_ z: Tensor) throws -> Tensor {
        try noGrad { try decodeLogits(z).sigmoid() }
    }

    /// Pictures decoded from `count` latents drawn from N(0, I) with `generator`.
    /// - Throws: `TensorError` (not for valid counts).
    public func sample(count: Int, using generator: inout SplitMix64) throws -> Tensor {
        try decode(Tensor.randn([count, config.zSize], using: &generator))
    }

    /// Each picture encoded to its mean and decoded (no sampling), [N, channels, size, size] in [0, 1].
    /// - Throws: `TensorError` for a wrong input shape.
    public func reconstruct(_ pictures: Tensor) throws -> Tensor {
        try noGrad { try decode(encode(pictures).mean) }
    }

    /// The latent-manifold picture of a 2-D latent: a `side × side` grid of decoded points whose
    /// coordinates are the standard normal's quantiles at (i + 0.5)/side on each axis (first
    /// latent across, second down, rising upwards), as Kingma and Welling draw it.
    /// - Returns: [side·side, channels, size, size] in [0, 1], row by row.
    /// - Throws: `ImageError.invalidArgument` unless `zSize` is 2 and `side` ≥ 2.
    public func manifold(side: Int) throws -> Tensor {
        guard config.zSize == 2 else {
            throw ImageError.invalidArgument(name: "zSize", value: "\(config.zSize)", reason: "the latent-manifold picture needs a 2-D latent")
        }
        guard side >= 2 else { throw ImageError.invalidArgument(name: "side", value: "\(side)", reason: "must be at least 2") }
        let q = (0..<side).map { normalQuantile((Double($0) + 0.5) / Double(side)) }
        var points: [Float] = []
        for row in 0..<side {
            for column in 0..<side { points += [Float(q[column]), Float(q[side - 1 - row])] }
        }
        return try decode(Tensor(points, shape: [side * side, 2]))
    }
}

/// The standard normal's quantile Φ⁻¹(p) for p in (0, 1), by bisection on `erfc` (exact to
/// double precision; the manifold needs a few dozen values).
func normalQuantile(_ p: Double) -> Double {
    var (low, high) = (-10.0, 10.0)
    for _ in 0..<100 {
        let mid = (low + high) / 2
        if 0.5 * erfc(-mid / 2.0.squareRoot()) < p { low = mid } else { high = mid }
    }
    return (low + high) / 2
}
