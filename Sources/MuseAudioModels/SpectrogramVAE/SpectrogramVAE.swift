import Foundation
import MuseCore
import MuseTraining

/// A convolutional VAE over log-mel patches `[nMels, patchFrames]` scaled to [0, 1]:
///
/// - encoder: stride-2 4×4 convolutions (`encoder.0`, `encoder.2`, … with LeakyReLU 0.2 between,
///   as a `torch.nn.Sequential`), flattened, then `mu` and `logvar` linear layers → z;
/// - decoder: `decoder_input` linear back to the bottleneck, stride-2 4×4 transposed convolutions
///   mirroring the encoder, the last one to one channel with no activation.
///
/// loss = Σ_pixels (x̂ − x)² / 2 + β·KL, both means over the batch (a unit-variance Gaussian
/// likelihood), with β warmed up (`SpectrogramVAEConfig.beta(atStep:)`).
public final class SpectrogramVAE: Module {
    /// Hyperparameters.
    public let config: SpectrogramVAEConfig
    /// Convolutions and activations of the encoder.
    public let encoder: Sequential
    /// Bottleneck → μ.
    public let mu: Linear
    /// Bottleneck → log σ².
    public let logvar: Linear
    /// z → bottleneck.
    public let decoderInput: Linear
    /// Transposed convolutions and activations of the decoder.
    public let decoder: Sequential
    public var isTraining = true

    public var children: [(name: String, module: any Module)] {
        [("encoder", encoder), ("mu", mu), ("logvar", logvar), ("decoder_input", decoderInput), ("decoder", decoder)]
    }

    /// A freshly initialised model (PyTorch's default initialisations).
    /// - Throws: `SpectrogramVAEError.invalidConfiguration`.
    public init(config: SpectrogramVAEConfig) throws {
        try config.validate()
        self.config = config
        var rng = SplitMix64(seed: config.seed)
        var layers: [any Layer] = []
        var inChannels = 1
        for c in config.channels {
            layers.append(Conv2d(inChannels: inChannels, outChannels: c, kernelSize: 4, stride: 2, padding: 1, using: &rng))
            layers.append(Activation(.leakyRelu(negativeSlope: 0.2)))
            inChannels = c
        }
        encoder = Sequential(layers)
        let (h, w) = config.bottleneck
        let flat = inChannels * h * w
        mu = Linear(inFeatures: flat, outFeatures: config.zSize, using: &rng)
        logvar = Linear(inFeatures: flat, outFeatures: config.zSize, using: &rng)
        decoderInput = Linear(inFeatures: config.zSize, outFeatures: flat, using: &rng)
        var up: [any Layer] = []
        let outs = Array(config.channels.reversed().dropFirst()) + [1]
        for (k, c) in outs.enumerated() {
            up.append(ConvTranspose2d(inChannels: inChannels, outChannels: c, kernelSize: 4, stride: 2, padding: 1, using: &rng))
            if k + 1 < outs.count { up.append(Activation(.leakyRelu(negativeSlope: 0.2))) }
            inChannels = c
        }
        decoder = Sequential(up)
    }

    /// q(z | x). - Parameter patches: [batch, 1, nMels, patchFrames]. - Returns: μ, log σ² [batch, zSize].
    public func encode(_ patches: Tensor) throws -> (mu: Tensor, logVariance: Tensor) {
        let h = try encoder(patches).flatten(startAxis: 1)
        return (try mu(h), try logvar(h))
    }

    /// Decodes latents. - Parameter z: [batch, zSize]. - Returns: [batch, 1, nMels, patchFrames].
    public func decode(_ z: Tensor) throws -> Tensor {
        let (h, w) = config.bottleneck
        return try decoder(decoderInput(z).leakyRelu(negativeSlope: 0.2).reshape([z.shape[0], config.channels.last!, h, w]))
    }

    /// The loss terms of one step (means over the batch).
    public struct Loss {
        /// recon + β·KL (differentiable, rank 0).
        public var total: Tensor
        /// Σ_pixels (x̂ − x)² / 2 per patch.
        public var reconstruction: Float
        /// KL(q(z|x) ‖ N(0, I)) in nats per patch.
        public var kl: Float
    }

    /// recon + β·KL with z = μ + e^{logσ²/2}·ε.
    /// - Parameters: patches [batch, 1, nMels, patchFrames]; epsilon [batch, zSize].
    public func loss(patches: Tensor, epsilon: Tensor, beta: Float) throws -> Loss {
        let (m, lv) = try encode(patches)
        let z = try m + (lv * 0.5).exp() * epsilon
        let reconstruction = try (decode(z) - patches).square().sum() * (0.5 / Float(patches.shape[0]))
        let kl = try gaussianKLDivergence(mean: m, logVariance: lv)
        return Loss(total: try reconstruction + kl * beta, reconstruction: reconstruction.item(), kl: kl.item())
    }

    /// Patches as a tensor.
    /// - Parameter patches: each `nMels · patchFrames` values, mel-major (`[nMels, patchFrames]`).
    /// - Returns: [patches.count, 1, nMels, patchFrames].
    /// - Throws: `SpectrogramVAEError.badPatch` for a wrong size or a non-finite value.
    public func tensor(_ patches: [[Float]]) throws -> Tensor {
        let n = config.nMels * config.patchFrames
        for (i, p) in patches.enumerated() {
            guard p.count == n else { throw SpectrogramVAEError.badPatch(reason: "patch \(i) has \(p.count) values, expected \(n)") }
            guard p.allSatisfy(\.isFinite) else { throw SpectrogramVAEError.badPatch(reason: "patch \(i) holds NaN or infinity") }
        }
        return try Tensor(patches.flatMap { $0 }, shape: [patches.count, 1, config.nMels, config.patchFrames])
    }

    /// Encodes each patch to its mean and decodes it again (no sampling).
    /// - Returns: the reconstructions, each `[nMels, patchFrames]` mel-major.
    public func reconstruct(_ patches: [[Float]]) throws -> [[Float]] {
        try noGrad {
            let out = try decode(encode(tensor(patches)).mu).scalars
            let n = config.nMels * config.patchFrames
            return (0..<patches.count).map { Array(out[($0 * n)..<(($0 + 1) * n)]) }
        }
    }

    /// Decodes `steps` points on the latent path from patch `a`'s mean to `b`'s.
    /// - Returns: `steps` patches, each `[nMels, patchFrames]` mel-major.
    /// - Throws: `SpectrogramVAEError.tooFewSteps` for steps < 2, `.badPatch`.
    public func interpolate(from a: [Float], to b: [Float], steps: Int, spherical: Bool) throws -> [[Float]] {
        guard steps >= 2 else { throw SpectrogramVAEError.tooFewSteps(steps) }
        return try noGrad {
            let means = try encode(tensor([a, b])).mu.scalars
            let Z = config.zSize
            let path = LatentPath.points(from: Array(means[0..<Z]), to: Array(means[Z...]), steps: steps, spherical: spherical)
            let out = try decode(Tensor(path.flatMap { $0 }, shape: [steps, Z])).scalars
            let n = config.nMels * config.patchFrames
            return (0..<steps).map { Array(out[($0 * n)..<(($0 + 1) * n)]) }
        }
    }
}
