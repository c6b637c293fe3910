import Foundation
import MuseCore
import MuseTraining

/// A VAE over whole log-mel spectrograms with a latent *sequence*: fully convolutional over time,
/// mel bins as channels (1-D convolutions written as `Conv2d` with height 1), so any clip length
/// goes through and the latent keeps the clip's time structure.
///
/// Input `[batch, nMels, 1, frames]` in [0, 1] with `frames` a multiple of `2^downsamplings`.
/// - encoder (`encoder.0`, `encoder.2`, … as a `torch.nn.Sequential`): a 1×3 convolution
///   nMels → hidden, `downsamplings` stride-2 1×4 convolutions hidden → hidden, LeakyReLU 0.2
///   after each, then a 1×3 convolution hidden → 2·zChannels split into μ and log σ²
///   `[batch, zChannels, 1, frames / 2^downsamplings]`;
/// - decoder: a 1×3 convolution zChannels → hidden, `downsamplings` stride-2 1×4 transposed
///   convolutions, LeakyReLU 0.2 after each, then a 1×3 convolution hidden → nMels (linear).
///
/// loss = Σ (x̂ − x)² / 2 + β·KL, both summed over a clip and averaged over the batch.
public final class SpectrogramSequenceVAE: Module {
    /// Hyperparameters.
    public let config: SpectrogramSequenceVAEConfig
    /// Convolutions over time down to μ ‖ log σ².
    public let encoder: Sequential
    /// Convolutions over time from z back to the spectrogram.
    public let decoder: Sequential
    public var isTraining = true

    public var children: [(name: String, module: any Module)] { [("encoder", encoder), ("decoder", decoder)] }

    /// A freshly initialised model (PyTorch's default initialisations, in layer order).
    /// - Throws: `SpectrogramVAEError.invalidConfiguration`.
    public init(config: SpectrogramSequenceVAEConfig) throws {
        try config.validate()
        self.config = config
        var rng = SplitMix64(seed: config.seed)
        let H = config.hiddenChannels, Z = config.zChannels
        func conv(_ i: Int, _ o: Int) -> Conv2d {
            Conv2d(inChannels: i, outChannels: o, kernelSize: Size2D(1, 3), padding: Size2D(0, 1), using: &rng)
        }
        let act = { Activation(.leakyRelu(negativeSlope: 0.2)) }
        var down: [any Layer] = [conv(config.nMels, H), act()]
        for _ in 0..<config.downsamplings {
            down += [Conv2d(inChannels: H, outChannels: H, kernelSize: Size2D(1, 4), stride: Size2D(1, 2), padding: Size2D(0, 1), using: &rng), act()]
        }
        down.append(conv(H, 2 * Z))
        encoder = Sequential(down)
        var up: [any Layer] = [conv(Z, H), act()]
        for _ in 0..<config.downsamplings {
            up += [ConvTranspose2d(inChannels: H, outChannels: H, kernelSize: Size2D(1, 4), stride: Size2D(1, 2), padding: Size2D(0, 1), using: &rng), act()]
        }
        up.append(conv(H, config.nMels))
        decoder = Sequential(up)
    }

    /// q(z | x). - Parameter spectrograms: [batch, nMels, 1, frames].
    /// - Returns: μ, log σ² [batch, zChannels, 1, frames / 2^downsamplings].
    public func encode(_ spectrograms: Tensor) throws -> (mu: Tensor, logVariance: Tensor) {
        let halves = try encoder(spectrograms).chunk(2, axis: 1)
        return (halves[0], halves[1])
    }

    /// Decodes a latent sequence. - Parameter z: [batch, zChannels, 1, latentFrames].
    /// - Returns: [batch, nMels, 1, latentFrames · 2^downsamplings].
    public func decode(_ z: Tensor) throws -> Tensor { try decoder(z) }

    /// The loss terms of one step (means over the batch).
    public struct Loss {
        /// recon + β·KL (differentiable, rank 0).
        public var total: Tensor
        /// Σ (x̂ − x)² / 2 per clip.
        public var reconstruction: Float
        /// KL(q(z|x) ‖ N(0, I)) in nats per clip.
        public var kl: Float
    }

    /// recon + β·KL with z = μ + e^{logσ²/2}·ε.
    /// - Parameters: spectrograms [batch, nMels, 1, frames]; epsilon shaped as μ.
    public func loss(spectrograms: Tensor, epsilon: Tensor, beta: Float) throws -> Loss {
        let (m, lv) = try encode(spectrograms)
        let z = try m + (lv * 0.5).exp() * epsilon
        let reconstruction = try (decode(z) - spectrograms).square().sum() * (0.5 / Float(spectrograms.shape[0]))
        let kl = try gaussianKLDivergence(mean: m, logVariance: lv)
        return Loss(total: try reconstruction + kl * beta, reconstruction: reconstruction.item(), kl: kl.item())
    }

    /// Equal-length spectrograms as a tensor.
    /// - Parameter spectrograms: each `[nMels, frames]` mel-major with the same `frames`.
    /// - Returns: [count, nMels, 1, frames].
    /// - Throws: `SpectrogramVAEError.badPatch` for a size that is not `nMels · frames` or a
    ///   frame count that is not a multiple of `2^downsamplings`, or a non-finite value.
    public func tensor(_ spectrograms: [[Float]], frames: Int) throws -> Tensor {
        guard frames > 0, frames % config.framesPerLatent == 0 else {
            throw SpectrogramVAEError.badPatch(reason: "\(frames) frames is not a positive multiple of \(config.framesPerLatent)")
        }
        let n = config.nMels * frames
        for (i, s) in spectrograms.enumerated() {
            guard s.count == n else { throw SpectrogramVAEError.badPatch(reason: "spectrogram \(i) has \(s.count) values, expected \(n)") }
            guard s.allSatisfy(\.isFinite) else { throw SpectrogramVAEError.badPatch(reason: "spectrogram \(i) holds NaN or infinity") }
        }
        return try Tensor(spectrograms.flatMap { $0 }, shape: [spectrograms.count, config.nMels, 1, frames])
    }

    /// `[nMels, frames]` padded with zeros (silence) to a multiple of `2^downsamplings` frames.
    /// - Returns: the padded values and their frame count.
    public func padded(_ values: [Float], frames: Int) -> (values: [Float], frames: Int) {
        let k = config.framesPerLatent
        let total = Swift.max(k, (frames + k - 1) / k * k)
        guard total != frames else { return (values, frames) }
        var out = [Float](repeating: 0, count: config.nMels * total)
        for m in 0..<config.nMels {
            for f in 0..<frames { out[m * total + f] = values[m * frames + f] }
        }
        return (out, total)
    }

    /// The latent mean of one spectrogram.
    /// - Parameter values: `[nMels, frames]` in [0, 1], any `frames ≥ 1`.
    /// - Returns: `[zChannels, latentFrames]` channel-major, latentFrames = ⌈frames / 2^downsamplings⌉.
    public func latentMean(_ values: [Float], frames: Int) throws -> (values: [Float], frames: Int) {
        let (x, total) = padded(values, frames: frames)
        return try noGrad {
            let mu = try encode(tensor([x], frames: total)).mu
            return (mu.scalars, mu.shape[3])
        }
    }

    /// Decodes one latent sequence.
    /// - Parameter latent: `[zChannels, latentFrames]` channel-major.
    /// - Returns: `[nMels, latentFrames · 2^downsamplings]` clipped to [0, 1].
    public func decode(latent: [Float], frames latentFrames: Int) throws -> [Float] {
        guard latentFrames > 0, latent.count == config.zChannels * latentFrames, latent.allSatisfy(\.isFinite) else {
            throw SpectrogramVAEError.badPatch(reason: "latent of \(latent.count) values is not \(config.zChannels) × \(latentFrames) finite values")
        }
        return try noGrad {
            try decode(Tensor(latent, shape: [1, config.zChannels, 1, latentFrames])).scalars.map { Swift.min(Swift.max($0, 0), 1) }
        }
    }

    /// Encodes a spectrogram to its latent mean and decodes it (no sampling).
    /// - Parameter values: `[nMels, frames]` in [0, 1].
    /// - Returns: `[nMels, frames]` in [0, 1].
    public func reconstruct(_ values: [Float], frames: Int) throws -> [Float] {
        let (z, latentFrames) = try latentMean(values, frames: frames)
        let out = try decode(latent: z, frames: latentFrames)
        let total = latentFrames * config.framesPerLatent
        var trimmed = [Float](repeating: 0, count: config.nMels * frames)
        for m in 0..<config.nMels {
            for f in 0..<frames { trimmed[m * frames + f] = out[m * total + f] }
        }
        return trimmed
    }
}
